"""The engine wires lint and suggestions into the conversation flow (real rules, no stubs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assist.assembly import (
    load_linter,
)
from assist.core.engine import Engine
from assist.core.events import Event, parse_event
from assist.core.lint.linter import Linter
from assist.core.outputs import Alert, AlertKind, EventRecord, LintReport, Output, Suggestion
from assist.settings import load_settings

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def linter() -> Linter:
    return load_linter(load_settings())


def ev(event_id: str, kind: str, seconds: float, **fields: object) -> Event:
    raw: dict[str, object] = {
        "id": event_id,
        "type": kind,
        "conversation_id": "c-1",
        "agent_id": "a-1",
        "ts": (T0 + timedelta(seconds=seconds)).isoformat(),
    }
    raw.update(fields)
    return parse_event(raw)


def run(engine: Engine, *events: Event) -> list[Output]:
    outputs: list[Output] = []
    for event in events:
        outputs += engine.handle(event, event.ts).outputs
    return outputs


def reports(outputs: list[Output]) -> dict[str, list[str]]:
    return {
        o.message_id: [f.rule for f in o.findings] for o in outputs if isinstance(o, LintReport)
    }


def test_typing_time_is_measured_and_slow_typing_flagged(linter: Linter) -> None:
    engine = Engine(linter=linter)
    text = "您好，欢迎光临，这款裤子有现货的哦"  # 17 characters in 60 s
    outputs = run(
        engine,
        ev("c", "customer_message", 0, text="在吗"),
        ev("t", "agent_typing", 1),
        ev("t2", "agent_typing", 30),  # typing keeps the first start
        ev("m", "agent_message", 61, text=text),
    )
    (record,) = [o for o in outputs if isinstance(o, EventRecord) and o.event.id == "m"]
    assert record.typing_s == 60.0
    assert "slow_typing" in reports(outputs)["m"]


def test_a_first_message_without_welcome_and_a_close_without_farewell_are_flagged(
    linter: Linter,
) -> None:
    engine = Engine(linter=linter)
    outputs = run(
        engine,
        ev("c1", "customer_message", 0, text="这款有货吗"),
        ev("a1", "agent_message", 5, text="有的"),
        ev("c2", "customer_message", 10, text="好的"),
        ev("a2", "agent_message", 12, text="有的"),
        ev("x", "conversation_closed", 20),
    )
    found = reports(outputs)
    assert "missing_greeting" in found["a1"]
    assert "missing_greeting" not in found["a2"]
    assert found["x"] == ["missing_closing"]


def test_a_farewell_before_closing_raises_nothing(linter: Linter) -> None:
    engine = Engine(linter=linter)
    outputs = run(
        engine,
        ev("c1", "customer_message", 0, text="在吗"),
        ev("a1", "agent_message", 3, text="您好，欢迎光临"),
        ev("a2", "agent_message", 9, text="感谢您的光临，再见"),
        ev("x", "conversation_closed", 20),
    )
    assert "x" not in reports(outputs)


def test_negative_language_raises_one_supervisor_alert_naming_the_phrases(
    linter: Linter,
) -> None:
    engine = Engine(linter=linter)
    outputs = run(
        engine,
        ev("c1", "customer_message", 0, text="能退吗"),
        ev("a1", "agent_message", 3, text="您好，这个我们不能退，但是可以换"),
    )
    (alert,) = [o for o in outputs if isinstance(o, Alert)]
    assert alert.kind is AlertKind.NEGATIVE_PHRASE and alert.message_id == "a1"
    assert "我们不能" in alert.detail["phrases"]


def test_every_customer_message_gets_a_suggestion_for_the_assigned_agent() -> None:
    from assist.assembly import (
        load_suggester,
    )
    from assist.settings import load_settings

    engine = Engine(suggester=load_suggester(load_settings()))
    outputs = run(
        engine,
        ev("c1", "customer_message", 0, text="我170cm 130斤穿什么码"),
        ev("tr", "conversation_transferred", 1, agent_id="a-2"),
        ev("c2", "customer_message", 2, agent_id=None, text="发票怎么开"),
    )
    first, second = [o for o in outputs if isinstance(o, Suggestion)]
    assert (first.agent_id, first.result.intent, first.result.slots["size"]) == (
        "a-1",
        "sizing",
        "L",
    )
    assert (second.agent_id, second.result.intent, second.result.replies) == ("a-2", "unknown", ())


def test_idle_conversations_leave_memory_unless_a_timer_is_still_due() -> None:
    engine = Engine()
    run(engine, ev("a", "customer_message", 0, conversation_id="c-idle", text="在吗"))
    run(engine, ev("b", "agent_message", 1, conversation_id="c-idle", text="您好"))
    run(engine, ev("c", "customer_message", 0, conversation_id="c-closed", text="在吗"))
    run(engine, ev("d", "conversation_closed", 2, conversation_id="c-closed"))
    run(engine, ev("e", "customer_message", 3, conversation_id="c-waiting", text="在吗"))
    later = T0 + timedelta(seconds=10)
    assert len(engine.evict(closed_before=later, idle_before=later)) == 2
    assert list(engine.conversations) == ["c-waiting"]  # its greeting deadline is still due
    assert engine.next_deadline() is not None
