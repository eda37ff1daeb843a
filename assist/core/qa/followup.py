"""Unpaid orders (seed 002 ch.2: 拍下后未付款，谁的顾客谁跟进) and complaint alerts.

An ``order_placed`` starts a timer like the SLA waits do; an ``order_paid`` for it stops
the timer; when ``unpaid_after_s`` pass first, one ``unpaid_order`` alert goes out —
routed to the serving agent's panel (with the canned follow-up reply to send) and to the
supervisors. An order nobody served (自动拍下) goes to the duty agent of the shift.

The pending orders are per conversation and travel inside the conversation's stored
state, so a restart neither loses nor repeats a reminder; a deadline missed while the
service was down fires at start-up, like a missed SLA deadline; a conversation with an
order awaiting payment is not evicted from memory before its reminder.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from assist.core.events import Event, EventType
from assist.core.outputs import Alert, AlertKind, Suggestion
from assist.core.qa.shifts import ShiftSchedule
from assist.core.timeutil import format_ts, from_micros, to_micros

__all__ = [
    "COMPLAINT_INTENT",
    "STATE_KEY",
    "FollowUpConfig",
    "PendingOrder",
    "UnpaidOrders",
    "complaint_alert",
    "complaint_event_alert",
    "settle",
]

OrderT = TypeVar("OrderT")
COMPLAINT_INTENT = "complaint"
STATE_KEY = "unpaid_orders"


def settle(
    placed: dict[str, OrderT], paid_id: str | None, order_id: Callable[[OrderT], str | None]
) -> None:
    """Remove from ``placed`` (key → order) what a payment naming ``paid_id`` settles:
    that order; or, when it names no known order, the orders that named none (and,
    naming nothing at all, every order of the conversation)."""
    if paid_id is not None and paid_id in placed:
        del placed[paid_id]
        return
    for key in [k for k, order in placed.items() if order_id(order) is None or not paid_id]:
        del placed[key]


@dataclass(frozen=True, slots=True)
class FollowUpConfig:
    """How long an order may stay unpaid, what to send then, and whose duty it is."""

    unpaid_after_s: float = 1800.0
    replies: tuple[str, ...] = ()
    schedule: ShiftSchedule | None = None


@dataclass(frozen=True, slots=True)
class PendingOrder:
    key: str
    order_id: str | None
    placed_at: datetime
    due: datetime
    agent_id: str | None
    amount: float | None = None

    def to_state(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "order_id": self.order_id,
            "placed_at": to_micros(self.placed_at),
            "due": to_micros(self.due),
            "agent_id": self.agent_id,
            "amount": self.amount,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PendingOrder:
        return cls(
            key=str(state["key"]),
            order_id=state.get("order_id"),
            placed_at=from_micros(int(state["placed_at"])),
            due=from_micros(int(state["due"])),
            agent_id=state.get("agent_id"),
            amount=state.get("amount"),
        )


@dataclass(slots=True)
class UnpaidOrders:
    """Every order placed and not yet paid, with one deadline heap across conversations."""

    config: FollowUpConfig = field(default_factory=FollowUpConfig)
    pending: dict[str, dict[str, PendingOrder]] = field(default_factory=dict)
    _heap: list[tuple[datetime, str, str]] = field(default_factory=list)

    def apply(self, event: Event, agent_id: str | None) -> None:
        """Note an order placed or paid in ``event.conversation_id``."""
        orders = self.pending.setdefault(event.conversation_id, {})
        if event.type is EventType.ORDER_PLACED:
            key = event.order_id or event.id
            due = event.ts + timedelta(seconds=self.config.unpaid_after_s)
            orders[key] = PendingOrder(key, event.order_id, event.ts, due, agent_id, event.amount)
            heapq.heappush(self._heap, (due, event.conversation_id, key))
        elif event.type is EventType.ORDER_PAID:
            settle(orders, event.order_id, lambda order: order.order_id)
        if not orders:
            del self.pending[event.conversation_id]

    def next_due(self) -> datetime | None:
        while self._heap:
            due, conversation_id, key = self._heap[0]
            order = self.pending.get(conversation_id, {}).get(key)
            if order is not None and order.due == due:
                return due
            heapq.heappop(self._heap)
        return None

    def peek(self) -> str | None:
        """The conversation whose order is due next (call after :meth:`next_due`)."""
        return self._heap[0][1] if self._heap else None

    def fire(self, due: datetime, current_agent: str | None) -> Alert | None:
        """Raise the reminder for the order due at ``due`` (the heap's top) and drop it.

        ``current_agent`` is the conversation's agent now (a transfer moves the follow-up
        to whoever serves the customer); without one, the agent who served when the
        order was placed; without that either, the duty agent of the shift.
        """
        _, conversation_id, key = heapq.heappop(self._heap)
        orders = self.pending.get(conversation_id, {})
        order = orders.pop(key, None)
        if not orders:
            self.pending.pop(conversation_id, None)
        if order is None:
            return None
        agent = current_agent or order.agent_id
        duty = False
        if agent is None and self.config.schedule is not None:
            agent = self.config.schedule.duty_agent(due)
            duty = agent is not None
        detail: dict[str, Any] = {
            "order_id": order.order_id,
            "placed_at": format_ts(order.placed_at),
            "duty": duty,
            "replies": list(self.config.replies),
        }
        if order.amount is not None:
            detail["amount"] = order.amount
        return Alert(
            AlertKind.UNPAID_ORDER,
            conversation_id,
            agent,
            due,
            waited_s=float(self.config.unpaid_after_s),
            message_id=order.order_id or order.key,
            detail=detail,
        )

    def state_of(self, conversation_id: str) -> list[dict[str, Any]]:
        return [order.to_state() for order in self.pending.get(conversation_id, {}).values()]

    def restore(self, conversation_id: str, states: Iterable[dict[str, Any]]) -> None:
        for state in states:
            order = PendingOrder.from_state(state)
            self.pending.setdefault(conversation_id, {})[order.key] = order
            heapq.heappush(self._heap, (order.due, conversation_id, order.key))


def complaint_alert(suggestion: Suggestion, text: str, at: datetime) -> Alert | None:
    """A customer message the suggester classified as a complaint → an alert to the
    supervisors (seed 003: an upset customer goes to the supervisor).

    One small function so the inline path (the engine) and the worker path (suggestions
    computed off the event loop) raise exactly the same alert.
    """
    if suggestion.result.intent != COMPLAINT_INTENT:
        return None
    return Alert(
        AlertKind.COMPLAINT,
        suggestion.conversation_id,
        suggestion.agent_id,
        at,
        message_id=suggestion.message_id,
        detail={"source": "message", "text": text},
    )


def complaint_event_alert(event: Event, agent_id: str | None) -> Alert:
    """A ``complaint`` event (the platform's complaint record) → an alert to supervisors."""
    return Alert(
        AlertKind.COMPLAINT,
        event.conversation_id,
        agent_id,
        event.ts,
        message_id=event.id,
        detail={"source": "event", "text": event.text or ""},
    )
