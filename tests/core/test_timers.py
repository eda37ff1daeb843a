"""Every SLA timer rule of DESIGN.md "Timer semantics", on a fake clock.

Time is plain datetimes passed as ``now``; nothing sleeps and nothing reads the wall clock.
Scripts are ``(seconds after T0, event type, agent)`` rows; each event is handled at its
own ``ts`` (as replay does) and the engine is then advanced to a fixed end time.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from assist.core.engine import Engine
from assist.core.events import Event, EventType
from assist.core.outputs import (
    Alert,
    Output,
    TimerState,
    TimerUpdate,
    WaitKind,
    WaitOutcome,
    WaitRecord,
)
from assist.core.sla.conversation import Phase
from assist.core.sla.hours import ServiceHours, ServiceWindow, SlaConfig

T0 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # Monday 12:00 in Asia/Shanghai

OPENED = "conversation_opened"
CUSTOMER = "customer_message"
AGENT = "agent_message"
TRANSFER = "conversation_transferred"
CLOSED = "conversation_closed"
PAID = "order_paid"

Row = tuple[float, str] | tuple[float, str, str]
AlertRow = tuple[str, float, float | None]


def just_after(instant: datetime) -> datetime:
    """The first instant a deadline has passed: a woken timer driver is never earlier."""
    return instant + timedelta(microseconds=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def secs(instant: datetime) -> float:
    return round((instant - T0).total_seconds(), 3)


def make_event(
    event_id: str,
    kind: str,
    seconds: float,
    *,
    conversation: str = "c-1",
    agent: str | None = "a-1",
) -> Event:
    event_type = EventType(kind)
    text = "在吗" if event_type in (EventType.CUSTOMER_MESSAGE, EventType.AGENT_MESSAGE) else None
    amount = 99.0 if event_type is EventType.ORDER_PAID else None
    return Event(
        id=event_id,
        type=event_type,
        conversation_id=conversation,
        ts=at(seconds),
        customer_id="u-1",
        agent_id=agent,
        text=text,
        amount=amount,
    )


def script_events(script: list[Row], conversation: str = "c-1") -> list[Event]:
    events = []
    for number, row in enumerate(script):
        agent = row[2] if len(row) == 3 else None  # type: ignore[misc]
        events.append(
            make_event(
                f"{conversation}-e{number}", row[1], row[0], conversation=conversation, agent=agent
            )
        )
    return events


def run(
    script: list[Row], *, until: float = 300.0, config: SlaConfig | None = None
) -> list[Output]:
    """Drive the engine like the live timer driver: wake at every deadline before the
    next event, handle each event at its own ``ts``, then run the clock to ``until``."""
    engine = Engine(config)
    outputs: list[Output] = []
    for event in script_events(script):
        while (due := engine.next_deadline()) is not None and due < event.ts:
            outputs.extend(engine.advance(just_after(due)))
        outputs.extend(engine.handle(event, event.ts).outputs)
    while (due := engine.next_deadline()) is not None and due <= at(until):
        outputs.extend(engine.advance(just_after(due)))
    outputs.extend(engine.advance(at(until)))
    return outputs


def alerts(outputs: list[Output]) -> list[AlertRow]:
    return [(o.kind.value, secs(o.at), o.waited_s) for o in outputs if isinstance(o, Alert)]


def timers(outputs: list[Output]) -> list[tuple[str, str, float, float]]:
    return [
        (o.kind.value, o.state.value, secs(o.at), o.waited_s)
        for o in outputs
        if isinstance(o, TimerUpdate)
    ]


def waits(outputs: list[Output]) -> list[WaitRecord]:
    return [o for o in outputs if isinstance(o, WaitRecord)]


# -- the rules as a table ---------------------------------------------------------------

ALERT_CASES: list[tuple[str, list[Row], list[AlertRow]]] = [
    (
        "greeting_starts_at_conversation_opened",
        [(0, OPENED), (20, AGENT, "a-1")],
        [("greeting_breach", 15.0, 15.0)],
    ),
    (
        "greeting_starts_at_first_customer_message",
        [(2.5, CUSTOMER), (30, AGENT, "a-1")],
        [("greeting_breach", 17.5, 15.0)],
    ),
    (
        "greeting_keeps_the_opened_start_when_the_customer_then_writes",
        [(0, OPENED), (10, CUSTOMER), (16, AGENT, "a-1")],
        [("greeting_breach", 15.0, 15.0)],
    ),
    ("greeting_met_by_first_agent_message", [(0, OPENED), (14.999, AGENT, "a-1")], []),
    ("reply_exactly_at_the_greeting_deadline_meets_it", [(0, CUSTOMER), (15, AGENT, "a-1")], []),
    (
        "reply_one_millisecond_late_breaches_at_the_deadline",
        [(0, CUSTOMER), (15.001, AGENT, "a-1")],
        [("greeting_breach", 15.0, 15.0)],
    ),
    (
        "reply_wait_starts_at_first_customer_message_after_the_agent",
        [(0, CUSTOMER), (5, AGENT, "a-1"), (10, CUSTOMER), (30.001, AGENT, "a-1")],
        [("reply_breach", 30.0, 20.0)],
    ),
    (
        "reply_exactly_at_the_reply_deadline_meets_it",
        [(0, CUSTOMER), (5, AGENT, "a-1"), (10, CUSTOMER), (30, AGENT, "a-1")],
        [],
    ),
    (
        "consecutive_customer_messages_keep_the_first_start",
        [(0, CUSTOMER), (5, AGENT, "a-1"), (10, CUSTOMER), (25, CUSTOMER), (35, AGENT, "a-1")],
        [("reply_breach", 30.0, 20.0)],
    ),
    (
        "unanswered_greeting_breaches_then_escalates_at_60_s",
        [(0, CUSTOMER)],
        [("greeting_breach", 15.0, 15.0), ("escalation", 60.0, 60.0)],
    ),
    (
        "unanswered_reply_breaches_then_escalates_60_s_after_its_start",
        [(0, CUSTOMER), (5, AGENT, "a-1"), (10, CUSTOMER)],
        [("reply_breach", 30.0, 20.0), ("escalation", 70.0, 60.0)],
    ),
    (
        "answer_after_the_breach_but_before_60_s_does_not_escalate",
        [(0, CUSTOMER), (59.999, AGENT, "a-1")],
        [("greeting_breach", 15.0, 15.0)],
    ),
    (
        "outreach_turns_the_first_customer_message_into_a_reply_wait",
        [(0, AGENT, "a-1"), (10, CUSTOMER), (40, AGENT, "a-1")],
        [("reply_breach", 30.0, 20.0)],
    ),
    (
        "conversation_opened_after_outreach_starts_nothing",
        [(0, AGENT, "a-1"), (5, OPENED)],
        [],
    ),
    ("close_stops_the_greeting_wait", [(0, CUSTOMER), (10, CLOSED)], []),
    (
        "close_after_a_breach_stops_the_escalation",
        [(0, CUSTOMER), (20, CLOSED)],
        [("greeting_breach", 15.0, 15.0)],
    ),
    (
        "reopen_by_customer_message_without_agent_starts_a_greeting_wait",
        [(0, CUSTOMER), (5, CLOSED), (100, CUSTOMER)],
        [("greeting_breach", 115.0, 15.0), ("escalation", 160.0, 60.0)],
    ),
    (
        "reopen_by_conversation_opened_without_agent_starts_a_greeting_wait",
        [(0, OPENED), (5, CLOSED), (100, OPENED)],
        [("greeting_breach", 115.0, 15.0), ("escalation", 160.0, 60.0)],
    ),
    (
        "reopen_after_the_agent_spoke_waits_for_the_next_customer_message",
        [(0, CUSTOMER), (5, AGENT, "a-1"), (10, CLOSED), (100, OPENED), (200, CUSTOMER)],
        [("reply_breach", 220.0, 20.0), ("escalation", 260.0, 60.0)],
    ),
    (
        "reopen_by_customer_message_after_the_agent_spoke_starts_a_reply_wait",
        [(0, CUSTOMER), (5, AGENT, "a-1"), (10, CLOSED), (100, CUSTOMER)],
        [("reply_breach", 120.0, 20.0), ("escalation", 160.0, 60.0)],
    ),
    (
        "order_paid_does_not_touch_the_timers",
        [(0, CUSTOMER), (10, PAID), (14, AGENT, "a-1")],
        [],
    ),
    (
        "agent_typing_is_not_an_answer",
        [(0, CUSTOMER), (10, "agent_typing", "a-1"), (16, AGENT, "a-1")],
        [("greeting_breach", 15.0, 15.0)],
    ),
]


@pytest.mark.parametrize(
    ("script", "expected"),
    [pytest.param(script, expected, id=name) for name, script, expected in ALERT_CASES],
)
def test_timer_rule(script: list[Row], expected: list[AlertRow]) -> None:
    assert alerts(run(script)) == expected


# -- timer states -----------------------------------------------------------------------


def test_a_greeting_wait_runs_warns_breaches_and_is_met() -> None:
    outputs = run([(0, CUSTOMER), (25, AGENT, "a-1")])
    assert timers(outputs) == [
        ("greeting", "running", 0.0, 0.0),
        ("greeting", "warning", 10.0, 10.0),
        ("greeting", "breached", 15.0, 15.0),
        ("greeting", "met", 25.0, 25.0),
    ]
    (record,) = waits(outputs)
    assert (record.kind, record.outcome, record.breached, record.escalated) == (
        WaitKind.GREETING,
        WaitOutcome.ANSWERED,
        True,
        False,
    )
    assert record.waited_s == 25.0 and record.answer_id == "c-1-e1"


def test_the_warning_comes_warn_s_before_a_reply_deadline() -> None:
    config = SlaConfig(warn_s=8.0)
    outputs = run(
        [(0, CUSTOMER), (9, AGENT, "a-1"), (10, CUSTOMER), (29, AGENT, "a-1")], config=config
    )
    warnings = [t for t in timers(outputs) if t[1] == "warning"]
    assert warnings == [("greeting", "warning", 7.0, 7.0), ("reply", "warning", 22.0, 12.0)]
    assert alerts(outputs) == []


def test_warn_s_zero_sends_no_warning() -> None:
    outputs = run([(0, CUSTOMER), (14, AGENT, "a-1")], config=SlaConfig(warn_s=0))
    assert [t[1] for t in timers(outputs)] == ["running", "met"]


def test_the_breach_timer_update_and_alert_name_the_deadline() -> None:
    outputs = run([(0.123, CUSTOMER)], until=16)
    breached = [o for o in outputs if isinstance(o, TimerUpdate) and o.state is TimerState.BREACHED]
    assert len(breached) == 1
    assert breached[0].deadline == at(15.123) and breached[0].waited_s == 15.0
    (alert,) = [o for o in outputs if isinstance(o, Alert)]
    assert alert.at == at(15.123) and alert.waited_s == 15.0 and alert.agent_id is None
    assert alert.to_frame() == {
        "type": "alert",
        "kind": "greeting_breach",
        "conversation_id": "c-1",
        "agent_id": None,
        "at": "2026-11-23T04:00:15.123Z",
        "waited_s": 15.0,
    }


def test_close_stops_the_timer_and_records_a_closed_wait() -> None:
    engine = Engine()
    for event in script_events(
        [(0, CUSTOMER, "a-1"), (5, AGENT, "a-1"), (6, CUSTOMER), (9, CLOSED)]
    ):
        engine.handle(event, event.ts)
    conversation = engine.conversations["c-1"]
    assert conversation.phase is Phase.CLOSED and conversation.wait is None
    assert engine.next_deadline() is None
    assert engine.advance(at(1000)) == []


def test_closing_emits_stopped_and_a_closed_wait_record() -> None:
    outputs = run([(0, CUSTOMER, "a-1"), (9, CLOSED)])
    assert timers(outputs)[-1] == ("greeting", "stopped", 9.0, 9.0)
    (record,) = waits(outputs)
    assert (record.outcome, record.breached, record.agent_id, record.waited_s) == (
        WaitOutcome.CLOSED,
        False,
        "a-1",
        9.0,
    )
    assert alerts(outputs) == []


def test_a_transfer_keeps_the_wait_running_and_the_alert_names_the_new_agent() -> None:
    outputs = run([(0, CUSTOMER, "a-1"), (10, TRANSFER, "a-2"), (70, AGENT, "a-2")])
    got = [(o.kind.value, o.agent_id, secs(o.at)) for o in outputs if isinstance(o, Alert)]
    assert got == [("greeting_breach", "a-2", 15.0), ("escalation", "a-2", 60.0)]
    (record,) = waits(outputs)
    assert record.agent_id == "a-2" and record.started_at == at(0) and record.escalated


def test_a_transfer_alone_starts_no_wait() -> None:
    assert alerts(run([(0, TRANSFER, "a-2")])) == []


# -- duplicates -------------------------------------------------------------------------


def test_a_duplicate_id_is_applied_once_and_flagged() -> None:
    engine = Engine()
    first = make_event("e-1", CUSTOMER, 0)
    reply = make_event("e-2", AGENT, 5)
    again = make_event("e-3", CUSTOMER, 10)
    assert engine.handle(first, first.ts).duplicate is False
    engine.handle(reply, reply.ts)
    engine.handle(again, again.ts)
    resent = engine.handle(reply, at(12))  # the agent's reply re-delivered: not an answer
    assert resent.duplicate is True and resent.outputs == []
    assert engine.conversations["c-1"].agent_messages == 1
    assert alerts(engine.advance(at(31))) == [("reply_breach", 30.0, 20.0)]


def test_a_duplicate_customer_message_does_not_restart_a_met_wait() -> None:
    engine = Engine()
    hello = make_event("e-1", CUSTOMER, 0)
    reply = make_event("e-2", AGENT, 5)
    engine.handle(hello, hello.ts)
    engine.handle(reply, reply.ts)
    assert engine.handle(hello, at(6)).duplicate
    assert engine.conversations["c-1"].phase is Phase.IDLE
    assert engine.advance(at(500)) == []


# -- service hours ----------------------------------------------------------------------

# Every day 09:00–18:00 in Shanghai (UTC+8), i.e. 01:00–10:00 UTC.
DAY_SHIFT = SlaConfig(
    service_hours=ServiceHours(
        tuple(ServiceWindow(day, time(9, 0), time(18, 0)) for day in range(7)), "Asia/Shanghai"
    )
)


def utc(hour: int, minute: int = 0, second: float = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) + timedelta(seconds=second)


def test_a_wait_starting_before_opening_is_clamped_to_the_opening() -> None:
    engine = Engine(DAY_SHIFT)
    event = make_event("e-1", CUSTOMER, 0)
    event = Event(**{**_fields(event), "ts": utc(0, 30)})  # 08:30 local
    engine.handle(event, event.ts)
    wait = engine.conversations["c-1"].wait
    assert wait is not None and wait.started_at == utc(1, 0)
    assert alerts(engine.advance(utc(1, 0, 14.999))) == []
    assert alerts_at(engine.advance(utc(2, 0))) == [
        ("greeting_breach", utc(1, 0, 15), 15.0),
        ("escalation", utc(1, 1), 60.0),
    ]


def test_a_deadline_skips_the_closed_night() -> None:
    engine = Engine(DAY_SHIFT)
    event = Event(**{**_fields(make_event("e-1", CUSTOMER, 0)), "ts": utc(9, 59, 50)})
    engine.handle(event, event.ts)  # 17:59:50 local: 10 s of service left today
    assert engine.next_deadline() == utc(10, 0)  # the warning: 10 s of service in, at closing
    night = engine.advance(utc(12, 0))  # 20:00 local: the warning only, no breach
    assert alerts(night) == [] and [t[1] for t in timers(night)] == ["warning"]
    fired = engine.advance(just_after(utc(1, 0, 5, day=24)))
    assert alerts_at(fired) == [("greeting_breach", utc(1, 0, 5, day=24), 15.0)]
    assert engine.conversations["c-1"].wait is not None
    assert engine.conversations["c-1"].wait.escalate_at == utc(1, 0, 50, day=24)


def test_a_wait_during_the_night_does_not_breach_before_morning() -> None:
    engine = Engine(DAY_SHIFT)
    event = Event(**{**_fields(make_event("e-1", CUSTOMER, 0)), "ts": utc(15, 0)})  # 23:00
    engine.handle(event, event.ts)
    assert engine.advance(utc(0, 59, 59, day=24)) == []
    assert alerts_at(engine.advance(just_after(utc(1, 0, 15, day=24)))) == [
        ("greeting_breach", utc(1, 0, 15, day=24), 15.0)
    ]


def test_a_window_ending_at_midnight_runs_to_the_end_of_the_day() -> None:
    hours = ServiceHours((ServiceWindow(0, time(18, 30), time(0, 0)),), "Asia/Shanghai")
    # Monday 23:59:50 local + 15 s of service: only 10 s left Monday, next Monday 18:30.
    start = datetime(2026, 11, 23, 15, 59, 50, tzinfo=UTC)
    assert hours.clamp(start) == start
    assert hours.add(start, 15) == datetime(2026, 11, 30, 10, 30, 5, tzinfo=UTC)
    assert hours.clamp(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) == datetime(
        2026, 11, 23, 10, 30, tzinfo=UTC
    )


def _fields(event: Event) -> dict[str, object]:
    return {name: getattr(event, name) for name in Event.__slots__}  # type: ignore[attr-defined]


def alerts_at(outputs: list[Output]) -> list[tuple[str, datetime, float | None]]:
    return [(o.kind.value, o.at, o.waited_s) for o in outputs if isinstance(o, Alert)]


# -- the engine's clock ---------------------------------------------------------------


def test_next_deadline_is_the_earliest_across_conversations() -> None:
    engine = Engine(SlaConfig(warn_s=0))
    assert engine.next_deadline() is None
    late = make_event("e-1", CUSTOMER, 0, conversation="c-late")
    early = make_event("e-2", CUSTOMER, 3, conversation="c-early")
    engine.handle(late, late.ts)
    assert engine.next_deadline() == at(15)
    engine.handle(make_event("e-3", OPENED, 1, conversation="c-early2"), at(1))
    assert engine.next_deadline() == at(15)
    engine.handle(early, early.ts)
    assert engine.next_deadline() == at(15)
    engine.handle(make_event("e-4", AGENT, 4, conversation="c-late"), at(4))
    assert engine.next_deadline() == at(16)  # c-early2, opened at 1
    assert alerts(engine.advance(just_after(at(16)))) == [("greeting_breach", 16.0, 15.0)]
    assert engine.next_deadline() == at(18)  # c-early


def test_next_deadline_includes_warnings_and_escalations() -> None:
    engine = Engine()
    event = make_event("e-1", CUSTOMER, 0)
    engine.handle(event, event.ts)
    seen = []
    while (due := engine.next_deadline()) is not None:
        seen.append(secs(due))
        engine.advance(just_after(due))
    assert seen == [10.0, 15.0, 60.0]


def test_a_breach_fires_from_advance_with_no_further_event() -> None:
    engine = Engine()
    event = make_event("e-1", CUSTOMER, 0)
    engine.handle(event, event.ts)
    assert alerts(engine.advance(at(14.999))) == []
    assert alerts(engine.advance(at(15))) == []  # due, not yet passed
    assert alerts(engine.advance(at(15.001))) == [("greeting_breach", 15.0, 15.0)]
    assert alerts(engine.advance(at(15.002))) == []
    assert alerts(engine.advance(at(59))) == []
    assert alerts(engine.advance(at(600))) == [("escalation", 60.0, 60.0)]
    assert engine.next_deadline() is None


def test_advance_never_goes_back_in_time() -> None:
    engine = Engine()
    engine.advance(at(100))
    engine.advance(at(50))
    assert engine.clock == at(100)


# -- restart ----------------------------------------------------------------------------


def test_a_restored_conversation_fires_a_missed_deadline_exactly_once() -> None:
    before = Engine()
    event = make_event("e-1", CUSTOMER, 0)
    before.handle(event, event.ts)
    snapshot = before.conversations["c-1"].to_state()

    after = Engine()
    after.restore([("c-1", snapshot)])
    assert after.next_deadline() == at(10)
    fired = after.advance(at(30))
    assert alerts(fired) == [("greeting_breach", 15.0, 15.0)]
    # The warning is dropped: its deadline had passed by the time the engine woke.
    assert [t[1] for t in timers(fired)] == ["breached"]
    assert alerts(after.advance(at(30))) == []
    assert alerts(after.advance(at(100))) == [("escalation", 60.0, 60.0)]
    assert after.advance(at(1000)) == []

    again = Engine()
    again.restore([("c-1", after.conversations["c-1"].to_state())])
    assert again.next_deadline() is None
    assert again.advance(at(2000)) == []


def test_a_snapshot_taken_between_breach_and_escalation_only_escalates() -> None:
    before = Engine()
    event = make_event("e-1", CUSTOMER, 0)
    before.handle(event, event.ts)
    before.advance(at(20))
    after = Engine()
    after.restore([("c-1", before.conversations["c-1"].to_state())])
    assert alerts(after.advance(at(100))) == [("escalation", 60.0, 60.0)]


def test_a_restored_conversation_keeps_agent_history_for_the_next_wait() -> None:
    before = Engine()
    for event in script_events([(0, CUSTOMER, "a-1"), (5, AGENT, "a-1"), (10, CLOSED)]):
        before.handle(event, event.ts)
    after = Engine()
    after.restore([("c-1", before.conversations["c-1"].to_state())])
    after.handle(make_event("e-9", OPENED, 100), at(100))
    assert after.next_deadline() is None
    after.handle(make_event("e-10", CUSTOMER, 110), at(110))
    assert alerts(after.advance(at(200))) == [
        ("reply_breach", 130.0, 20.0),
        ("escalation", 170.0, 60.0),
    ]


def test_a_reply_at_its_deadline_meets_it_whatever_else_happens_at_that_instant() -> None:
    # Another conversation's event with the same ts, handled first, must not fire this
    # conversation's deadline before its reply (at that very instant) is applied.
    for other_first in (True, False):
        engine = Engine()
        outputs: list[Output] = []
        asked = make_event("b-0", CUSTOMER, 0, conversation="c-b")
        other = make_event("a-0", OPENED, 15, conversation="c-a")
        reply = make_event("b-1", AGENT, 15, conversation="c-b")
        for event in [asked, other, reply] if other_first else [asked, reply, other]:
            outputs.extend(engine.handle(event, event.ts).outputs)
        outputs.extend(engine.advance(at(20)))
        got = [(o.kind.value, o.conversation_id) for o in outputs if isinstance(o, Alert)]
        assert got == [], f"other conversation first: {other_first}"
        (record,) = [w for w in waits(outputs) if w.conversation_id == "c-b"]
        assert not record.breached


def test_waking_exactly_at_the_deadline_then_a_reply_at_that_instant_still_meets_it() -> None:
    engine = Engine()
    engine.handle(make_event("e-1", CUSTOMER, 0), at(0))
    fired = engine.advance(at(15))
    reply = make_event("e-2", AGENT, 15)
    fired += engine.handle(reply, reply.ts).outputs
    assert alerts(fired) == []
