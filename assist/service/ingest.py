"""Ingest: one inbound frame → events applied to the engine, replies, and a commit future.

Shared by the websocket and HTTP routes (and the Chatwoot webhook), so they cannot
disagree on what a frame means or when it is acknowledged: after its commit.

:meth:`Ingestor.admit` is the path under load. It applies a frame in slices of
``slice_events`` events and yields to the event loop between slices, firing any deadline
that has passed first — so a due alert waits for at most one slice of ingest work, not
for every frame every connection has sent. It first waits while the NLP pool's queue is
full: ingest is slowed (acks come later), never dropped. Within a connection frames are
applied one after another, so their events keep their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from assist.core.engine import Engine
from assist.core.errors import InvalidEvent
from assist.core.events import Event
from assist.core.outputs import Output
from assist.core.protocol import ack_frame, decode_frame_shaped, parse_item, split_frame
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
        *,
        slice_events: int = 25,
        room: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._engine = engine
        self._dispatcher = dispatcher
        self._timers = timers
        self._metrics = metrics
        self._clock = clock
        self._slice = slice_events
        self._room = room

    def ingest(self, raw: str | bytes) -> tuple[Any, asyncio.Future[None]]:
        """Apply one frame at once; return its reply and the future of its commit.

        The reply is one object for an object frame and an array (one element per event,
        in order) for an array frame; a frame that is not JSON at all gets one error.
        """
        received_at = self._clock()
        items, is_batch = decode_frame_shaped(raw, received_at)
        replies: list[dict[str, Any]] = []
        done = self._apply(items, replies, received_at)
        return (replies if is_batch else replies[0]), done

    async def admit(self, raw: str | bytes) -> tuple[Any, asyncio.Future[None]]:
        """:meth:`ingest`, in slices, once the NLP queue has room (see the module doc)."""
        # Stamped on arrival: a wait for room in the NLP queue must not start waits late.
        received_at = self._clock()
        if self._room is not None:
            await self._room()
        elements, is_batch = split_frame(raw)
        replies: list[dict[str, Any]] = []
        done = None
        for start in range(0, max(len(elements), 1), self._slice):
            if start:
                await asyncio.sleep(0)
            self._timers.fire_if_due()
            items = [parse_item(e, received_at) for e in elements[start : start + self._slice]]
            done = self._apply(items, replies, received_at)
        assert done is not None
        return (replies if is_batch else replies[0]), done

    def _apply(
        self,
        items: Sequence[Event | InvalidEvent],
        replies: list[dict[str, Any]],
        received_at: datetime,
    ) -> asyncio.Future[None]:
        """Apply ``items`` now; the future resolves once they (and all before) are stored."""
        now = max(received_at, self._clock())
        outputs: list[Output] = []
        before = self._engine.next_deadline()
        # Counted once per slice and type: a Prometheus child per event was ~2% of ingest.
        accepted: dict[str, int] = {}
        duplicates = 0
        for item in items:
            if isinstance(item, InvalidEvent):
                self._metrics.errors.labels(item.code).inc()
                replies.append(item.to_frame())
                continue
            result = self._engine.handle(item, now)
            if result.duplicate:
                duplicates += 1
            else:
                kind = item.type.value
                accepted[kind] = accepted.get(kind, 0) + 1
            replies.append(ack_frame(item.id, duplicate=result.duplicate))
            outputs.extend(result.outputs)
        for kind, count in accepted.items():
            self._metrics.events.labels(kind).inc(count)
        if duplicates:
            self._metrics.duplicates.inc(duplicates)
        done = self._dispatcher.dispatch(outputs, received_at)
        after = self._engine.next_deadline()
        if after is not None and (before is None or after < before):
            self._timers.wake()
        return done
