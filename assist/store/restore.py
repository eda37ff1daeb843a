"""What a starting service reads back: recent conversations and the ids already applied.

The engine keeps its state in memory; after a restart it needs the conversations that may
still have a timer to fire or that closed recently, and the ids of recent events, so a
sender's retry of an event already stored is acknowledged as a duplicate, not applied twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.store.tables import ConversationRow, EventRow

__all__ = ["MAX_REMEMBERED_IDS", "recent_conversations", "recent_event_ids"]

MAX_REMEMBERED_IDS = 500_000


async def recent_conversations(
    database: AsyncEngine, *, updated_since: datetime, open_since: datetime
) -> list[tuple[str, dict[str, Any]]]:
    """Conversations updated since ``updated_since``, and open ones since ``open_since``."""
    async with database.connect() as connection:
        rows = await connection.execute(
            select(ConversationRow.id, ConversationRow.state).where(
                (ConversationRow.updated_at >= updated_since)
                | (ConversationRow.is_open.is_(True) & (ConversationRow.updated_at >= open_since))
            )
        )
        return [(row.id, row.state) for row in rows]


async def recent_event_ids(database: AsyncEngine, *, since: datetime) -> list[str]:
    """Ids of events stamped since ``since`` (a day of margin), newest first, bounded."""
    async with database.connect() as connection:
        rows = await connection.execute(
            select(EventRow.id)
            .where(EventRow.ts >= since - timedelta(days=1))
            .order_by(EventRow.ts.desc())
            .limit(MAX_REMEMBERED_IDS)
        )
        return [row.id for row in rows]
