"""Group commit: outputs gather in a batch that one background task writes at a time.

Ingest never waits for SQL — it hands outputs over and gets a future that resolves once
they are committed, which is when the event is acknowledged. While one batch is being
written the next one fills, so throughput grows with load instead of latency. A failed
write is retried with backoff, keeping the batch; :meth:`Persister.close` drains
everything accepted before shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.outputs import Output
from assist.service.metrics import Metrics
from assist.store.writer import Batch, write_batch

__all__ = ["Persister"]

log = logging.getLogger("assist.store")
_MAX_BACKOFF_S = 5.0


class Persister:
    def __init__(self, database: AsyncEngine, metrics: Metrics) -> None:
        self._database = database
        self._metrics = metrics
        self._batch = Batch()
        self._done: asyncio.Future[None] | None = None
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self.healthy = True

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="assist-persister")

    def submit(
        self, outputs: Iterable[Output], received_at: datetime | None
    ) -> asyncio.Future[None]:
        """Queue outputs; the future resolves when they are committed."""
        self._batch.add(outputs, received_at)
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
        self._wake.set()
        return self._done

    @property
    def pending(self) -> int:
        return len(self._batch)

    async def _run(self) -> None:
        while True:
            if self._done is None:
                if self._closing:
                    return
                await self._wake.wait()
                self._wake.clear()
                continue
            batch, done = self._batch, self._done
            self._batch, self._done = Batch(), None
            await self._write(batch)
            if not done.done():
                done.set_result(None)

    async def _write(self, batch: Batch) -> None:
        backoff = 0.1
        while True:
            started = time.perf_counter()
            try:
                await write_batch(self._database, batch)
            except Exception:
                self.healthy = False
                self._metrics.store_failures.inc()
                log.exception("writing %d rows failed; retrying in %.1fs", len(batch), backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
                continue
            self.healthy = True
            self._metrics.flush_seconds.observe(time.perf_counter() - started)
            return

    async def close(self, timeout_s: float = 30.0) -> None:
        """Write everything submitted so far, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._task, timeout_s)
        except TimeoutError:
            log.error("store unavailable at shutdown: %d rows were not written", self.pending)
