"""Waiting times per minute, for the board's last-hour chart.

Answered waits only (a closed conversation's wait says nothing about service speed),
bucketed by the minute they ended in; computed in Python so the one query stays the
same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.timeutil import format_ts
from assist.store.tables import WaitRow

__all__ = ["wait_minutes"]


async def wait_minutes(
    engine: AsyncEngine, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """``[{"minute", "answered", "avg_s", "max_s", "breached"}]`` for ``[since, until)``."""
    query = select(WaitRow.ended_at, WaitRow.waited_s, WaitRow.breached).where(
        WaitRow.outcome == "answered", WaitRow.ended_at >= since, WaitRow.ended_at < until
    )
    buckets: dict[datetime, list[tuple[float, bool]]] = {}
    async with engine.connect() as connection:
        for ended_at, waited_s, breached in await connection.execute(query):
            ended = ended_at if ended_at.tzinfo else ended_at.replace(tzinfo=UTC)
            minute = ended.replace(second=0, microsecond=0)
            buckets.setdefault(minute, []).append((waited_s, breached))
    return [
        {
            "minute": format_ts(minute),
            "answered": len(waits),
            "avg_s": round(sum(w for w, _ in waits) / len(waits), 3),
            "max_s": round(max(w for w, _ in waits), 3),
            "breached": sum(1 for _, b in waits if b),
        }
        for minute, waits in sorted(buckets.items())
        if minute >= since - timedelta(minutes=1)
    ]
