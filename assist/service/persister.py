"""Group commit: outputs gather in a batch that one background task writes at a time.

Ingest never waits for SQL — it hands outputs over and gets a future that resolves once
they are committed, which is when the event is acknowledged. While one batch is being
written the next one fills, so throughput grows with load instead of latency. A write
that fails because the store is away is retried with backoff, keeping the batch;
:meth:`Persister.close` drains everything accepted before shutdown. A write the store
refuses for its content (see :mod:`assist.store.faults`) is split in halves until the
refused row stands alone; that row is logged by its key and counted, the others are
written — one bad row never blocks the rest, and is never retried for ever.
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
from assist.store.faults import describe_fault, is_data_fault
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
        self.rejected = 0

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
        parts = [batch]
        backoff = 0.1
        while parts:
            part = parts.pop()
            started = time.perf_counter()
            try:
                await write_batch(self._database, part)
            except Exception as exc:
                if is_data_fault(exc):
                    if len(part) > 1:
                        first, second = part.halves()
                        parts.extend((second, first))
                    else:
                        self._reject(part, exc)
                    continue
                self.healthy = False
                self._metrics.store_failures.inc()
                log.error(
                    "writing %d rows failed (%s); retrying in %.1fs",
                    len(part),
                    describe_fault(exc),
                    backoff,
                )
                parts.append(part)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
                continue
            self.healthy = True
            backoff = 0.1
            self._metrics.flush_seconds.observe(time.perf_counter() - started)

    def _reject(self, row: Batch, error: Exception) -> None:
        self.rejected += 1
        self._metrics.rejected_rows.inc()
        log.error(
            "the store refused %s (%s); written without it", row.describe(), describe_fault(error)
        )

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
