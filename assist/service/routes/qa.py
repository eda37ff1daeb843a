"""Read-only HTTP for QA leads and managers: rubric, month scores, KPI, handover, /qa.

Rule files are read per request through the composition root, so an edited ``qa.yaml``
or ``kpi.yaml`` counts at once, and a broken one is answered ``invalid_rules`` naming its
line (the ``RulesError`` travels to the one error handler) while the rest of the service
keeps running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, JSONResponse, Response

from assist.assembly import load_kpi, load_qa, load_sla
from assist.core.errors import NotFound, QueryError
from assist.core.qa.rules import KpiRules, QaRules
from assist.core.qa.scoring import month_bounds
from assist.core.timeutil import format_ts
from assist.exports import BOM, csv_text
from assist.security.pii import mask_pii
from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.deps import DatabaseDep, RuntimeDep, SettingsDep
from assist.service.query import query_time
from assist.service.routes.pages import STATIC
from assist.settings import Settings
from assist.store.qa import conversation_qa, handover_for, kpi_report, month_scores, range_scores

__all__ = ["router"]

router = APIRouter()

_RANGE = (
    "ISO-8601 with offset, epoch milliseconds, or a shop-local date YYYY-MM-DD (a 'to' date"
    " includes that day); the range is [from, to)"
)
FromParam = Annotated[str | None, Query(alias="from", description=_RANGE)]
ToParam = Annotated[str | None, Query(alias="to", description=_RANGE)]
MonthParam = Annotated[
    str | None, Query(description="YYYY-MM, local days of the shop's time zone (sla.yaml)")
]

SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("agent_id", "客服"),
    ("points", "得分"),
    ("days_lost", "扣分天数"),
    ("deduction", "奖金扣除(元)"),
    ("band", "档次"),
    ("full_marks", "满分"),
    ("sampled", "抽检记录"),
    ("failed", "不合格记录"),
    ("complaints", "投诉次数"),
    ("complaint_fines", "投诉罚款(元)"),
    ("complaint_label", "投诉处理"),
)


def _time(value: str | None, name: str, timezone: str) -> datetime | None:
    """An instant, or a local date ``YYYY-MM-DD`` of the shop: ``from`` its first moment,
    ``to`` the end of that day (so a page's date range includes its last day); forgiving
    as every range parameter is (:mod:`assist.service.query`)."""
    return query_time(value, name, ZoneInfo(timezone))


def _range(period: Period, timezone: str) -> tuple[datetime | None, datetime | None]:
    """``month`` or ``from``/``to`` as a half-open UTC range."""
    if period.month:
        if period.start or period.end:
            raise QueryError("give either month or from/to, not both")
        try:
            return month_bounds(period.month, timezone)
        except ValueError as exc:
            raise QueryError(f"month: {exc}") from None
    begin, finish = _time(period.start, "from", timezone), _time(period.end, "to", timezone)
    if begin is not None and finish is not None and begin > finish:
        raise QueryError(f"from ({format_ts(begin)}) is after to ({format_ts(finish)})")
    return begin, finish


def _timezone(settings: Settings) -> str:
    return load_sla(settings).service_hours.timezone


# The rule files are read afresh per request (an edit shows at once), in a thread:
# parsing them takes milliseconds that a due alert on the event loop must not wait for.


def _read_qa(settings: Settings) -> tuple[QaRules, str]:
    """The QA rubric and the shop's time zone."""
    return load_qa(settings), _timezone(settings)


def _read_kpi(settings: Settings) -> tuple[QaRules, KpiRules, str]:
    """The QA rubric, the KPI model (required only here) and the shop's time zone."""
    return load_qa(settings), load_kpi(settings), _timezone(settings)


@dataclass(frozen=True, slots=True)
class Period:
    """The period a QA question is about: a month, or a from/to range."""

    month: str | None
    start: str | None
    end: str | None


def _period(month: MonthParam = None, start: FromParam = None, end: ToParam = None) -> Period:
    return Period(month, start, end)


PeriodDep = Annotated[Period, Depends(_period)]


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str], filename: str) -> Response:
    """Excel-friendly CSV: UTF-8 with a byte-order mark, CRLF, Chinese column names, and
    cells a spreadsheet would run as formulas quoted (the exports' one CSV writer)."""
    return Response(
        (BOM + csv_text([header, *rows])).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _scores(settings: Settings, database: DatabaseDep, period: Period) -> dict[str, Any]:
    qa, timezone = await asyncio.to_thread(_read_qa, settings)
    if not (period.month or period.start or period.end):
        raise QueryError("month (YYYY-MM) or from/to is required")
    begin, finish = _range(period, timezone)
    if period.month:
        return await month_scores(database, qa, timezone, period.month)
    return {
        "from": format_ts(begin) if begin else None,
        "to": format_ts(finish) if finish else None,
        "agents": await range_scores(database, qa, timezone, begin, finish),
    }


@router.get("/api/qa/conversations/{conversation_id}", dependencies=[require(NeedKind.QA)])
async def qa_conversation(
    settings: SettingsDep, database: DatabaseDep, conversation_id: str
) -> Response:
    """The rubric (seed 003 §七) item by item for one closed conversation; the messages
    it quotes have personal data masked unless ``ASSIST_MASK_PII=false`` (as every export)."""
    qa = await asyncio.to_thread(load_qa, settings)
    body = await conversation_qa(database, qa, conversation_id)
    if body is None:
        raise NotFound(f"no closed conversation {conversation_id!r}")
    if settings.mask_pii:
        for item in body.get("items", []):
            if isinstance(item.get("text"), str):
                item["text"] = mask_pii(item["text"])
    return JSONResponse(body)


@router.get("/api/qa/scores", dependencies=[require(NeedKind.QA)])
async def qa_scores(settings: SettingsDep, database: DatabaseDep, period: PeriodDep) -> Response:
    """Per agent: sampled days, failures, month points, band and complaints."""
    return JSONResponse(await _scores(settings, database, period))


@router.get("/api/qa/scores.csv", dependencies=[require(NeedKind.QA)])
async def qa_scores_csv(
    settings: SettingsDep, database: DatabaseDep, period: PeriodDep
) -> Response:
    """The month (or range) as CSV with Chinese column names (UTF-8 with BOM)."""
    body = await _scores(settings, database, period)
    rows = []
    for agent in body["agents"]:
        flat = {
            **agent,
            "full_marks": "是" if agent["full_marks"] else "否",
            "complaints": agent["complaints"]["count"],
            "complaint_fines": agent["complaints"]["fines"],
            "complaint_label": agent["complaints"]["label"],
            "deduction": "全部" if agent["deduction"] == "all" else agent["deduction"],
        }
        rows.append([flat[key] for key, _ in SCORE_COLUMNS])
    name = f"qa-{period.month or 'range'}.csv"
    return _csv(rows, [label for _, label in SCORE_COLUMNS], name)


async def _kpi(settings: Settings, database: DatabaseDep, period: Period) -> dict[str, Any]:
    qa, kpi, timezone = await asyncio.to_thread(_read_kpi, settings)
    begin, finish = _range(period, timezone)
    agents = await kpi_report(database, qa, kpi, timezone, begin, finish)
    return {
        "from": format_ts(begin) if begin else None,
        "to": format_ts(finish) if finish else None,
        "agents": agents,
    }


@router.get("/api/kpi", dependencies=[require(NeedKind.QA)])
async def kpi(settings: SettingsDep, database: DatabaseDep, period: PeriodDep) -> Response:
    """The composite KPI (seed 002 ch.4, ``rules/kpi.yaml``) per agent, with breakdown."""
    return JSONResponse(await _kpi(settings, database, period))


@router.get("/api/kpi.csv", dependencies=[require(NeedKind.QA)])
async def kpi_csv(settings: SettingsDep, database: DatabaseDep, period: PeriodDep) -> Response:
    """The KPI as CSV (Chinese column names, UTF-8 with BOM): value and points per indicator."""
    agents = (await _kpi(settings, database, period))["agents"]
    indicators = agents[0]["indicators"] if agents else []
    header = ["客服", "综合得分"]
    for indicator in indicators:
        header += [f"{indicator['label']}", f"{indicator['label']}得分"]
    rows = []
    for agent in agents:
        row: list[Any] = [agent["agent_id"], agent["score"]]
        for indicator in agent["indicators"]:
            row += [indicator["value"], indicator["points"]]
        rows.append(row)
    return _csv(rows, header, "kpi.csv")


@router.get("/api/handover", dependencies=[require(NeedKind.AGENT)])
async def handover(
    runtime: RuntimeDep, database: DatabaseDep, agent_id: Annotated[str, Query(min_length=1)]
) -> Response:
    """What ``agent_id`` hands over now: open chats, unanswered questions, unpaid orders.

    For that agent's own token, or a supervisor's.
    """
    return JSONResponse(await handover_for(database, agent_id, runtime.clock()))


@router.get("/qa", include_in_schema=False, dependencies=[require(NeedKind.QA)])
async def qa_page() -> FileResponse:
    """The QA page (质检与绩效): month table, drill-down, CSV."""
    return FileResponse(STATIC / "qa.html")
