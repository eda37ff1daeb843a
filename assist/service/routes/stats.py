"""Read-only HTTP: per-agent statistics (JSON and Excel-friendly CSV), conversation detail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from assist.core.errors import NotFound
from assist.core.timeutil import format_ts
from assist.exports import export_filename
from assist.exports import stats_csv as stats_csv_text
from assist.security.pii import mask_pii
from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.deps import DatabaseDep, RuntimeDep, SettingsDep
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
async def stats_csv(database: DatabaseDep, runtime: RuntimeDep, span: RangeDep) -> Response:
    """The same for Excel: Chinese column names, rates as percentages, UTF-8 with a
    byte-order mark, formula-like text quoted; the file name carries the range in the
    shop's days."""
    agents = await agent_stats(database, span.start, span.end)
    zone = runtime.engine.config.service_hours.timezone
    name = export_filename("agent-stats", span.start, span.end, zone, runtime.clock())
    return Response(
        stats_csv_text(agents, STAT_KEYS).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
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
