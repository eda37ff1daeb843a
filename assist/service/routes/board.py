"""Read API behind the supervisor board's chart: waiting times of the last hour."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from assist.core.timeutil import format_ts
from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.deps import DatabaseDep, RuntimeDep
from assist.store.waits import wait_minutes

__all__ = ["router"]

router = APIRouter(dependencies=[require(NeedKind.READ)])


@router.get("/api/waits/minutes")
async def waits_by_minute(
    runtime: RuntimeDep,
    database: DatabaseDep,
    minutes: Annotated[int, Query(ge=1, le=24 * 60)] = 60,
) -> JSONResponse:
    """Answered waits per minute over the last ``minutes``: count, average, longest,
    how many were over their deadline; with the reply deadline the chart draws."""
    now = runtime.clock()
    since = now - timedelta(minutes=minutes)
    body = {
        "from": format_ts(since),
        "to": format_ts(now),
        "reply_s": runtime.engine.config.reply_s,
        "minutes": await wait_minutes(database, since, now),
    }
    return JSONResponse(body)
