"""Everything stored about one conversation, for ``GET /api/conversations/{id}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from assist.core.timeutil import format_ts
from assist.store.tables import (
    AlertRow,
    ConversationRow,
    EventRow,
    FindingRow,
    SuggestionRow,
    WaitRow,
)

__all__ = ["conversation_detail"]

_WAIT_COLUMNS = (
    "kind",
    "agent_id",
    "started_at",
    "ended_at",
    "outcome",
    "breached",
    "escalated",
    "waited_s",
    "answer_id",
)
_ALERT_COLUMNS = ("kind", "agent_id", "at", "waited_s", "message_id", "detail")
_FINDING_COLUMNS = ("message_id", "agent_id", "at", "rule", "severity", "phrase", "start", "end")
_SUGGESTION_COLUMNS = ("message_id", "at", "intent", "confidence", "slots", "replies")


def _row(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    data = {}
    for column in columns:
        value = getattr(row, column)
        data[column] = format_ts(value) if isinstance(value, datetime) else value
    return data


async def _rows(
    connection: AsyncConnection,
    model: Any,
    conversation_id: str,
    order: Any,
    columns: tuple[str, ...],
) -> list[dict[str, Any]]:
    result = await connection.execute(
        select(model).where(model.conversation_id == conversation_id).order_by(order)
    )
    return [_row(row, columns) for row in result]


async def conversation_detail(database: AsyncEngine, conversation_id: str) -> dict[str, Any] | None:
    """State, events, waits, alerts, findings and suggestions; ``None`` if unknown."""
    async with database.connect() as connection:
        state = (
            await connection.execute(
                select(ConversationRow).where(ConversationRow.id == conversation_id)
            )
        ).first()
        if state is None:
            return None
        events = await _rows(
            connection,
            EventRow,
            conversation_id,
            EventRow.ts,
            ("payload", "agent_id", "typing_s"),
        )
        return {
            "conversation_id": conversation_id,
            "agent_id": state.agent_id,
            "customer_id": state.customer_id,
            "open": state.is_open,
            "updated_at": format_ts(state.updated_at),
            "events": [
                {**row["payload"], "agent_id": row["agent_id"], "typing_s": row["typing_s"]}
                for row in events
            ],
            "waits": await _rows(
                connection, WaitRow, conversation_id, WaitRow.started_at, _WAIT_COLUMNS
            ),
            "alerts": await _rows(
                connection, AlertRow, conversation_id, AlertRow.at, _ALERT_COLUMNS
            ),
            "findings": await _rows(
                connection, FindingRow, conversation_id, FindingRow.at, _FINDING_COLUMNS
            ),
            "suggestions": await _rows(
                connection, SuggestionRow, conversation_id, SuggestionRow.at, _SUGGESTION_COLUMNS
            ),
        }
