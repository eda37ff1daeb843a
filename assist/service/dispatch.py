"""Where each output goes: frames to subscribers, views to the snapshot book, rows to the
store, NLP requests to the worker pool.

Every output of the core — from an ingested event, from a timer, from a worker later —
passes through :meth:`Dispatcher.dispatch`, so counting alerts, measuring their lateness
and remembering the latest frames per conversation happen in one place. A frame nobody
subscribed to is never built (most timer frames, under load), and one that is goes out
encoded once for all its subscribers (:class:`~assist.service.hub.Hub`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from assist.core.outputs import (
    Alert,
    AlertKind,
    ConversationChange,
    Frame,
    LintReport,
    NlpRequest,
    Output,
    ShiftEnd,
    Suggestion,
    TimerUpdate,
)
from assist.core.views import LatestFrames
from assist.service.hub import Hub
from assist.service.metrics import Metrics
from assist.service.persister import Persister
from assist.service.recent_alerts import RecentAlerts

__all__ = ["Dispatcher"]

_FRAME_TYPES: dict[type, str] = {
    TimerUpdate: "timer",
    Alert: "alert",
    LintReport: "lint",
    Suggestion: "suggestion",
    ConversationChange: "conversation",
}
_TIMER_ALERTS = frozenset({AlertKind.GREETING_BREACH, AlertKind.REPLY_BREACH, AlertKind.ESCALATION})


class Dispatcher:
    def __init__(
        self,
        hub: Hub,
        persister: Persister,
        metrics: Metrics,
        latest: LatestFrames,
        clock: Callable[[], datetime],
        recent_alerts: RecentAlerts | None = None,
    ) -> None:
        self.hub = hub
        self.recent_alerts = recent_alerts
        self.persister = persister
        self.latest = latest
        self._metrics = metrics
        self._clock = clock
        # Where NLP requests go (the worker pool); None: the engine runs NLP inline.
        self.nlp: Callable[[Sequence[NlpRequest]], None] | None = None
        # Answers shift ends with handover frames (set by the runtime; None: ignored).
        self.on_shift_end: Callable[[ShiftEnd], None] | None = None

    def dispatch(
        self, outputs: Iterable[Output], received_at: datetime | None
    ) -> asyncio.Future[None]:
        """Publish the frames among ``outputs`` now; the future resolves on their commit."""
        outputs = list(outputs)
        self.latest.note(outputs)
        requests: list[NlpRequest] = []
        for output in outputs:
            if isinstance(
                output, TimerUpdate | Alert | LintReport | Suggestion | ConversationChange
            ):
                self.publish(output, _FRAME_TYPES[type(output)])
            elif isinstance(output, NlpRequest):
                requests.append(output)
            elif isinstance(output, ShiftEnd) and self.on_shift_end is not None:
                self.on_shift_end(output)
        if requests and self.nlp is not None:
            self.nlp(requests)
        return self.persister.submit(outputs, received_at)

    def publish(self, frame: Frame, kind: str) -> None:
        if isinstance(frame, Alert):
            if self.recent_alerts is not None:
                self.recent_alerts.add(frame, self._clock())
            self._metrics.alerts.labels(frame.kind.value).inc()
            if frame.kind in _TIMER_ALERTS:
                late = (self._clock() - frame.at).total_seconds()
                self._metrics.alert_lateness.observe(max(0.0, late))
        self.hub.publish_lazily(kind, frame.agent_id, frame.to_frame)
