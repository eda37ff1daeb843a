"""The handover of seeds 000 §四 and 002 ch.1 (交接记录): what the next shift must pick up.

For one agent: the customers still in an open chat, the questions nobody answered yet and
the orders placed but not paid. Built from stored facts, so the page, the API and the
frame sent at a shift's end all say the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from assist.core.qa.followup import settle
from assist.core.qa.rubric import ChatFacts, EventFact, unanswered
from assist.core.timeutil import format_ts

__all__ = ["build_handover", "unpaid"]


def unpaid(events: Iterable[EventFact]) -> list[EventFact]:
    """``order_placed`` events no ``order_paid`` settled (a payment naming no known order
    settles the orders that named none, as the live timer does)."""
    placed: dict[str, EventFact] = {}
    for event in events:
        if event.type == "order_placed":
            placed[event.order_id or event.id] = event
        elif event.type == "order_paid":
            settle(placed, event.order_id, lambda order: order.order_id)
    return list(placed.values())


def _message(event: EventFact) -> dict[str, Any]:
    return {"message_id": event.id, "text": event.text, "at": format_ts(event.ts)}


def build_handover(
    agent_id: str,
    at: datetime,
    open_chats: Iterable[tuple[ChatFacts, str | None]],
    order_chats: Iterable[ChatFacts],
) -> dict[str, Any]:
    """The ``handover`` body for ``agent_id`` at ``at``.

    ``open_chats``: the agent's open conversations with their customer id;
    ``order_chats``: conversations where the agent's customers placed orders lately.
    """
    waiting: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    for chat, customer_id in open_chats:
        pending = unanswered(chat.events)
        last = chat.events[-1].ts if chat.events else None
        waiting.append(
            {
                "conversation_id": chat.conversation_id,
                "customer_id": customer_id,
                "last_activity": format_ts(last) if last else None,
                "unanswered": len(pending),
            }
        )
        questions.extend({"conversation_id": chat.conversation_id, **_message(m)} for m in pending)
    orders = [
        {
            "conversation_id": chat.conversation_id,
            "order_id": order.order_id,
            "placed_at": format_ts(order.ts),
            "amount": order.amount,
        }
        for chat in order_chats
        for order in unpaid(chat.events)
    ]
    return {
        "agent_id": agent_id,
        "at": format_ts(at),
        "waiting_customers": waiting,
        "unpaid_orders": orders,
        "unanswered_questions": questions,
    }
