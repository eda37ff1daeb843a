"""QA, KPI and handover questions asked of the store.

The rubric, the month's arithmetic, the KPI model and the handover are pure functions
in :mod:`assist.core.qa`; this module only fetches the facts they need. The live API and
``assist replay --qa`` both call these functions on their own store, so the two agree on
the same events by construction (as the per-agent stats do).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from assist.core.qa.handover import build_handover
from assist.core.qa.kpi import score_agents
from assist.core.qa.rubric import ChatFacts, EventFact, FindingFact, WaitFact, score
from assist.core.qa.rules import KpiRules, QaRules
from assist.core.qa.scoring import local_day, month_bounds, period_report, sample_ids
from assist.store.stats import agent_stats
from assist.store.tables import ConversationRow, EventRow, FindingRow, WaitRow

__all__ = [
    "complaint_counts",
    "conversation_qa",
    "handover_for",
    "kpi_report",
    "month_scores",
    "range_scores",
]

_CHUNK = 500


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


async def _facts(
    connection: AsyncConnection,
    heads: dict[str, tuple[str | None, datetime | None]],
) -> list[ChatFacts]:
    """The rubric's facts for conversations ``heads`` (id → agent, closed at)."""
    events: dict[str, list[EventFact]] = defaultdict(list)
    findings: dict[str, list[FindingFact]] = defaultdict(list)
    waits: dict[str, list[WaitFact]] = defaultdict(list)
    ids = sorted(heads)
    for chunk in _chunks(ids):
        # Order ids live in the payload; only order events need it (decoding every
        # payload's JSON would dominate a month's scoring).
        order_ids = {
            row.id: row.payload.get("order_id")
            for row in await connection.execute(
                select(EventRow.id, EventRow.payload).where(
                    EventRow.conversation_id.in_(chunk),
                    EventRow.type.in_(("order_placed", "order_paid")),
                )
            )
        }
        for row in await connection.execute(
            select(
                EventRow.conversation_id,
                EventRow.id,
                EventRow.type,
                EventRow.ts,
                EventRow.agent_id,
                EventRow.text,
                EventRow.amount,
            )
            .where(EventRow.conversation_id.in_(chunk))
            .order_by(EventRow.ts, EventRow.id)
        ):
            events[row.conversation_id].append(
                EventFact(
                    row.id,
                    row.type,
                    row.ts,
                    row.agent_id,
                    row.text,
                    order_ids.get(row.id),
                    row.amount,
                )
            )
        for finding in await connection.execute(
            select(
                FindingRow.conversation_id,
                FindingRow.message_id,
                FindingRow.rule,
                FindingRow.phrase,
            )
            .where(FindingRow.conversation_id.in_(chunk))
            .order_by(FindingRow.at, FindingRow.message_id, FindingRow.start)
        ):
            findings[finding.conversation_id].append(
                FindingFact(finding.message_id, finding.rule, finding.phrase)
            )
        for wait in await connection.execute(
            select(
                WaitRow.conversation_id,
                WaitRow.kind,
                WaitRow.started_at,
                WaitRow.waited_s,
                WaitRow.breached,
                WaitRow.answer_id,
            )
            .where(WaitRow.conversation_id.in_(chunk))
            .order_by(WaitRow.started_at)
        ):
            waits[wait.conversation_id].append(
                WaitFact(wait.kind, wait.started_at, wait.waited_s, wait.breached, wait.answer_id)
            )
    return [
        ChatFacts(
            cid,
            heads[cid][0],
            heads[cid][1],
            tuple(events[cid]),
            tuple(findings[cid]),
            tuple(waits[cid]),
        )
        for cid in ids
    ]


async def _closed_heads(
    connection: AsyncConnection,
    start: datetime | None,
    end: datetime | None,
    conversation_id: str | None = None,
) -> dict[str, tuple[str | None, datetime | None]]:
    """Closed conversations whose (last) close lies in ``[start, end)``."""
    closed_at = func.max(EventRow.ts).label("closed_at")
    query = (
        select(EventRow.conversation_id, closed_at)
        .where(EventRow.type == "conversation_closed")
        .group_by(EventRow.conversation_id)
    )
    if conversation_id is not None:
        query = query.where(EventRow.conversation_id == conversation_id)
    if start is not None:
        query = query.having(func.max(EventRow.ts) >= start)
    if end is not None:
        query = query.having(func.max(EventRow.ts) < end)
    closes = {row.conversation_id: row.closed_at for row in await connection.execute(query)}
    heads: dict[str, tuple[str | None, datetime | None]] = {}
    ids = sorted(closes)
    for chunk in _chunks(ids):
        for row in await connection.execute(
            select(ConversationRow.id, ConversationRow.agent_id).where(
                ConversationRow.id.in_(chunk), ConversationRow.is_open.is_(False)
            )
        ):
            heads[row.id] = (row.agent_id, closes[row.id])
    return heads


async def conversation_qa(
    database: AsyncEngine, rules: QaRules, conversation_id: str
) -> dict[str, Any] | None:
    """The rubric's verdict on one closed conversation (``None``: unknown or still open)."""
    async with database.connect() as connection:
        heads = await _closed_heads(connection, None, None, conversation_id)
        facts = await _facts(connection, heads)
    return score(facts[0], rules).to_dict() if facts else None


async def complaint_counts(
    database: AsyncEngine, start: datetime | None, end: datetime | None
) -> dict[str, int]:
    """``complaint`` events per agent in ``[start, end)``."""
    query = (
        select(EventRow.agent_id, func.count())
        .where(EventRow.type == "complaint", EventRow.agent_id.is_not(None))
        .group_by(EventRow.agent_id)
    )
    if start is not None:
        query = query.where(EventRow.ts >= start)
    if end is not None:
        query = query.where(EventRow.ts < end)
    async with database.connect() as connection:
        return {str(row[0]): int(row[1]) for row in await connection.execute(query)}


async def range_scores(
    database: AsyncEngine,
    rules: QaRules,
    timezone: str,
    start: datetime | None,
    end: datetime | None,
) -> list[dict[str, Any]]:
    """Per agent: sampled days, points and band for chats closed in ``[start, end)``.

    The day's sample is drawn from the closed chats' ids first, so only the sampled
    chats' events are read (a month of a busy shop has far more chats than samples).
    """
    async with database.connect() as connection:
        heads = await _closed_heads(connection, start, end)
        days: dict[tuple[str, date], list[str]] = defaultdict(list)
        for cid, (agent, closed_at) in heads.items():
            if agent is not None and closed_at is not None:
                days[(agent, local_day(closed_at, timezone))].append(cid)
        chosen = {
            cid for (agent, day), ids in days.items() for cid in sample_ids(ids, agent, day, rules)
        }
        facts = await _facts(connection, {cid: heads[cid] for cid in chosen})
    complaints = await complaint_counts(database, start, end)
    return period_report((score(f, rules) for f in facts), rules, timezone, complaints)


async def month_scores(
    database: AsyncEngine, rules: QaRules, timezone: str, month: str
) -> dict[str, Any]:
    """``{"month", "agents": [...]}`` for ``YYYY-MM`` (local days); ``ValueError`` for a
    malformed month."""
    start, end = month_bounds(month, timezone)
    return {"month": month, "agents": await range_scores(database, rules, timezone, start, end)}


async def kpi_report(
    database: AsyncEngine,
    qa_rules: QaRules,
    kpi_rules: KpiRules,
    timezone: str,
    start: datetime | None,
    end: datetime | None,
) -> list[dict[str, Any]]:
    """The composite KPI per agent over ``[start, end)``: the per-agent stats plus the
    QA figures (days lost, failure rate, complaints) scored by ``kpi.yaml``."""
    values: dict[str, dict[str, Any]] = {
        row["agent_id"]: dict(row) for row in await agent_stats(database, start, end)
    }
    for row in await range_scores(database, qa_rules, timezone, start, end):
        entry = values.setdefault(row["agent_id"], {"agent_id": row["agent_id"]})
        entry["qa_days_lost"] = row["days_lost"]
        entry["qa_failure_rate"] = row["failure_rate"]
        entry["complaints"] = row["complaints"]["count"]
    for entry in values.values():
        entry.setdefault("qa_days_lost", 0)
        entry.setdefault("qa_failure_rate", None)
        entry.setdefault("complaints", 0)
    return score_agents(values, kpi_rules)


async def handover_for(
    database: AsyncEngine, agent_id: str, now: datetime, orders_within_s: float = 3 * 86400
) -> dict[str, Any]:
    """The handover of ``agent_id`` at ``now``: open chats, unanswered questions and the
    orders placed (within ``orders_within_s``) but not paid in the agent's chats."""
    since = now - timedelta(seconds=orders_within_s)
    async with database.connect() as connection:
        open_rows = (
            await connection.execute(
                select(ConversationRow.id, ConversationRow.customer_id).where(
                    ConversationRow.is_open.is_(True), ConversationRow.agent_id == agent_id
                )
            )
        ).all()
        customers = {row.id: row.customer_id for row in open_rows}
        order_ids = {
            row[0]
            for row in await connection.execute(
                select(EventRow.conversation_id).where(
                    EventRow.type == "order_placed",
                    EventRow.agent_id == agent_id,
                    EventRow.ts >= since,
                    EventRow.ts < now + timedelta(seconds=1),
                )
            )
        }
        heads: dict[str, tuple[str | None, datetime | None]] = dict.fromkeys(
            set(customers) | order_ids, (agent_id, None)
        )
        facts = {chat.conversation_id: chat for chat in await _facts(connection, heads)}
    return build_handover(
        agent_id,
        now,
        [(facts[cid], customers[cid]) for cid in sorted(customers)],
        [facts[cid] for cid in sorted(order_ids)],
    )
