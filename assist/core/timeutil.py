"""Parsing and formatting of event times.

Event times arrive as ISO-8601 strings with an offset or as epoch milliseconds; inside
the core every instant is an aware ``datetime`` in UTC so comparisons never mix zones.
Outbound frames use ISO-8601 UTC with milliseconds (DESIGN.md "Event protocol").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

__all__ = ["format_ts", "from_micros", "parse_ts", "seconds_between", "to_micros"]

# Epoch milliseconds before 2001-09-09 have fewer than 13 digits; anything that small is
# far more likely seconds sent by mistake than a real chat event, so it is rejected.
_MIN_EPOCH_MS = 1_000_000_000_000
_MAX_EPOCH_MS = 32_503_680_000_000  # year 3000


def parse_ts(value: object) -> datetime:
    """Return the instant ``value`` names, in UTC; raise ``ValueError`` if it names none."""
    if isinstance(value, bool):
        raise ValueError("ts must be an ISO-8601 string or epoch milliseconds, not a boolean")
    if isinstance(value, int | float):
        if not _MIN_EPOCH_MS <= value <= _MAX_EPOCH_MS:
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
        return parsed.astimezone(UTC)
    raise ValueError("ts must be an ISO-8601 string or epoch milliseconds")


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
