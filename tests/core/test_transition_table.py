"""The SLA phase table is the whole story: every phase meets every event type in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assist.core.events import Event, EventType
from assist.core.outputs import TimerState, TimerUpdate
from assist.core.sla.conversation import TRANSITIONS, Conversation, Phase
from assist.core.sla.hours import SlaConfig

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _event(kind: EventType, seconds: float = 0, **fields: object) -> Event:
    values: dict[str, object] = {
        "id": f"{kind.value}-{seconds}",
        "type": kind,
        "conversation_id": "c-1",
        "ts": T0 + timedelta(seconds=seconds),
        "agent_id": "a-1",
    }
    if kind in (EventType.CUSTOMER_MESSAGE, EventType.AGENT_MESSAGE):
        values["text"] = "你好"
    values.update(fields)
    return Event(**values)  # type: ignore[arg-type]


def test_every_phase_has_an_action_for_every_event_type() -> None:
    missing = [(p, e) for p in Phase for e in EventType if (p, e) not in TRANSITIONS]
    assert missing == []


def test_typing_time_is_measured_by_the_table_and_reset_by_the_message() -> None:
    conversation = Conversation("c-1")
    config = SlaConfig()
    conversation.apply(_event(EventType.CUSTOMER_MESSAGE, 0), config)
    conversation.apply(_event(EventType.AGENT_TYPING, 2), config)
    conversation.apply(_event(EventType.AGENT_TYPING, 3), config)
    applied = conversation.apply(_event(EventType.AGENT_MESSAGE, 6), config)
    assert applied.typing_s == 4.0
    assert conversation.typing_since is None and conversation.agent_spoken
    assert conversation.phase is Phase.IDLE


def test_outreach_before_the_customer_counts_as_the_greeting() -> None:
    conversation = Conversation("c-1")
    config = SlaConfig()
    conversation.apply(_event(EventType.AGENT_MESSAGE, 0), config)
    applied = conversation.apply(_event(EventType.CUSTOMER_MESSAGE, 5), config)
    (frame,) = applied.outputs
    assert isinstance(frame, TimerUpdate) and frame.kind.value == "reply"


def test_a_transfer_keeps_the_wait_running_for_the_new_agent() -> None:
    conversation = Conversation("c-1")
    config = SlaConfig()
    conversation.apply(_event(EventType.CUSTOMER_MESSAGE, 0), config)
    started = conversation.wait
    applied = conversation.apply(
        _event(EventType.CONVERSATION_TRANSFERRED, 3, agent_id="a-2"), config
    )
    assert applied.outputs == [] and conversation.wait is started
    assert conversation.agent_id == "a-2" and conversation.phase is Phase.AWAITING_GREETING


def test_a_reply_after_the_deadline_is_met_but_marked_late() -> None:
    conversation = Conversation("c-1")
    config = SlaConfig()
    conversation.apply(_event(EventType.CUSTOMER_MESSAGE, 0), config)
    conversation.due_timers(T0 + timedelta(seconds=16), config, now=T0 + timedelta(seconds=16))
    applied = conversation.apply(_event(EventType.AGENT_MESSAGE, 17), config)
    met = applied.outputs[0]
    assert isinstance(met, TimerUpdate) and met.state is TimerState.MET
    assert met.to_frame()["late"] is True
