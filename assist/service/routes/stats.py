"""Read-only HTTP: per-agent statistics (JSON and Excel-friendly CSV), conversation detail."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from assist.core.errors import NotFound, QueryError
from assist.core.timeutil import format_ts, parse_ts
from assist.service.deps import DatabaseDep
from assist.store.detail import conversation_detail
from assist.store.stats import STAT_KEYS, agent_stats

__all__ = ["router"]

router = APIRouter()

_RANGE = "ISO-8601 with offset, or epoch milliseconds; the range is [from, to)"
FromParam = Annotated[str | None, Query(alias="from", description=_RANGE)]
ToParam = Annotated[str | None, Query(alias="to", description=_RANGE)]


def _time(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_ts(value)
    except ValueError as exc:
        raise QueryError(f"{name}: {exc}") from None


async def _stats(
    database: DatabaseDep, start: str | None, end: str | None, agent_id: str | None = None
) -> dict[str, Any]:
    begin, finish = _time(start, "from"), _time(end, "to")
    return {
        "from": format_ts(begin) if begin else None,
        "to": format_ts(finish) if finish else None,
        "agents": await agent_stats(database, begin, finish, agent_id),
    }


@router.get("/api/agents/stats")
async def stats_json(
    database: DatabaseDep, start: FromParam = None, end: ToParam = None
) -> Response:
    """Per-agent statistics over ``[from, to)`` (DESIGN.md "Metric definitions")."""
    return JSONResponse(await _stats(database, start, end))


@router.get("/api/agents/stats.csv")
async def stats_csv(
    database: DatabaseDep, start: FromParam = None, end: ToParam = None
) -> Response:
    """The same as CSV, UTF-8 with a byte-order mark so Excel shows Chinese correctly."""
    body = await _stats(database, start, end)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(STAT_KEYS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(body["agents"])
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="agent-stats.csv"'},
    )


@router.get("/api/agents/{agent_id}/stats")
async def one_agent(
    database: DatabaseDep, agent_id: str, start: FromParam = None, end: ToParam = None
) -> Response:
    body = await _stats(database, start, end, agent_id)
    agents = body.pop("agents")
    if not agents:
        raise NotFound(f"no activity for agent {agent_id!r} in this range")
    body.update(agents[0])
    return JSONResponse(body)


@router.get("/api/conversations/{conversation_id}")
async def conversation(database: DatabaseDep, conversation_id: str) -> Response:
    """Everything stored about one conversation: state, events, waits, alerts, findings."""
    body = await conversation_detail(database, conversation_id)
    if body is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return JSONResponse(body)
