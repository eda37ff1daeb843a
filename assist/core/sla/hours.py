"""SLA settings and service hours: the numbers of seed 000 §六 and seed 003, as data.

Service hours matter because a wait that starts after closing time must not breach at
night: a wait's clock runs only inside the hours, so its deadline is "N seconds of
service time later". Hours are weekly windows in the shop's own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["ServiceHours", "ServiceWindow", "SlaConfig"]

_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ServiceWindow:
    """Open from ``start`` to ``end`` (local time) on ``weekday`` (Monday = 0).

    ``end`` of 00:00 means midnight at the end of the day, as in "18:30–24:00".
    """

    weekday: int
    start: time
    end: time

    def bounds(self, week_start: datetime) -> tuple[datetime, datetime]:
        """The window's open and close instants in the week beginning at ``week_start``."""
        day = week_start + timedelta(days=self.weekday)
        opens = day.replace(hour=self.start.hour, minute=self.start.minute, second=0)
        if self.end == time(0, 0):
            closes = day + timedelta(days=1)
        else:
            closes = day.replace(hour=self.end.hour, minute=self.end.minute, second=0)
        return opens, closes


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """Weekly service windows; ``windows=()`` means always open (the default)."""

    windows: tuple[ServiceWindow, ...] = ()
    timezone: str = "Asia/Shanghai"

    @property
    def always(self) -> bool:
        return not self.windows

    def _intervals_from(self, instant: datetime) -> list[tuple[datetime, datetime]]:
        """Open intervals (UTC) of the week containing ``instant`` and the next one, sorted."""
        zone = ZoneInfo(self.timezone)
        local = instant.astimezone(zone)
        week_start = (local - timedelta(days=local.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        intervals: list[tuple[datetime, datetime]] = []
        for offset in (timedelta(0), _WEEK):
            for window in self.windows:
                opens, closes = window.bounds(week_start + offset)
                intervals.append((opens.astimezone(UTC), closes.astimezone(UTC)))
        intervals.sort()
        return intervals

    def clamp(self, instant: datetime) -> datetime:
        """``instant`` if the shop is open then, else the next opening."""
        if self.always:
            return instant
        for opens, closes in self._intervals_from(instant):
            if instant < closes:
                return max(instant, opens)
        raise AssertionError("a non-empty weekly schedule always opens within two weeks")

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant ``seconds`` of open time after ``start``."""
        if self.always:
            return start + timedelta(seconds=seconds)
        remaining = timedelta(seconds=seconds)
        cursor = self.clamp(start)
        while True:
            for opens, closes in self._intervals_from(cursor):
                if closes <= cursor:
                    continue
                begin = max(cursor, opens)
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
                cursor = closes
            cursor = self.clamp(cursor)


@dataclass(frozen=True, slots=True)
class SlaConfig:
    """Deadlines in seconds (seed 000 §六.1: greet within 15 s, answer within 20 s;
    seed 003: escalate past 60 s) and how early the agent is warned."""

    greeting_s: float = 15.0
    reply_s: float = 20.0
    warn_s: float = 5.0
    escalate_s: float = 60.0
    service_hours: ServiceHours = field(default_factory=ServiceHours)
