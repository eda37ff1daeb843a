"""Chatwoot's published payloads (tests/data/chatwoot) and the variants the tests derive.

Chatwoot publishes no outgoing message, agent reply or private note; their shape is the
captured incoming message with the differences its README lists (from Chatwoot's code), and
the variants below make exactly those changes — nothing else is invented.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

# A verbatim copy of shared/fixtures/chatwoot (its README says where each file comes from).
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "chatwoot"

AGENT = {"id": 7, "name": "小王", "email": "wang@example.com", "type": "user"}


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def load(name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw(name))
    return value


def incoming(message_id: int = 810, text: str = "你好") -> dict[str, Any]:
    """The captured customer message, in an ``open`` conversation (an inbox without a bot;
    the capture's inbox has one, so its conversation is ``pending``)."""
    payload = load("message_created_incoming.json")
    payload["conversation"]["status"] = "open"
    payload["id"] = message_id
    payload["content"] = text
    return payload


def outgoing(message_id: int = 811, text: str = "您好，欢迎光临", **changes: Any) -> dict[str, Any]:
    """An agent's reply: message_type "outgoing", a ``User#webhook_data`` sender."""
    payload = incoming(message_id, text)
    payload["message_type"] = "outgoing"
    payload["sender"] = dict(AGENT)
    payload.update(changes)
    return payload


def private_note(message_id: int = 812) -> dict[str, Any]:
    return outgoing(message_id, "这位顾客上次投诉过，注意语气", private=True)


def with_status(status: str, updated_at: float = 1763177800.5) -> dict[str, Any]:
    """The captured conversation_status_changed, after a change to ``status``."""
    payload = load("conversation_status_changed.json")
    payload["status"] = status
    payload["updated_at"] = updated_at
    return payload


def assigned(user_id: int = 7, updated_at: float = 1763177900.25) -> dict[str, Any]:
    """The captured conversation_updated after an assignment to agent ``user_id``."""
    payload = load("conversation_updated.json")
    payload["meta"]["assignee"] = {
        "id": user_id,
        "name": "小王",
        "available_name": "小王",
        "avatar_url": "",
        "availability_status": "online",
        "thumbnail": "",
        "type": "user",
    }
    payload["updated_at"] = updated_at
    payload["changed_attributes"] = [
        {"assignee_id": {"previous_value": None, "current_value": user_id}}
    ]
    return payload


def typing_on(by_agent: bool = True, is_private: bool = False) -> dict[str, Any]:
    """conversation_typing_on has the shape of the captured typing_off (README)."""
    payload = copy.deepcopy(load("conversation_typing_off.json"))
    payload["event"] = "conversation_typing_on"
    payload["is_private"] = is_private
    if by_agent:
        payload["user"] = dict(AGENT)
    return payload
