"""Snapshot views are built in the core from the wait and the latest frames."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assist.core.engine import Engine
from assist.core.events import Event, EventType
from assist.core.outputs import Finding, LintReport, Suggestion, SuggestionResult
from assist.core.sla.hours import SlaConfig
from assist.core.views import LatestFrames, snapshot_frame

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _message(event_id: str, seconds: float, text: str) -> Event:
    return Event(
        id=event_id,
        type=EventType.CUSTOMER_MESSAGE,
        conversation_id="c-1",
        ts=T0 + timedelta(seconds=seconds),
        agent_id="a-1",
        text=text,
    )


def test_a_snapshot_shows_the_server_timer_state_and_what_was_said_last() -> None:
    engine = Engine(SlaConfig(greeting_s=15, warn_s=5))
    latest = LatestFrames()
    latest.note(engine.handle(_message("m-1", 0, "在吗"), T0).outputs)
    latest.note(engine.advance(T0 + timedelta(seconds=11)))
    latest.note([Suggestion("c-1", "a-1", "m-1", SuggestionResult("greeting", 0.9))])
    finding = Finding("negative_phrase", "warning", "换个说法", "我不能", 0, 3)
    latest.note([LintReport("c-1", "a-1", "m-0", (finding,))])
    frame = snapshot_frame(
        engine.open_conversations(), T0 + timedelta(seconds=12), warn_s=5.0, latest=latest
    )
    (view,) = frame["conversations"]
    assert view["timer"]["state"] == "warning"
    assert view["timer"]["deadline"] == "2026-12-02T12:00:15.000Z"
    assert view["timer"]["waited_s"] == 12.0
    assert view["last_customer_message"] == {
        "message_id": "m-1",
        "text": "在吗",
        "at": "2026-12-02T12:00:00.000Z",
    }
    assert view["suggestion"]["intent"] == "greeting"
    assert view["lint"]["findings"][0]["phrase"] == "我不能"
    assert frame["at"] == "2026-12-02T12:00:12.000Z" and frame["warn_s"] == 5.0


def test_a_new_customer_message_retires_the_previous_suggestion() -> None:
    latest = LatestFrames()
    engine = Engine(SlaConfig())
    latest.note(engine.handle(_message("m-1", 0, "有货吗"), T0).outputs)
    latest.note([Suggestion("c-1", "a-1", "m-1", SuggestionResult("stock", 0.9))])
    latest.note(engine.handle(_message("m-2", 5, "几天到"), T0).outputs)
    assert latest.get("c-1").suggestion is None
    latest.note([Suggestion("c-1", "a-1", "m-1", SuggestionResult("stock", 0.9))])
    assert latest.get("c-1").suggestion is None  # late answer to the old message
    latest.forget(["c-1"])
    assert len(latest) == 0
