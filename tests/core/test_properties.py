"""Properties of the engine over random event logs (hypothesis).

A log is a few conversations' event sequences merged in time order. Whatever way the log
is fed — with extra timer wake-ups, with re-delivered events, in another valid
interleaving — the alerts and the finished waits must be the same.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from assist.core.engine import Engine
from assist.core.events import Event, EventType
from assist.core.outputs import Alert, AlertKind, Output, WaitKind, WaitRecord
from assist.core.sla.hours import SlaConfig
from assist.core.timeutil import format_ts, parse_ts

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)
CONFIG = SlaConfig()
LIMIT = {WaitKind.GREETING: CONFIG.greeting_s, WaitKind.REPLY: CONFIG.reply_s}

TYPES = [
    EventType.CONVERSATION_OPENED,
    EventType.CUSTOMER_MESSAGE,
    EventType.AGENT_MESSAGE,
    EventType.CONVERSATION_TRANSFERRED,
    EventType.CONVERSATION_CLOSED,
    EventType.ORDER_PAID,
]
# Gaps hit the interesting instants (a deadline exactly, a warning, escalation) often.
GAPS_MS = st.one_of(
    st.sampled_from([0, 5_000, 10_000, 15_000, 20_000, 60_000]),
    st.integers(0, 90_000),
)

Log = list[Event]


@st.composite
def conversation_events(draw: st.DrawFn, conversation_id: str) -> list[Event]:
    # Starts on a 5 s grid make cross-conversation ties (equal ts) common.
    start_ms = draw(st.one_of(st.sampled_from([0, 5_000, 10_000]), st.integers(0, 30_000)))
    clock = T0 + start_ms * MS
    events = []
    for number in range(draw(st.integers(1, 12))):
        clock += draw(GAPS_MS) * MS
        kind = draw(st.sampled_from(TYPES))
        agent = draw(st.sampled_from(["a-1", "a-2", None]))
        if kind is EventType.CONVERSATION_TRANSFERRED and agent is None:
            agent = "a-3"
        text = "在吗" if kind in (EventType.CUSTOMER_MESSAGE, EventType.AGENT_MESSAGE) else None
        events.append(
            Event(
                id=f"{conversation_id}-{number}",
                type=kind,
                conversation_id=conversation_id,
                ts=clock,
                agent_id=agent,
                text=text,
                amount=10.0 if kind is EventType.ORDER_PAID else None,
            )
        )
    return events


@st.composite
def per_conversation(draw: st.DrawFn) -> list[list[Event]]:
    count = draw(st.integers(1, 3))
    return [draw(conversation_events(f"c-{n}")) for n in range(count)]


def merge(sequences: list[list[Event]], rng: random.Random) -> Log:
    """A time-ordered merge keeping each conversation's order; ties broken at random."""
    cursors = [0] * len(sequences)
    log: Log = []
    while True:
        heads = [i for i, seq in enumerate(sequences) if cursors[i] < len(seq)]
        if not heads:
            return log
        earliest = min(sequences[i][cursors[i]].ts for i in heads)
        chosen = rng.choice([i for i in heads if sequences[i][cursors[i]].ts == earliest])
        log.append(sequences[chosen][cursors[chosen]])
        cursors[chosen] += 1


@dataclass(frozen=True)
class Result:
    alerts: Counter[tuple[object, ...]]
    waits: Counter[tuple[object, ...]]
    open_waits: list[tuple[str, WaitKind, datetime, bool, bool]]


def summarise(engine: Engine, outputs: list[Output]) -> Result:
    alerts = Counter(
        (o.kind, o.conversation_id, o.agent_id, o.at, o.waited_s)
        for o in outputs
        if isinstance(o, Alert)
    )
    waits = Counter(
        (
            o.conversation_id,
            o.kind,
            o.agent_id,
            o.started_at,
            o.ended_at,
            o.outcome,
            o.breached,
            o.escalated,
            o.answer_id,
        )
        for o in outputs
        if isinstance(o, WaitRecord)
    )
    open_waits = sorted(
        (c.id, c.wait.kind, c.wait.started_at, c.wait.breached, c.wait.escalated)
        for c in engine.conversations.values()
        if c.wait is not None
    )
    return Result(alerts, waits, open_waits)


def end_of(log: Log) -> datetime:
    return max(e.ts for e in log) + timedelta(seconds=120)


def replay(log: Log) -> Result:
    engine = Engine(CONFIG)
    outputs: list[Output] = []
    for event in log:
        outputs.extend(engine.handle(event, event.ts).outputs)
    outputs.extend(engine.advance(end_of(log)))
    return summarise(engine, outputs)


def per_conversation_view(result: Result, conversation_id: str) -> tuple[object, ...]:
    return (
        Counter({k: n for k, n in result.alerts.items() if k[1] == conversation_id}),
        Counter({k: n for k, n in result.waits.items() if k[0] == conversation_id}),
        [w for w in result.open_waits if w[0] == conversation_id],
    )


PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)


@PROPERTY_SETTINGS
@given(per_conversation(), st.randoms(use_true_random=False), st.data())
def test_extra_timer_wakeups_between_events_change_nothing(
    sequences: list[list[Event]], rng: random.Random, data: st.DataObject
) -> None:
    log = merge(sequences, rng)
    expected = replay(log)
    engine = Engine(CONFIG)
    outputs: list[Output] = []
    for index, event in enumerate(log):
        outputs.extend(engine.handle(event, event.ts).outputs)
        nxt = log[index + 1].ts if index + 1 < len(log) else end_of(log)
        gap_ms = (nxt - event.ts) // MS
        # A batch boundary: wake the engine at instants before the next event arrives.
        if gap_ms > 0 and data.draw(st.booleans(), label="boundary"):
            offsets = data.draw(
                st.lists(st.integers(0, gap_ms - 1), max_size=3).map(sorted), label="wakeups"
            )
            for offset in offsets:
                outputs.extend(engine.advance(event.ts + offset * MS))
    outputs.extend(engine.advance(end_of(log)))
    assert summarise(engine, outputs) == expected


@PROPERTY_SETTINGS
@given(per_conversation(), st.randoms(use_true_random=False), st.data())
def test_redelivered_events_change_nothing(
    sequences: list[list[Event]], rng: random.Random, data: st.DataObject
) -> None:
    log = merge(sequences, rng)
    expected = replay(log)
    resent = data.draw(st.lists(st.integers(0, len(log) - 1), max_size=6), label="resent")
    # Each copy goes somewhere after its original; it is handled at the later of its own
    # ts and the ts of the event before it (its receive time).
    feed: list[tuple[Event, bool]] = [(e, False) for e in log]
    for original in resent:
        position = feed.index((log[original], False))
        where = data.draw(st.integers(position + 1, len(feed)), label="where")
        feed.insert(where, (log[original], True))
    engine = Engine(CONFIG)
    outputs: list[Output] = []
    latest = log[0].ts
    for event, is_copy in feed:
        now = max(event.ts, latest)
        result = engine.handle(event, now if is_copy else event.ts)
        assert result.duplicate is is_copy
        if is_copy:
            assert result.outputs == []
        outputs.extend(result.outputs)
        latest = now
    outputs.extend(engine.advance(end_of(log)))
    assert summarise(engine, outputs) == expected


def _event(event_id: str, kind: EventType, conversation_id: str, seconds: int) -> Event:
    text = "在吗" if kind in (EventType.CUSTOMER_MESSAGE, EventType.AGENT_MESSAGE) else None
    ts = T0 + timedelta(seconds=seconds)
    return Event(id=event_id, type=kind, conversation_id=conversation_id, ts=ts, text=text)


# Conversation c-b is answered exactly at its deadline while c-a opens at that instant;
# the two seeds put c-a's event before and after the answer.
TIE_AT_DEADLINE = [
    [_event("a-0", EventType.CONVERSATION_OPENED, "c-a", 15)],
    [
        _event("b-0", EventType.CUSTOMER_MESSAGE, "c-b", 0),
        _event("b-1", EventType.AGENT_MESSAGE, "c-b", 15),
    ],
]


@PROPERTY_SETTINGS
@given(per_conversation(), st.randoms(use_true_random=False), st.randoms(use_true_random=False))
@example(TIE_AT_DEADLINE, random.Random(0), random.Random(1))
def test_every_valid_interleaving_gives_the_same_per_conversation_results(
    sequences: list[list[Event]], first: random.Random, second: random.Random
) -> None:
    one = replay(merge(sequences, first))
    other = replay(merge(sequences, second))
    for sequence in sequences:
        conversation_id = sequence[0].conversation_id
        assert per_conversation_view(one, conversation_id) == per_conversation_view(
            other, conversation_id
        )


@PROPERTY_SETTINGS
@given(per_conversation(), st.randoms(use_true_random=False))
def test_breaches_and_escalations_are_one_per_wait_at_start_plus_limit(
    sequences: list[list[Event]], rng: random.Random
) -> None:
    log = merge(sequences, rng)
    engine = Engine(CONFIG)
    outputs: list[Output] = []
    for event in log:
        outputs.extend(engine.handle(event, event.ts).outputs)
    outputs.extend(engine.advance(end_of(log)))

    waits = [
        (o.conversation_id, o.kind, o.started_at, o.breached, o.escalated)
        for o in outputs
        if isinstance(o, WaitRecord)
    ]
    waits += [
        (c.id, c.wait.kind, c.wait.started_at, c.wait.breached, c.wait.escalated)
        for c in engine.conversations.values()
        if c.wait is not None
    ]
    breach_kind = {
        WaitKind.GREETING: AlertKind.GREETING_BREACH,
        WaitKind.REPLY: AlertKind.REPLY_BREACH,
    }
    expected = Counter(
        (breach_kind[kind], cid, start + timedelta(seconds=LIMIT[kind]), LIMIT[kind])
        for cid, kind, start, breached, _ in waits
        if breached
    )
    expected += Counter(
        (AlertKind.ESCALATION, cid, start + timedelta(seconds=CONFIG.escalate_s), CONFIG.escalate_s)
        for cid, _, start, _, escalated in waits
        if escalated
    )
    got = Counter(
        (o.kind, o.conversation_id, o.at, o.waited_s) for o in outputs if isinstance(o, Alert)
    )
    assert got == expected


OFFSETS = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@settings(max_examples=300)
@given(
    st.datetimes(
        min_value=datetime(2001, 9, 10), max_value=datetime(2999, 12, 31), timezones=OFFSETS
    )
)
def test_format_then_parse_round_trips_at_millisecond_precision(instant: datetime) -> None:
    instant = instant.replace(microsecond=instant.microsecond // 1000 * 1000)
    text = format_ts(instant)
    assert text.endswith("Z") and len(text) == len("2026-11-23T12:00:00.000Z")
    assert parse_ts(text) == instant
    assert parse_ts(text).tzinfo is UTC
    epoch_ms = (instant - datetime(1970, 1, 1, tzinfo=UTC)) // MS
    assert parse_ts(epoch_ms) == instant
    assert parse_ts(instant.isoformat()) == instant
