"""Chatwoot webhook payloads → assist events (DESIGN.md "Event protocol").

Facts this relies on (checked against Chatwoot v4.15.1; see shared/fixtures/chatwoot/README):

- The event name is the body's ``event`` field; the object is merged at the top level.
- ``message_created``: ``message_type`` is a string at the top level (``incoming`` from the
  contact, ``outgoing`` from an agent, a bot or a private note, ``template`` automated);
  ``activity`` messages are never sent. Private notes arrive as outgoing with
  ``private: true`` — including the notes assist itself posts back — so they are dropped.
  An agent's sender is ``{id, name, email, type: "user"}``; bots are ``agent_bot`` or
  ``captain_assistant``, or ``null``. ``created_at`` is ISO-8601 UTC.
- Conversation payloads carry the per-account display id as ``id`` and epoch-second
  ``created_at`` / float ``updated_at``; ``account`` only since v4.14.2 — older ones name
  the account only in ``messages[].account_id`` (hence the fallbacks and the configurable
  default). ``changed_attributes`` of ``conversation_status_changed`` is ``null`` in practice,
  so the status itself decides; ``conversation_updated`` lists what changed.
- ``pending`` is the status of a conversation an agent bot is handling (inboxes with a bot
  start conversations so); the bot hands over by setting it ``open``. Customer events of a
  pending conversation therefore start no wait — the hand-over does, as
  ``conversation_opened`` — so a bot's chat never raises greeting breaches.
- Typing events are ``{event, user, conversation, is_private}``; ``user`` is a contact
  (no ``type`` key) or an agent (``type: "user"``) and there is no timestamp.

Event ids are derived from Chatwoot's own ids (the message id; the conversation id and its
``updated_at`` for state changes), so a repeated delivery — even one the delivery log has
forgotten, or after a restart — is applied once by the engine. ``conversation_status_changed``
and the ``conversation_updated`` that fires with it give the same id for the same change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assist.core.errors import ErrorCode, InvalidEvent
from assist.core.events import MAX_TEXT_LENGTH
from assist.core.timeutil import format_ts, parse_ts

__all__ = [
    "Mapped",
    "agent_id",
    "conversation_id",
    "customer_id",
    "map_payload",
]

Payload = Mapping[str, Any]

_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Text beyond this many UTF-8 bytes is cut, so one mapped event always fits in one frame.
_MAX_TEXT_BYTES = 48 * 1024
_MESSAGE_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}
_MAX_PRODUCT_ID = 200
_PENDING = "conversation pending: a bot is handling it"
_DOCS_TIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) UTC")


@dataclass(frozen=True, slots=True)
class Mapped:
    """The assist events one delivery gives, or why it gives none."""

    events: list[dict[str, Any]] = field(default_factory=list)
    ignored: str | None = None


def conversation_id(account: str, conversation: str) -> str:
    return f"chatwoot:{account}:{conversation}"


def agent_id(account: str, user: str) -> str:
    return f"chatwoot:{account}:{user}"


def customer_id(account: str, contact: str) -> str:
    return f"chatwoot:{account}:contact:{contact}"


def map_payload(
    payload: object,
    *,
    delivery_id: str | None = None,
    default_account_id: str | None = None,
    product_attribute: str | None = None,
) -> Mapped:
    """The events for one decoded webhook body.

    ``delivery_id`` (``X-Chatwoot-Delivery``) names events Chatwoot gives no id of its own
    (typing); ``default_account_id`` is used when an older Chatwoot names no account;
    ``product_attribute`` names the custom attribute (the conversation's, else the
    contact's) that holds the product a customer message is about.
    Raises :class:`InvalidEvent` when a kind assist uses lacks the ids it needs.
    """
    if not isinstance(payload, Mapping):
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "a Chatwoot delivery must be a JSON object")
    kind = payload.get("event")
    if not isinstance(kind, str) or not kind:
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "event is missing from the delivery")
    handler = _HANDLERS.get(kind)
    if handler is None:
        return Mapped(ignored=f"{kind} is not used by assist")
    context = _Context(payload, kind, delivery_id, default_account_id, product_attribute)
    return handler(context)


@dataclass(frozen=True, slots=True)
class _Context:
    payload: Payload
    kind: str
    delivery_id: str | None
    default_account_id: str | None
    product_attribute: str | None

    def fail(self, message: str) -> InvalidEvent:
        return InvalidEvent(ErrorCode.INVALID_EVENT, f"{self.kind}: {message}")

    def conversation(self) -> Payload:
        """The conversation object: nested for messages and typing, top level otherwise."""
        nested = self.payload.get("conversation")
        if isinstance(nested, Mapping):
            return nested
        if self.kind.startswith("message_"):
            raise self.fail("conversation is missing")
        return self.payload

    def account(self, conversation: Payload) -> str:
        candidates: list[object] = [
            _get(self.payload, "account", "id"),
            self.payload.get("account_id"),
            _get(conversation, "account", "id"),
            conversation.get("account_id"),
        ]
        messages = conversation.get("messages")
        if isinstance(messages, list):
            candidates.extend(_get(m, "account_id") for m in messages)
        candidates.append(self.default_account_id)
        for candidate in candidates:
            value = _id_text(candidate)
            if value is not None:
                return value
        raise self.fail("no account id in the payload (set ASSIST_CHATWOOT_ACCOUNT_ID)")

    def ids(self) -> tuple[str, str, Payload]:
        """(account id, assist conversation id, the conversation object)."""
        conversation = self.conversation()
        raw = conversation.get("id")
        if raw is None:
            raw = conversation.get("display_id")
        number = _id_text(raw)
        if number is None:
            raise self.fail("conversation id is missing")
        account = self.account(conversation)
        return account, conversation_id(account, number), conversation

    def stamp(self, conversation: Payload) -> str:
        """What makes a state change's event id unique: when Chatwoot made the change."""
        updated = conversation.get("updated_at")
        if isinstance(updated, int | float | str) and not isinstance(updated, bool):
            return str(updated)
        if self.delivery_id:
            return f"delivery-{self.delivery_id}"
        body = json.dumps(self.payload, sort_keys=True, ensure_ascii=False, default=str)
        return "body-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def _get(value: object, *path: str) -> object:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _id_text(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    return None


def _ts(value: object) -> str | None:
    """A Chatwoot time as the protocol's ISO-8601, or None (receive time is used then).

    Chatwoot sends ISO-8601 (messages), epoch seconds as int or float (conversations); the
    old docs sample shows ``"2020-03-03 13:05:57 UTC"``. Epoch milliseconds are told apart
    from seconds by size.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if value <= 0:
            return None
        seconds = value / 1000 if value > 100_000_000_000 else value
        try:
            return format_ts(datetime.fromtimestamp(seconds, UTC))
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        docs = _DOCS_TIME.fullmatch(text)
        if docs:
            text = f"{docs.group(1)}T{docs.group(2)}+00:00"
        try:
            return format_ts(parse_ts(text))
        except ValueError:
            return None
    return None


def _clip(text: object) -> str:
    if not isinstance(text, str):
        return ""
    text = text[:MAX_TEXT_LENGTH]
    while len(text.encode("utf-8")) > _MAX_TEXT_BYTES:
        text = text[: len(text) * 3 // 4]
    return text


def _assigned_agent(account: str, conversation: Payload) -> str | None:
    """The conversation's assignee as an assist agent id, if it is a person (not a bot)."""
    assignee = _get(conversation, "meta", "assignee")
    if not isinstance(assignee, Mapping):
        return None
    kind = assignee.get("type") or _get(conversation, "meta", "assignee_type")
    if kind not in (None, "user", "User"):
        return None
    user = _id_text(assignee.get("id"))
    return agent_id(account, user) if user is not None else None


def _customer(account: str, conversation: Payload, sender: object = None) -> str | None:
    contact = _id_text(_get(sender, "id")) if sender is not None else None
    if contact is None:
        contact = _id_text(_get(conversation, "meta", "sender", "id"))
    return customer_id(account, contact) if contact is not None else None


def _product(attribute: str | None, conversation: Payload, sender: object) -> str | None:
    if attribute is None:
        return None
    for owner in (conversation, sender, _get(conversation, "meta", "sender")):
        value = _get(owner, "custom_attributes", attribute)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and 0 < len(value.strip()) <= _MAX_PRODUCT_ID:
            return value.strip()
    return None


def _event(event_id: str, kind: str, conversation: str, **fields: object) -> dict[str, Any]:
    event: dict[str, Any] = {"id": event_id, "type": kind, "conversation_id": conversation}
    event.update({k: v for k, v in fields.items() if v is not None})
    return event


# -- handlers -------------------------------------------------------------------------


def _message_created(context: _Context) -> Mapped:
    payload = context.payload
    if payload.get("private") is True:
        return Mapped(ignored="private note")
    message_type = payload.get("message_type")
    if isinstance(message_type, int) and not isinstance(message_type, bool):
        message_type = _MESSAGE_TYPES.get(message_type)
    if message_type is None:
        raise context.fail("message_type is missing")
    if message_type not in ("incoming", "outgoing"):
        return Mapped(ignored=f"{message_type} message")
    message = _id_text(payload.get("id"))
    if message is None:
        raise context.fail("message id is missing")
    account, conversation, conversation_obj = context.ids()
    sender = payload.get("sender")
    common: dict[str, object] = {
        "ts": _ts(payload.get("created_at")),
        "text": _clip(payload.get("content")),
    }
    event_id = f"chatwoot:{account}:message:{message}"
    if message_type == "incoming":
        if conversation_obj.get("status") == "pending":
            return Mapped(ignored=_PENDING)
        event = _event(
            event_id,
            "customer_message",
            conversation,
            customer_id=_customer(account, conversation_obj, sender),
            agent_id=_assigned_agent(account, conversation_obj),
            product_id=_product(context.product_attribute, conversation_obj, sender),
            **common,
        )
        return Mapped([event])
    if not isinstance(sender, Mapping) or sender.get("type") != "user":
        kind = sender.get("type") if isinstance(sender, Mapping) else None
        return Mapped(ignored=f"message from {kind or 'the system'}, not an agent")
    user = _id_text(sender.get("id"))
    if user is None:
        raise context.fail("sender id is missing")
    event = _event(
        event_id, "agent_message", conversation, agent_id=agent_id(account, user), **common
    )
    return Mapped([event])


def _status_event(
    context: _Context, status: object, account: str, conversation: str, obj: Payload
) -> dict[str, Any] | None:
    if status == "resolved":
        kind, name = "conversation_closed", "closed"
    elif status == "open":
        kind, name = "conversation_opened", "opened"
    else:
        return None
    return _event(
        f"{conversation}:{name}:{context.stamp(obj)}",
        kind,
        conversation,
        ts=_ts(obj.get("updated_at")),
        customer_id=_customer(account, obj) if kind == "conversation_opened" else None,
        agent_id=_assigned_agent(account, obj),
    )


def _conversation_created(context: _Context) -> Mapped:
    account, conversation, obj = context.ids()
    if obj.get("status") == "pending":
        return Mapped(ignored=_PENDING)
    messages = obj.get("messages")
    if isinstance(messages, list) and messages:
        first = messages[0]
        if isinstance(first, Mapping) and first.get("message_type") in (1, "outgoing"):
            return Mapped(ignored="conversation started by an agent (outreach)")
    created = obj.get("created_at")
    event = _event(
        f"{conversation}:created:{created if created is not None else context.stamp(obj)}",
        "conversation_opened",
        conversation,
        ts=_ts(created),
        customer_id=_customer(account, obj),
        agent_id=_assigned_agent(account, obj),
    )
    return Mapped([event])


def _status_changed(context: _Context) -> Mapped:
    account, conversation, obj = context.ids()
    status = obj.get("status")
    event = _status_event(context, status, account, conversation, obj)
    if event is None:
        return Mapped(ignored=f"status {status}")
    return Mapped([event])


def _changes(payload: Payload) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    listed = payload.get("changed_attributes")
    if isinstance(listed, list):
        for item in listed:
            if isinstance(item, Mapping):
                changes.update(item)
    return changes


def _conversation_updated(context: _Context) -> Mapped:
    account, conversation, obj = context.ids()
    changes = _changes(context.payload)
    events: list[dict[str, Any]] = []
    if "status" in changes:
        status = _get(changes["status"], "current_value") or obj.get("status")
        event = _status_event(context, status, account, conversation, obj)
        if event is not None:
            events.append(event)
    if "assignee_id" in changes:
        agent = _assigned_agent(account, obj)
        if agent is not None:
            events.append(
                _event(
                    f"{conversation}:assigned:{agent}:{context.stamp(obj)}",
                    "conversation_transferred",
                    conversation,
                    ts=_ts(obj.get("updated_at")),
                    agent_id=agent,
                )
            )
    if not events:
        return Mapped(ignored="no status or assignee change assist uses")
    return Mapped(events)


def _typing_on(context: _Context) -> Mapped:
    user = context.payload.get("user")
    if not isinstance(user, Mapping) or user.get("type") != "user":
        return Mapped(ignored="the customer is typing")
    if context.payload.get("is_private") is True:
        return Mapped(ignored="the agent is typing a private note")
    number = _id_text(user.get("id"))
    if number is None:
        raise context.fail("user id is missing")
    account, conversation, _ = context.ids()
    key = context.delivery_id or context.stamp(context.payload)
    event = _event(
        f"{conversation}:typing:{number}:{key}",
        "agent_typing",
        conversation,
        agent_id=agent_id(account, number),
    )
    return Mapped([event])


def _typing_off(context: _Context) -> Mapped:
    return Mapped(ignored="typing stopped (assist times typing from its start)")


def _message_updated(context: _Context) -> Mapped:
    return Mapped(ignored="message edits and delivery statuses are not used")


_HANDLERS: dict[str, Callable[[_Context], Mapped]] = {
    "message_created": _message_created,
    "message_updated": _message_updated,
    "conversation_created": _conversation_created,
    "conversation_status_changed": _status_changed,
    # The agent-bot route's names for the same two changes.
    "conversation_opened": _status_changed,
    "conversation_resolved": _status_changed,
    "conversation_updated": _conversation_updated,
    "conversation_typing_on": _typing_on,
    "conversation_typing_off": _typing_off,
}
