"""Parsing and formatting of event times.

Event times arrive as ISO-8601 strings with an offset or as epoch milliseconds; inside
the core every instant is an aware ``datetime`` in UTC so comparisons never mix zones.
Outbound frames use ISO-8601 UTC with milliseconds (DESIGN.md "Event protocol").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "EARLIEST",
    "LATEST",
    "clock_time",
    "format_ts",
    "from_micros",
    "known_zone",
    "parse_query_time",
    "parse_ts",
    "seconds_between",
    "to_micros",
]

# Epoch milliseconds before 2001-09-09 have fewer than 13 digits; anything that small is
# far more likely seconds sent by mistake than a real chat event, so it is rejected.
_MIN_EPOCH_MS = 1_000_000_000_000
_MAX_EPOCH_MS = 32_503_680_000_000  # year 3000
# Instants outside this range are refused: a year-1 or year-9999 ``ts`` overflows date
# arithmetic (a deadline, "one day before") and some stores, and no chat happened then.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def parse_ts(value: object) -> datetime:
    """Return the instant ``value`` names, in UTC; raise ``ValueError`` if it names none."""
    if isinstance(value, bool):
        raise ValueError("ts must be an ISO-8601 string or epoch milliseconds, not a boolean")
    if isinstance(value, int | float):
        if not _MIN_EPOCH_MS <= value <= _MAX_EPOCH_MS:  # also refuses NaN
            raise ValueError(f"ts {value!r} is not epoch milliseconds")
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_ts(int(text))
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"ts {value!r} is not ISO-8601") from None
        if parsed.tzinfo is None:
            raise ValueError(f"ts {value!r} has no UTC offset")
        return _in_range(parsed, value)
    raise ValueError("ts must be an ISO-8601 string or epoch milliseconds")


def _in_range(parsed: datetime, value: object) -> datetime:
    try:
        instant = parsed.astimezone(UTC)
    except OverflowError:
        instant = LATEST if parsed.year > 1970 else EARLIEST - timedelta(days=1)
    if not EARLIEST <= instant < LATEST:
        raise ValueError(f"ts {value!r} is outside the years 1970-2999")
    return instant


# A time of day followed by a space and an offset: the space was a "+" before URL decoding.
_SPACE_FOR_PLUS = re.compile(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


def parse_query_time(value: str, zone: tzinfo, *, day_end: bool = False) -> datetime:
    """A ``from``/``to`` query value as an instant; ``ValueError`` when it names none.

    Forgiving where a person typed it: a plain date (``2026-12-02``) or a date-time
    without offset is read in the shop's time zone ``zone``, and a space standing where a
    ``+`` offset was (an unescaped ``+`` arrives as a space) is read as the ``+``. With
    ``day_end`` a plain date means the end of that day (the next midnight).
    """
    text = value.strip()
    if len(text) == 10 and text[4:5] == "-" and text[7:8] == "-":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
        if day_end:
            day += timedelta(days=1)
        return _in_range(datetime.combine(day, time(0), tzinfo=zone), value)
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", text)
    try:
        return parse_ts(text)
    except ValueError as exc:
        if "no UTC offset" not in str(exc):
            raise
    return _in_range(datetime.fromisoformat(text).replace(tzinfo=zone), value)


@lru_cache(maxsize=4096)
def format_ts(instant: datetime) -> str:
    """ISO-8601 in UTC with milliseconds, the one form every outbound frame uses.

    Cached: a frame's events share their receive time, a wait's instants are formatted
    for each of its timer frames, snapshots and store keys — each is formatted once."""
    utc = instant if instant.tzinfo is UTC else instant.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(instant: datetime) -> int:
    """Exact integer microseconds since the epoch: how stored state keeps instants."""
    return (instant - _EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def seconds_between(start: datetime, end: datetime) -> float:
    """Elapsed seconds rounded to the millisecond, as every metric reports them."""
    return round((end - start).total_seconds(), 3)


def clock_time(text: str) -> time:
    """``HH:MM`` (``24:00`` for midnight) as a time of day; ``ValueError`` otherwise.

    Rule files write shop hours and shifts this way (18:30–24:00)."""
    if text == "24:00":
        return time(0, 0)
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not HH:MM")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"{text!r} is not a time of day")
    return time(int(hours), int(minutes))


def known_zone(name: str) -> str:
    """``name`` if it is an IANA time zone (Asia/Shanghai); ``ValueError`` otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name
