"""Read-only HTTP: per-agent statistics (JSON and Excel-friendly CSV), conversation detail."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.timeutil import format_ts, parse_query_time
from assist.security.csvcell import safe_row
from assist.security.pii import mask_pii
from assist.store.stats import STAT_KEYS, agent_stats
from assist.store.tables import (
    AlertRow,
    ConversationRow,
    EventRow,
    FindingRow,
    SuggestionRow,
    WaitRow,
)

__all__ = ["QueryError", "query_error_response", "router"]

router = APIRouter()

_RANGE = (
    "ISO-8601 (without an offset: the shop's time zone; a plain date is its midnight), "
    "or epoch milliseconds; the range is [from, to)"
)
FromParam = Annotated[str | None, Query(alias="from", description=_RANGE)]
ToParam = Annotated[str | None, Query(alias="to", description=_RANGE)]


class QueryError(Exception):
    """A query parameter the caller got wrong; answered 422 ``invalid_query``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def query_error_response(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, QueryError) else str(exc)
    return JSONResponse({"error": {"code": "invalid_query", "message": message}}, 422)


def _time(request: Request, value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_query_time(value, request.app.state.shop_zone)
    except ValueError as exc:
        raise QueryError(f"{name}: {exc}") from None


async def _stats(
    request: Request, start: str | None, end: str | None, agent_id: str | None = None
) -> dict[str, Any]:
    begin, finish = _time(request, start, "from"), _time(request, end, "to")
    if begin is not None and finish is not None and begin > finish:
        raise QueryError(f"from ({format_ts(begin)}) is after to ({format_ts(finish)})")
    database: AsyncEngine = request.app.state.database
    return {
        "from": format_ts(begin) if begin else None,
        "to": format_ts(finish) if finish else None,
        "agents": await agent_stats(database, begin, finish, agent_id),
    }


@router.get("/api/agents/stats")
async def stats_json(request: Request, start: FromParam = None, end: ToParam = None) -> Response:
    """Per-agent statistics over ``[from, to)`` (DESIGN.md "Metric definitions")."""
    return JSONResponse(await _stats(request, start, end))


@router.get("/api/agents/stats.csv")
async def stats_csv(request: Request, start: FromParam = None, end: ToParam = None) -> Response:
    """The same as CSV, UTF-8 with a byte-order mark so Excel shows Chinese correctly."""
    body = await _stats(request, start, end)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(STAT_KEYS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(safe_row(row) for row in body["agents"])
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="agent-stats.csv"'},
    )


@router.get("/api/agents/{agent_id}/stats")
async def one_agent(
    request: Request, agent_id: str, start: FromParam = None, end: ToParam = None
) -> Response:
    body = await _stats(request, start, end, agent_id)
    agents = body.pop("agents")
    if not agents:
        message = f"no activity for agent {agent_id!r} in this range"
        return JSONResponse({"error": {"code": "not_found", "message": message}}, 404)
    body.update(agents[0])
    return JSONResponse(body)


def _row(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    data = {}
    for column in columns:
        value = getattr(row, column)
        data[column] = format_ts(value) if isinstance(value, datetime) else value
    return data


@router.get("/api/conversations/{conversation_id}")
async def conversation_detail(request: Request, conversation_id: str) -> Response:
    """Everything stored about one conversation: state, events, waits, alerts, findings."""
    database: AsyncEngine = request.app.state.database
    async with database.connect() as connection:
        state = (
            await connection.execute(
                select(ConversationRow).where(ConversationRow.id == conversation_id)
            )
        ).first()
        if state is None:
            message = f"no conversation {conversation_id!r}"
            return JSONResponse({"error": {"code": "not_found", "message": message}}, 404)

        async def rows(model: Any, order: Any, columns: tuple[str, ...]) -> list[dict[str, Any]]:
            result = await connection.execute(
                select(model).where(model.conversation_id == conversation_id).order_by(order)
            )
            return [_row(row, columns) for row in result]

        events = [
            {**row["payload"], "agent_id": row["agent_id"], "typing_s": row["typing_s"]}
            for row in await rows(EventRow, EventRow.ts, ("payload", "agent_id", "typing_s"))
        ]
        alerts = await rows(
            AlertRow, AlertRow.at, ("kind", "agent_id", "at", "waited_s", "message_id", "detail")
        )
        if request.app.state.settings.mask_pii:
            for item in (*events, *(alert["detail"] for alert in alerts)):
                if isinstance(item.get("text"), str):
                    item["text"] = mask_pii(item["text"])
        body = {
            "conversation_id": conversation_id,
            "agent_id": state.agent_id,
            "customer_id": state.customer_id,
            "open": state.is_open,
            "updated_at": format_ts(state.updated_at),
            "events": events,
            "waits": await rows(
                WaitRow,
                WaitRow.started_at,
                (
                    "kind",
                    "agent_id",
                    "started_at",
                    "ended_at",
                    "outcome",
                    "breached",
                    "escalated",
                    "waited_s",
                    "answer_id",
                ),
            ),
            "alerts": alerts,
            "findings": await rows(
                FindingRow,
                FindingRow.at,
                ("message_id", "agent_id", "at", "rule", "severity", "phrase", "start", "end"),
            ),
            "suggestions": await rows(
                SuggestionRow,
                SuggestionRow.at,
                ("message_id", "at", "intent", "confidence", "slots", "replies"),
            ),
        }
    return JSONResponse(body)
