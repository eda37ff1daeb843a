"""Read-only HTTP: per-agent statistics (JSON and Excel-friendly CSV), conversation detail."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from assist.core.errors import NotFound
from assist.core.timeutil import format_ts
from assist.security.csvcell import safe_row
from assist.security.pii import mask_pii
from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.deps import DatabaseDep, SettingsDep
from assist.service.query import RangeDep, TimeRange
from assist.store.detail import conversation_detail
from assist.store.stats import STAT_KEYS, agent_stats

__all__ = ["router"]

router = APIRouter(dependencies=[require(NeedKind.READ)])


async def _stats(
    database: DatabaseDep, span: TimeRange, agent_id: str | None = None
) -> dict[str, Any]:
    return {
        "from": format_ts(span.start) if span.start else None,
        "to": format_ts(span.end) if span.end else None,
        "agents": await agent_stats(database, span.start, span.end, agent_id),
    }


@router.get("/api/agents/stats")
async def stats_json(database: DatabaseDep, span: RangeDep) -> Response:
    """Per-agent statistics over ``[from, to)`` (DESIGN.md "Metric definitions")."""
    return JSONResponse(await _stats(database, span))


@router.get("/api/agents/stats.csv")
async def stats_csv(database: DatabaseDep, span: RangeDep) -> Response:
    """The same as CSV, UTF-8 with a byte-order mark so Excel shows Chinese correctly;
    text cells a spreadsheet would run as a formula are quoted."""
    body = await _stats(database, span)
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
async def one_agent(database: DatabaseDep, agent_id: str, span: RangeDep) -> Response:
    body = await _stats(database, span, agent_id)
    agents = body.pop("agents")
    if not agents:
        raise NotFound(f"no activity for agent {agent_id!r} in this range")
    body.update(agents[0])
    return JSONResponse(body)


@router.get("/api/conversations/{conversation_id}")
async def conversation(
    database: DatabaseDep, settings: SettingsDep, conversation_id: str
) -> Response:
    """Everything stored about one conversation: state, events, waits, alerts, findings.

    An export: message text has personal data masked unless ``ASSIST_MASK_PII=false``.
    """
    body = await conversation_detail(database, conversation_id)
    if body is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    if settings.mask_pii:
        for item in (*body["events"], *(alert["detail"] for alert in body["alerts"])):
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                item["text"] = mask_pii(item["text"])
    return JSONResponse(body)
