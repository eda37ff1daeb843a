"""Write-back decisions (which suggestion becomes a note, how often) and the delivery log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assist.integrations.chatwoot import DeliveryLog
from assist.integrations.chatwoot.notes import Note, NoteLimiter, note_for

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def suggestion(conversation: str = "chatwoot:1:150", **changes: Any) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "suggestion",
        "conversation_id": conversation,
        "agent_id": None,
        "message_id": "chatwoot:1:message:810",
        "intent": "sizing",
        "confidence": 0.9,
        "slots": {},
        "replies": ["亲，建议选 L 码", "亲，也可以看看尺码表"],
    }
    frame.update(changes)
    return frame


def test_the_top_reply_of_a_chatwoot_suggestion_becomes_a_private_note() -> None:
    note = note_for(suggestion())
    assert note == Note("1", "150", "chatwoot:1:150", "坐席助手建议：亲，建议选 L 码")
    assert note.path() == "/api/v1/accounts/1/conversations/150/messages"
    assert note.body() == {
        "content": "坐席助手建议：亲，建议选 L 码",
        "message_type": "outgoing",
        "private": True,
    }


@pytest.mark.parametrize(
    "frame",
    [
        suggestion("c-42"),
        suggestion("chatwoot:1"),
        suggestion("chatwoot:1:150:x"),
        suggestion(intent="unknown"),
        suggestion(replies=[]),
        suggestion(replies=["  "]),
        {"type": "lint", "conversation_id": "chatwoot:1:150"},
    ],
    ids=["not chatwoot", "no display id", "extra part", "unknown", "no reply", "blank", "lint"],
)
def test_nothing_is_written_back_without_a_chatwoot_conversation_and_a_reply(
    frame: dict[str, Any],
) -> None:
    assert note_for(frame) is None


def test_one_note_per_conversation_per_interval() -> None:
    limiter = NoteLimiter(timedelta(seconds=30), per_minute=100)
    assert limiter.allow("a", T0)
    assert not limiter.allow("a", T0 + timedelta(seconds=29))
    assert limiter.allow("b", T0 + timedelta(seconds=29))
    assert limiter.allow("a", T0 + timedelta(seconds=30))


def test_no_more_than_the_per_minute_cap_overall() -> None:
    limiter = NoteLimiter(timedelta(0), per_minute=2)
    assert limiter.allow("a", T0)
    assert limiter.allow("b", T0 + timedelta(seconds=1))
    assert not limiter.allow("c", T0 + timedelta(seconds=59))
    assert limiter.allow("c", T0 + timedelta(seconds=60))


def test_the_limiter_forgets_the_oldest_conversations_beyond_its_bound() -> None:
    limiter = NoteLimiter(timedelta(hours=1), per_minute=1000, max_tracked=2)
    for name in ("a", "b", "c"):
        assert limiter.allow(name, T0)
    assert limiter.allow("a", T0 + timedelta(seconds=1))  # forgotten, so allowed again
    assert not limiter.allow("c", T0 + timedelta(seconds=1))


def test_a_repeated_delivery_id_is_recognised_and_memory_stays_bounded() -> None:
    log = DeliveryLog(limit=2)
    assert log.add("d-1") and not log.add("d-1")
    assert log.add("d-2") and log.add("d-3")
    assert len(log) == 2 and "d-1" not in log and "d-3" in log
    log.discard("d-3")
    assert "d-3" not in log and log.add("d-3")
    with pytest.raises(ValueError):
        DeliveryLog(limit=0)
