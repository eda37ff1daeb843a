"""Ingest: one inbound frame → events applied to the engine, replies, and a commit future.

Shared by the websocket and HTTP routes (and the Chatwoot webhook), so they cannot
disagree on what a frame means or when it is acknowledged: after its commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from assist.core.engine import Engine
from assist.core.errors import InvalidEvent
from assist.core.outputs import Output
from assist.core.protocol import ack_frame, decode_frame_shaped
from assist.service.dispatch import Dispatcher
from assist.service.metrics import Metrics
from assist.service.timer_driver import TimerDriver

__all__ = ["Ingestor"]


class Ingestor:
    def __init__(
        self,
        engine: Engine,
        dispatcher: Dispatcher,
        timers: TimerDriver,
        metrics: Metrics,
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._dispatcher = dispatcher
        self._timers = timers
        self._metrics = metrics
        self._clock = clock

    def ingest(self, raw: str | bytes) -> tuple[Any, asyncio.Future[None]]:
        """Apply one frame; return its reply and the future of its commit.

        The reply is one object for an object frame and an array (one element per event,
        in order) for an array frame; a frame that is not JSON at all gets one error.
        """
        received_at = self._clock()
        replies: list[dict[str, Any]] = []
        outputs: list[Output] = []
        before = self._engine.next_deadline()
        items, is_batch = decode_frame_shaped(raw, received_at)
        for item in items:
            if isinstance(item, InvalidEvent):
                self._metrics.errors.labels(item.code).inc()
                replies.append(item.to_frame())
                continue
            result = self._engine.handle(item, received_at)
            if result.duplicate:
                self._metrics.duplicates.inc()
            else:
                self._metrics.events.labels(item.type.value).inc()
            replies.append(ack_frame(item.id, duplicate=result.duplicate))
            outputs.extend(result.outputs)
        done = self._dispatcher.dispatch(outputs, received_at)
        after = self._engine.next_deadline()
        if after is not None and (before is None or after < before):
            self._timers.wake()
        return (replies if is_batch else replies[0]), done
