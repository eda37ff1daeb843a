"""The alerts of the last hour, kept for the snapshot every channel sends on connect.

Alerts are pushed once; a board that was not connected at that moment — a reload, a
network blip, a service restart whose missed deadlines fire before any board is back —
would never see them. Every alert published is kept here (and the store's recent alerts
are loaded at start-up), so each snapshot carries the alerts its channel covers: all of
them for the supervisor, an agent's own for that agent's panel.

An alert is identified as the store identifies it (kind, conversation, instant, message),
so one loaded from the store and raised again after a restart appears once.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from assist.core.outputs import Alert
from assist.core.timeutil import format_ts

__all__ = ["RecentAlerts", "alert_key"]


def alert_key(alert: Alert) -> str:
    """The natural key of an alert — the same the store writes (``store.writer``)."""
    return "|".join(
        (alert.kind.value, alert.conversation_id, format_ts(alert.at), alert.message_id or "")
    )


class RecentAlerts:
    """Alerts seen within ``window_s`` of their raising, oldest first, at most ``limit``."""

    def __init__(self, window_s: float, limit: int = 20_000) -> None:
        self.window = timedelta(seconds=window_s)
        self.limit = limit
        self._alerts: OrderedDict[str, tuple[datetime, Alert]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._alerts)

    def add(self, alert: Alert, raised_at: datetime) -> None:
        """Keep ``alert``; raised at ``raised_at`` (its own ``at`` when read from the store)."""
        key = alert_key(alert)
        if key in self._alerts:
            return
        self._alerts[key] = (raised_at, alert)
        while len(self._alerts) > self.limit:
            self._alerts.popitem(last=False)

    def frames(self, agent_id: str | None, now: datetime) -> list[dict[str, Any]]:
        """The alert frames a channel covers (``None``: the supervisor's, i.e. all)."""
        since = now - self.window
        while self._alerts:
            raised_at, _ = next(iter(self._alerts.values()))
            if raised_at >= since:
                break
            self._alerts.popitem(last=False)
        chosen = [
            alert
            for raised_at, alert in self._alerts.values()
            if raised_at >= since and (agent_id is None or alert.agent_id == agent_id)
        ]
        chosen.sort(key=lambda alert: alert.at)
        return [alert.to_frame() for alert in chosen]
