"""Per-agent statistics as SQL over the stored events, waits, alerts and findings.

These are DESIGN.md's "Metric definitions"; live (``/api/agents/stats``) and offline
(``assist replay``) both call :func:`agent_stats`, so the two cannot drift apart.
Time ranges are half-open, ``[start, end)``, on each record's own time: event ``ts``,
wait end, alert time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from assist.store.tables import AlertRow, EventRow, FindingRow, WaitRow

__all__ = ["STAT_KEYS", "agent_stats", "percentile"]

STAT_KEYS: tuple[str, ...] = (
    "agent_id",
    "conversations",
    "first_response_avg_s",
    "response_avg_s",
    "response_p90_s",
    "reply_rate",
    "greeting_breaches",
    "reply_breaches",
    "escalations",
    "negative_flags",
    "orders",
    "sales",
    "avg_order_value",
    "conversion_rate",
    "answer_ratio",
    "chars_per_min",
    "missing_greetings",
    "missing_closings",
    "impolite_flags",
    "in_time_rate",
)

# Lint rules counted per agent, and the STAT_KEYS they are counted under.
_FINDING_KEYS = {
    "negative_phrase": "negative_flags",
    "missing_greeting": "missing_greetings",
    "missing_closing": "missing_closings",
    "impolite": "impolite_flags",
}


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear-interpolated percentile (numpy's default), of a non-empty sequence."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _in_range(
    column: Any, start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _ratio(numerator: float, denominator: float, digits: int = 4) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


async def agent_stats(
    database: AsyncEngine,
    start: datetime | None = None,
    end: datetime | None = None,
    agent_id: str | None = None,
) -> list[dict[str, Any]]:
    """One dict per agent (keys :data:`STAT_KEYS`), sorted by agent id."""
    ev = EventRow
    other = aliased(EventRow)
    event_range = _in_range(ev.ts, start, end)
    only_agent = [ev.agent_id == agent_id] if agent_id is not None else []
    customer = and_(ev.type == "customer_message", *event_range, *only_agent)

    def conversations_with(kind: str) -> Any:
        followed = exists().where(
            other.conversation_id == ev.conversation_id,
            other.type == kind,
            other.agent_id == ev.agent_id,
            *_in_range(other.ts, start, end),
        )
        return (
            select(ev.agent_id, func.count(func.distinct(ev.conversation_id)))
            .where(customer, followed)
            .group_by(ev.agent_id)
        )

    typed = ev.typing_s > 0
    queries: dict[str, Any] = {
        "customer": select(ev.agent_id, func.count(func.distinct(ev.conversation_id)), func.count())
        .where(customer)
        .group_by(ev.agent_id),
        "agent": select(
            ev.agent_id,
            func.count(),
            func.sum(case((typed, func.length(ev.text)), else_=0)),
            func.sum(case((typed, ev.typing_s), else_=0.0)),
        )
        .where(ev.type == "agent_message", *event_range, *only_agent)
        .group_by(ev.agent_id),
        "replied": conversations_with("agent_message"),
        "converted": conversations_with("order_paid"),
        "orders": select(ev.agent_id, func.count(), func.sum(ev.amount))
        .where(ev.type == "order_paid", *event_range, *only_agent)
        .group_by(ev.agent_id),
        "waits": select(
            WaitRow.agent_id, WaitRow.kind, WaitRow.waited_s, WaitRow.outcome, WaitRow.breached
        ).where(
            *_in_range(WaitRow.ended_at, start, end),
            *([WaitRow.agent_id == agent_id] if agent_id is not None else []),
        ),
        "alerts": select(AlertRow.agent_id, AlertRow.kind, func.count())
        .where(
            *_in_range(AlertRow.at, start, end),
            *([AlertRow.agent_id == agent_id] if agent_id is not None else []),
        )
        .group_by(AlertRow.agent_id, AlertRow.kind),
        "flags": select(FindingRow.agent_id, FindingRow.rule, func.count())
        .where(
            FindingRow.rule.in_(_FINDING_KEYS),
            *_in_range(FindingRow.at, start, end),
            *([FindingRow.agent_id == agent_id] if agent_id is not None else []),
        )
        .group_by(FindingRow.agent_id, FindingRow.rule),
    }
    async with database.connect() as connection:
        rows = {name: (await connection.execute(q)).all() for name, q in queries.items()}

    agents: set[str] = {r[0] for result in rows.values() for r in result if r[0] is not None}
    customer_rows = {r[0]: r for r in rows["customer"]}
    agent_rows = {r[0]: r for r in rows["agent"]}
    replied = {r[0]: r[1] for r in rows["replied"]}
    converted = {r[0]: r[1] for r in rows["converted"]}
    orders = {r[0]: r for r in rows["orders"]}
    flags: dict[str, dict[str, int]] = defaultdict(dict)
    for agent, rule, count in rows["flags"]:
        flags[agent][_FINDING_KEYS[rule]] = count
    alerts: dict[str, dict[str, int]] = defaultdict(dict)
    for agent, kind, count in rows["alerts"]:
        alerts[agent][kind] = count
    greeting_waits: dict[str, list[float]] = defaultdict(list)
    all_waits: dict[str, list[float]] = defaultdict(list)
    # "Met in time" counts answered waits that never breached, out of the waits with a
    # verdict: every answered one and every one the close ended after its deadline (a
    # chat closed before the deadline with no answer says nothing about the agent).
    judged: dict[str, list[bool]] = defaultdict(list)
    for agent, kind, waited, outcome, breached in rows["waits"]:
        if outcome == "answered":
            all_waits[agent].append(waited)
            if kind == "greeting":
                greeting_waits[agent].append(waited)
            judged[agent].append(not breached)
        elif breached:
            judged[agent].append(False)

    result: list[dict[str, Any]] = []
    for agent in sorted(agents):
        conversations = customer_rows[agent][1] if agent in customer_rows else 0
        customer_messages = customer_rows[agent][2] if agent in customer_rows else 0
        agent_messages, chars, typing_s = (
            agent_rows[agent][1:] if agent in agent_rows else (0, 0, 0.0)
        )
        order_count, sales = orders[agent][1:] if agent in orders else (0, 0.0)
        sales = round(float(sales or 0.0), 2)
        waits = all_waits.get(agent, [])
        result.append(
            {
                "agent_id": agent,
                "conversations": conversations,
                "first_response_avg_s": _mean(greeting_waits.get(agent, [])),
                "response_avg_s": _mean(waits),
                "response_p90_s": round(percentile(waits, 0.9), 3) if waits else None,
                "reply_rate": _ratio(replied.get(agent, 0), conversations),
                "greeting_breaches": alerts[agent].get("greeting_breach", 0),
                "reply_breaches": alerts[agent].get("reply_breach", 0),
                "escalations": alerts[agent].get("escalation", 0),
                "negative_flags": flags[agent].get("negative_flags", 0),
                "orders": order_count,
                "sales": sales,
                "avg_order_value": _ratio(sales, order_count, 2),
                "conversion_rate": _ratio(converted.get(agent, 0), conversations),
                "answer_ratio": _ratio(agent_messages, customer_messages),
                "chars_per_min": _ratio(float(chars or 0) * 60, float(typing_s or 0.0), 1),
                "missing_greetings": flags[agent].get("missing_greetings", 0),
                "missing_closings": flags[agent].get("missing_closings", 0),
                "impolite_flags": flags[agent].get("impolite_flags", 0),
                "in_time_rate": _ratio(sum(judged[agent]), len(judged[agent])),
            }
        )
    return result
