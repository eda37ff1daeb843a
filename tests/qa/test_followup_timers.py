"""Unpaid orders, shift ends and complaints in the engine, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assist.assembly import load_suggester
from assist.core.engine import Engine
from assist.core.events import Event, EventType
from assist.core.outputs import Alert, AlertKind, ConversationSnapshot, Output, ShiftEnd
from assist.core.qa.followup import FollowUpConfig
from assist.core.qa.rules import ShiftRule, ShiftRules
from assist.core.qa.shifts import ShiftSchedule
from assist.settings import Settings

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai, a Monday
TICK = timedelta(milliseconds=1)

ROTA = ShiftRules(
    recheck_s=300,
    shifts=[
        ShiftRule(
            name="day", label="白班", start="08:00", end="17:00", agents=["d-1", "d-2"], duty="d-2"
        ),
        ShiftRule(
            name="night",
            label="晚班",
            start="17:00",
            end="01:00",
            agents=["n-1"],
            extends_while_chatting=True,
        ),
    ],
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def event(
    event_id: str, kind: EventType, second: float, conversation: str = "c-1", **fields: object
) -> Event:
    return Event(id=event_id, type=kind, conversation_id=conversation, ts=at(second), **fields)  # type: ignore[arg-type]


def engine(after_s: float = 600) -> Engine:
    config = FollowUpConfig(after_s, ("亲，宝贝还没付款哦～",), ShiftSchedule(ROTA))
    return Engine(followup=config, shifts=config.schedule)


def alerts(outputs: list[Output], kind: AlertKind) -> list[Alert]:
    return [o for o in outputs if isinstance(o, Alert) and o.kind is kind]


def test_an_order_not_paid_in_time_reminds_the_serving_agent_with_the_canned_reply() -> None:
    core = engine()
    core.handle(event("e1", EventType.AGENT_MESSAGE, 0, agent_id="a-7", text="亲，在的"), at(0))
    core.handle(event("e2", EventType.ORDER_PLACED, 10, order_id="o-1", amount=99.0), at(10))
    assert core.next_deadline() == at(610)
    assert alerts(core.advance(at(610)), AlertKind.UNPAID_ORDER) == []  # due, not yet passed
    (alert,) = alerts(core.advance(at(610) + TICK), AlertKind.UNPAID_ORDER)
    assert (alert.agent_id, alert.at, alert.message_id) == ("a-7", at(610), "o-1")
    frame = alert.to_frame()
    assert frame["replies"] == ["亲，宝贝还没付款哦～"] and frame["duty"] is False
    assert frame["order_id"] == "o-1" and frame["amount"] == 99.0
    assert alerts(core.advance(at(5000)), AlertKind.UNPAID_ORDER) == []  # raised once


def test_a_payment_before_the_deadline_cancels_the_reminder() -> None:
    core = engine()
    core.handle(event("e1", EventType.ORDER_PLACED, 0, agent_id="a-7", order_id="o-1"), at(0))
    core.handle(event("e2", EventType.ORDER_PLACED, 1, agent_id="a-7", order_id="o-2"), at(1))
    core.handle(event("e3", EventType.ORDER_PAID, 300, order_id="o-1", amount=5.0), at(300))
    fired = alerts(core.advance(at(2000)), AlertKind.UNPAID_ORDER)
    assert [a.message_id for a in fired] == ["o-2"]


def test_an_order_without_an_agent_goes_to_the_duty_agent_of_the_shift() -> None:
    core = engine()
    core.handle(event("e1", EventType.ORDER_PLACED, 0, order_id="o-9"), at(0))
    (alert,) = alerts(core.advance(at(700)), AlertKind.UNPAID_ORDER)
    assert alert.agent_id == "d-2" and alert.to_frame()["duty"] is True


def test_a_transfer_moves_the_follow_up_to_the_new_agent() -> None:
    core = engine()
    core.handle(event("e1", EventType.ORDER_PLACED, 0, agent_id="a-1", order_id="o-1"), at(0))
    core.handle(event("e2", EventType.CONVERSATION_TRANSFERRED, 5, agent_id="a-2"), at(5))
    (alert,) = alerts(core.advance(at(700)), AlertKind.UNPAID_ORDER)
    assert alert.agent_id == "a-2"


def test_a_pending_order_survives_a_restart_and_fires_once() -> None:
    first = engine()
    outputs = first.handle(
        event("e1", EventType.ORDER_PLACED, 0, agent_id="a-1", order_id="o-1"), at(0)
    ).outputs
    (snapshot,) = [o for o in outputs if isinstance(o, ConversationSnapshot)]
    second = engine()
    second.restore([("c-1", snapshot.state)])
    fired = second.advance(at(3600))
    assert [a.message_id for a in alerts(fired, AlertKind.UNPAID_ORDER)] == ["o-1"]
    (after,) = [o for o in fired if isinstance(o, ConversationSnapshot)]
    third = engine()
    third.restore([("c-1", after.state)])
    assert alerts(third.advance(at(7200)), AlertKind.UNPAID_ORDER) == []


def test_the_day_shift_end_hands_over_to_the_night_shift() -> None:
    core = engine()
    core.handle(event("e1", EventType.CUSTOMER_MESSAGE, 0, agent_id="d-1", text="在吗"), at(0))
    end = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 17:00 local
    assert core.next_deadline() is not None
    ends = [o for o in core.advance(end + TICK) if isinstance(o, ShiftEnd)]
    assert ends == [ShiftEnd("day", "白班", end, ("d-1", "d-2"), ("n-1",))]


def test_the_night_shift_runs_on_while_a_customer_is_still_chatting() -> None:
    core = engine()
    night_end = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 01:00 local, Tuesday
    core.advance(night_end - timedelta(hours=1))
    chat_at = (night_end - timedelta(minutes=1) - T0).total_seconds()
    core.handle(
        event("e1", EventType.CUSTOMER_MESSAGE, chat_at, agent_id="n-1", text="还在吗"), at(chat_at)
    )
    assert [o for o in core.advance(night_end + TICK) if isinstance(o, ShiftEnd)] == []
    core.handle(event("e2", EventType.CONVERSATION_CLOSED, chat_at + 120), at(chat_at + 120))
    recheck = night_end + timedelta(seconds=300)
    (end,) = [o for o in core.advance(recheck + TICK) if isinstance(o, ShiftEnd)]
    assert (end.shift, end.at, end.agents, end.next_agents) == (
        "night",
        recheck,
        ("n-1",),
        ("d-1", "d-2"),
    )


def test_the_duty_agent_is_none_outside_every_shift() -> None:
    schedule = ShiftSchedule(ROTA)
    assert schedule.duty_agent(datetime(2026, 11, 23, 20, 0, tzinfo=UTC)) is None  # 04:00 local
    assert schedule.duty_agent(datetime(2026, 11, 23, 12, 0, tzinfo=UTC)) == "n-1"  # 20:00


def test_a_complaint_event_raises_a_complaint_alert_for_supervisors() -> None:
    core = Engine()
    core.handle(event("e1", EventType.CUSTOMER_MESSAGE, 0, agent_id="a-3", text="在吗"), at(0))
    outputs = core.handle(event("e2", EventType.COMPLAINT, 5, text="态度太差"), at(5)).outputs
    (alert,) = alerts(outputs, AlertKind.COMPLAINT)
    assert alert.agent_id == "a-3" and alert.to_frame()["source"] == "event"


def test_a_customer_message_classified_as_complaint_raises_a_complaint_alert() -> None:
    suggester = load_suggester(Settings())
    core = Engine(suggester=suggester)
    text = "你们客服态度太差了，我要投诉"
    assert suggester.suggest(text).intent == "complaint"
    outputs = core.handle(
        event("e1", EventType.CUSTOMER_MESSAGE, 0, agent_id="a-3", text=text), at(0)
    ).outputs
    (alert,) = alerts(outputs, AlertKind.COMPLAINT)
    assert alert.message_id == "e1" and alert.to_frame()["text"] == text
    calm = core.handle(
        event("e2", EventType.CUSTOMER_MESSAGE, 1, text="这款有L码吗"), at(1)
    ).outputs
    assert alerts(calm, AlertKind.COMPLAINT) == []


def test_a_conversation_with_an_unpaid_order_stays_in_memory_until_the_reminder() -> None:
    core = engine(after_s=7200)
    core.handle(event("e1", EventType.ORDER_PLACED, 0, agent_id="a-1", order_id="o-1"), at(0))
    core.handle(event("e2", EventType.CONVERSATION_CLOSED, 1), at(1))
    assert core.evict(closed_before=at(3600), idle_before=at(3600)) == []
    fired = core.advance(at(7300))
    assert [a.message_id for a in alerts(fired, AlertKind.UNPAID_ORDER)] == ["o-1"]
    (snapshot,) = [o for o in fired if isinstance(o, ConversationSnapshot)]
    assert snapshot.state["unpaid_orders"] == []
    assert core.evict(closed_before=at(7300), idle_before=at(7300)) == ["c-1"]
