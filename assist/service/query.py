"""Forgiving, exact ``from``/``to`` query parameters, shared by every range endpoint.

People type these into URLs: a plain date (``from=2026-12-02``) is that day's midnight in
the shop's time zone (as ``to``, the next midnight: the day is included), a date-time
without offset is read in that zone too; a ``+08:00`` typed unescaped
arrives as `` 08:00`` and is read as meant. What cannot be read, or a ``from`` after
``to``, is a 422 ``invalid_query`` naming the parameter — never a 500, never an empty 200.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query
from starlette.requests import HTTPConnection

from assist.core.errors import QueryError
from assist.core.timeutil import format_ts, parse_query_time

__all__ = ["FromParam", "RangeDep", "TimeRange", "ToParam", "query_time", "time_range"]

_RANGE = (
    "ISO-8601 (without an offset: the shop's time zone; a plain date is its midnight), "
    "or epoch milliseconds; the range is [from, to)"
)
FromParam = Annotated[str | None, Query(alias="from", description=_RANGE)]
ToParam = Annotated[str | None, Query(alias="to", description=_RANGE)]


@dataclass(frozen=True, slots=True)
class TimeRange:
    """``[start, end)``; either side open when ``None``."""

    start: datetime | None
    end: datetime | None


def query_time(value: str | None, name: str, zone: tzinfo) -> datetime | None:
    """One parameter as an instant (``None`` when absent); :class:`QueryError` otherwise.

    A plain date given as ``to`` means the end of that day, so ``from=D&to=D`` is day D.
    """
    if value is None or value == "":
        return None
    try:
        return parse_query_time(value, zone, day_end=name == "to")
    except ValueError as exc:
        raise QueryError(f"{name}: {exc}") from None


def time_range(
    connection: HTTPConnection, start: FromParam = None, end: ToParam = None
) -> TimeRange:
    # The shop's zone as the running rules say (a reload of sla.yaml may change it).
    zone: tzinfo = ZoneInfo(connection.app.state.runtime.engine.config.service_hours.timezone)
    begin, finish = query_time(start, "from", zone), query_time(end, "to", zone)
    if begin is not None and finish is not None and begin > finish:
        raise QueryError(f"from ({format_ts(begin)}) is after to ({format_ts(finish)})")
    return TimeRange(begin, finish)


RangeDep = Annotated[TimeRange, Depends(time_range)]
