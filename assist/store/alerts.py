"""Reading back recent alerts, so a restarted service can put them in every snapshot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.outputs import Alert, AlertKind
from assist.store.tables import AlertRow

__all__ = ["recent_alerts"]


async def recent_alerts(database: AsyncEngine, since: datetime, limit: int = 10_000) -> list[Alert]:
    """Alerts stamped at or after ``since``, oldest first (at most ``limit``, the newest)."""
    async with database.connect() as connection:
        rows = await connection.execute(
            select(AlertRow).where(AlertRow.at >= since).order_by(AlertRow.at.desc()).limit(limit)
        )
        alerts = []
        for row in rows:
            try:
                kind = AlertKind(row.kind)
            except ValueError:  # a kind this version does not know
                continue
            alerts.append(
                Alert(
                    kind,
                    row.conversation_id,
                    row.agent_id,
                    row.at,
                    waited_s=row.waited_s,
                    message_id=row.message_id,
                    detail=dict(row.detail or {}),
                )
            )
    alerts.reverse()
    return alerts
