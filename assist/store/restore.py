"""What a starting service reads back: recent conversations and the ids already applied.

The engine keeps its state in memory; after a restart it needs the conversations that may
still have a timer to fire or that closed recently, and the ids of recent events, so a
sender's retry of an event already stored is acknowledged as a duplicate, not applied twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.outputs import Suggestion, SuggestionResult
from assist.store.tables import ConversationRow, EventRow, SuggestionRow

__all__ = [
    "MAX_REMEMBERED_IDS",
    "LastCustomerMessage",
    "last_customer_messages",
    "recent_conversations",
    "recent_event_ids",
]

MAX_REMEMBERED_IDS = 500_000
_IDS_PER_QUERY = 500


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


@dataclass(frozen=True, slots=True)
class LastCustomerMessage:
    conversation_id: str
    message_id: str
    text: str
    at: datetime
    suggestion: Suggestion | None


async def last_customer_messages(
    database: AsyncEngine, conversation_ids: Sequence[str]
) -> list[LastCustomerMessage]:
    """Each conversation's latest customer message and the suggestion made for it, so a
    panel that reconnects after a restart shows what the customer wrote last."""
    found: list[LastCustomerMessage] = []
    async with database.connect() as connection:
        for start in range(0, len(conversation_ids), _IDS_PER_QUERY):
            chunk = conversation_ids[start : start + _IDS_PER_QUERY]
            rows = await connection.execute(
                select(EventRow.conversation_id, EventRow.id, EventRow.text, EventRow.ts)
                .where(EventRow.conversation_id.in_(chunk))
                .where(EventRow.type == "customer_message")
                .order_by(EventRow.conversation_id, EventRow.ts, EventRow.id)
            )
            last: dict[str, Any] = {}
            for row in rows:
                last[row.conversation_id] = row
            if not last:
                continue
            suggestions = {
                row.message_id: row
                for row in await connection.execute(
                    select(SuggestionRow).where(
                        SuggestionRow.message_id.in_([row.id for row in last.values()])
                    )
                )
            }
            for conversation_id, row in last.items():
                made = suggestions.get(row.id)
                suggestion = None
                if made is not None:
                    result = SuggestionResult(
                        made.intent, made.confidence, dict(made.slots), tuple(made.replies)
                    )
                    suggestion = Suggestion(conversation_id, made.agent_id, row.id, result)
                found.append(
                    LastCustomerMessage(conversation_id, row.id, row.text or "", row.ts, suggestion)
                )
    return found
