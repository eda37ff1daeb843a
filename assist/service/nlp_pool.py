"""Suggestions and lint in worker processes, so the event loop keeps time for the timers.

The engine hands out :class:`~assist.core.outputs.NlpRequest` values; this pool runs them
and hands back the frames they make (:func:`assist.core.nlp.request_outputs`, the same
function replay calls inline). Profiled under saturated ingest, suggestions took 59% of
the event loop; every due alert waited behind them.

- **Order.** A conversation always goes to the same worker (its *lane*); a lane's worker
  is one process that runs its batches one after the other, and a lane has at most
  :data:`_BATCHES_IN_FLIGHT` batches out, so a conversation's frames come back in
  message order.
- **Batches.** Requests travel to a worker in batches (up to :data:`_BATCH` requests),
  so one pickle round-trip pays for many messages — a per-message executor was tried
  and gained nothing.
- **Bounded.** Requests wait in their lane until sent. A suggestion for a customer
  message the agent has since answered is skipped when its turn comes (counted in
  ``assist_nlp_skipped``); the ingest path asks :meth:`NlpPool.has_room` before admitting
  more, so the queue stays under ``limit`` without dropping anything else.
- **Rules.** Workers load rules through :mod:`assist.assembly` (the only place that reads
  rule files); :meth:`NlpPool.reload` makes each lane's next batch carry a reload.
- ``workers=0`` runs the same lanes on the event loop, after the current ingest slice —
  for one-core machines and the test suite; outputs still come after the ack.

A worker that dies is replaced; the batch it had is run on the event loop instead, so no
suggestion or lint finding is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from assist.core.errors import RulesError
from assist.core.nlp import LintsMessages, NlpResult, SuggestsReplies, request_outputs, run_request
from assist.core.outputs import NlpKind, NlpRequest, Output
from assist.core.suggest.catalog import Catalog, Product
from assist.settings import Settings

__all__ = ["NlpPool", "PoolMetrics"]

log = logging.getLogger("assist.nlp")
_BATCH = 256
_BATCHES_IN_FLIGHT = 2
_DELIVER = 32
# Workers yield the CPU to the event loop's process: on a busy machine a due alert must
# not wait for the scheduler to finish a worker's time slice.
_WORKER_NICE = 10

Rules = Callable[[], tuple[SuggestsReplies | None, LintsMessages | None]]
Reload = tuple[Settings, tuple[Product, ...]]


@dataclass
class PoolMetrics:
    """Counts the pool keeps; ``listener`` (the service's Prometheus counters) hears
    each skip and failure as it happens."""

    skipped: dict[str, int] = field(default_factory=dict)
    failures: int = 0
    batches: int = 0
    listener: Callable[[str], None] | None = None

    def skip(self, kind: NlpKind) -> None:
        self.skipped[kind.value] = self.skipped.get(kind.value, 0) + 1
        if self.listener is not None:
            self.listener(kind.value)

    def fail(self) -> None:
        self.failures += 1
        if self.listener is not None:
            self.listener("failure")


# -- the worker process ---------------------------------------------------------------

_worker_suggester: SuggestsReplies | None = None
_worker_linter: LintsMessages | None = None


def _worker_load(reload: Reload) -> None:
    """Load the rules in a worker; a broken rule file keeps the rules it had."""
    global _worker_suggester, _worker_linter
    from assist.assembly import load_linter, load_suggester

    settings, products = reload
    try:
        suggester = load_suggester(settings, Catalog.of(products))
        linter = load_linter(settings)
    except RulesError as exc:
        log.error("worker kept its previous rules: %s", exc)
        return
    _worker_suggester, _worker_linter = suggester, linter


def _worker_start(reload: Reload) -> None:
    with contextlib.suppress(OSError):
        os.nice(_WORKER_NICE)
    _worker_load(reload)


def _run_each(
    batch: Sequence[NlpRequest],
    suggester: SuggestsReplies | None,
    linter: LintsMessages | None,
) -> list[NlpResult | None]:
    """Every request of ``batch``; one that raises yields no result (and is logged), so a
    single odd message can neither stall its lane nor pass for a dead worker."""
    results: list[NlpResult | None] = []
    for request in batch:
        try:
            results.append(run_request(request, suggester, linter))
        except Exception:
            log.exception(
                "NLP failed on message %s; no suggestion or lint for it", request.message_id
            )
            results.append(None)
    return results


def _worker_run(batch: Sequence[NlpRequest], reload: Reload | None) -> list[NlpResult | None]:
    if reload is not None:
        _worker_load(reload)
    return _run_each(batch, _worker_suggester, _worker_linter)


def _executor(reload: Reload) -> ProcessPoolExecutor:
    """One worker process (spawned: the service's threads must not be forked)."""
    return ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(reload,),
    )


# -- the pool ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Lane:
    """One worker and the requests waiting for it, oldest first."""

    executor: ProcessPoolExecutor | None
    queue: deque[tuple[int, NlpRequest]] = field(default_factory=deque)
    in_flight: int = 0
    reload: Reload | None = None
    # conversation → sequence number of the latest agent message queued in this lane
    answered: dict[str, int] = field(default_factory=dict)


class NlpPool:
    def __init__(
        self,
        settings: Settings,
        deliver: Callable[[list[Output]], None],
        rules: Rules,
        *,
        workers: int,
        limit: int,
    ) -> None:
        """``deliver`` gets each batch's outputs on the event loop; ``rules`` gives the
        event loop's own rules, used when ``workers`` is 0 or a worker died."""
        self.settings = settings
        self.limit = limit
        self.metrics = PoolMetrics()
        self._deliver = deliver
        self._rules = rules
        self._workers = workers
        self._lanes: list[_Lane] = []
        self._queued = 0
        self._working = 0
        self._sequence = 0
        self._room = asyncio.Event()
        self._room.set()
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, catalog: Catalog) -> None:
        """Start the workers and wait until each has loaded the rules."""
        reload = self._reload_payload(catalog)
        if self._workers == 0:
            self._lanes = [_Lane(None)]
            return
        self._lanes = [_Lane(_executor(reload)) for _ in range(self._workers)]
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(lane.executor, _worker_run, (), None) for lane in self._lanes)
        )

    async def close(self, timeout_s: float = 30.0) -> None:
        """Finish what was submitted (its outputs are delivered), then stop the workers."""
        self._closed = True
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        while self.pending and loop.time() < end:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # the last results' hand-on callbacks
        for lane in self._lanes:
            if lane.executor is not None:
                await asyncio.to_thread(lane.executor.shutdown, wait=True, cancel_futures=True)

    def reload(self, catalog: Catalog) -> None:
        """New rules or catalogue: each lane's next batch makes its worker reload."""
        payload = self._reload_payload(catalog)
        for lane in self._lanes:
            lane.reload = payload

    def _reload_payload(self, catalog: Catalog) -> Reload:
        return self.settings, tuple(catalog.products.values())

    # -- work --------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Requests queued or being worked on."""
        return self._queued + self._working

    @property
    def queued(self) -> int:
        return self._queued

    def has_room(self) -> bool:
        return self._queued < self.limit

    async def wait_room(self) -> None:
        """Return once the queue is under its limit again (ingest waits here)."""
        while not self.has_room():
            self._room.clear()
            await self._room.wait()

    def submit(self, requests: Sequence[NlpRequest]) -> None:
        """Queue ``requests`` (in message order); they are sent at the next turn of the loop."""
        touched: set[int] = set()
        for request in requests:
            index = self._lane_of(request.conversation_id)
            lane = self._lanes[index]
            self._sequence += 1
            if request.kind is NlpKind.LINT:
                lane.answered[request.conversation_id] = self._sequence
            lane.queue.append((self._sequence, request))
            self._queued += 1
            touched.add(index)
        for index in touched:
            self._pump(self._lanes[index])

    def _lane_of(self, conversation_id: str) -> int:
        if len(self._lanes) == 1:
            return 0
        return zlib.crc32(conversation_id.encode()) % len(self._lanes)

    def _take(self, lane: _Lane) -> list[NlpRequest]:
        """Up to one batch of the lane's oldest requests; while the lane is behind (more
        than a batch waiting), suggestions for messages already answered are skipped."""
        batch: list[NlpRequest] = []
        behind = len(lane.queue) > _BATCH
        # On the event loop itself a batch is one uninterrupted callback: keep it short.
        size = _BATCH if lane.executor is not None else _DELIVER
        while lane.queue and len(batch) < size:
            sequence, request = lane.queue.popleft()
            self._queued -= 1
            if (
                behind
                and request.kind is NlpKind.SUGGEST
                and lane.answered.get(request.conversation_id, 0) > sequence
            ):
                self.metrics.skip(request.kind)
                continue
            batch.append(request)
        if not lane.queue:
            lane.answered.clear()
        if self.has_room():
            self._room.set()
        return batch

    def _pump(self, lane: _Lane) -> None:
        loop = asyncio.get_running_loop()
        while lane.in_flight < _BATCHES_IN_FLIGHT and lane.queue:
            batch = self._take(lane)
            if not batch:
                continue
            lane.in_flight += 1
            self._working += len(batch)
            self.metrics.batches += 1
            executor = lane.executor
            if executor is None:
                loop.call_soon(self._run_here, lane, batch)
                continue
            reload, lane.reload = lane.reload, None
            try:
                future = executor.submit(_worker_run, batch, reload)
            except BrokenProcessPool:
                # The worker died and its executor knows it already: replace it, and
                # run this batch here (after the batches before it, so in order).
                lane.reload = reload
                self.metrics.fail()
                self._replace(lane, executor)
                loop.call_soon(self._run_here, lane, batch)
                continue
            future.add_done_callback(
                functools.partial(self._hand_back, loop, lane, batch, executor)
            )

    def _run_here(self, lane: _Lane, batch: list[NlpRequest]) -> None:
        suggester, linter = self._rules()
        self._complete(lane, batch, _run_each(batch, suggester, linter))

    def _hand_back(
        self,
        loop: asyncio.AbstractEventLoop,
        lane: _Lane,
        batch: list[NlpRequest],
        executor: ProcessPoolExecutor,
        done: Future[list[NlpResult | None]],
    ) -> None:
        """Runs in the executor's thread: hand the result to the event loop."""
        if not loop.is_closed():
            loop.call_soon_threadsafe(self._finished, lane, batch, executor, done)

    def _finished(
        self,
        lane: _Lane,
        batch: list[NlpRequest],
        executor: ProcessPoolExecutor,
        done: Future[list[NlpResult | None]],
    ) -> None:
        try:
            results = done.result()
        except BrokenProcessPool:
            self.metrics.fail()
            log.exception("an NLP worker died; running its batch here")
            self._replace(lane, executor)
            self._run_here(lane, batch)
            return
        except Exception:
            # Requests are guarded one by one in the worker; anything else (a result
            # that could not be sent back) loses this batch's frames, not the lane.
            self.metrics.fail()
            log.exception("an NLP batch failed; its suggestions and lint are lost")
            results = [None] * len(batch)
        self._complete(lane, batch, results)

    def _replace(self, lane: _Lane, executor: ProcessPoolExecutor) -> None:
        """A fresh worker for ``lane`` if ``executor`` (now broken) is still its own."""
        if executor is lane.executor and not self._closed:
            executor.shutdown(wait=False)
            lane.executor = _executor(self._reload_payload(self._catalog_of_rules()))

    def _catalog_of_rules(self) -> Catalog:
        suggester, _ = self._rules()
        catalog = getattr(suggester, "catalog", None)
        return catalog if isinstance(catalog, Catalog) else Catalog.empty()

    def _complete(
        self, lane: _Lane, batch: list[NlpRequest], results: list[NlpResult | None]
    ) -> None:
        lane.in_flight -= 1
        self._working -= len(batch)
        self._pump(lane)
        # Handed on in small pieces, each its own turn of the loop, so a due timer never
        # waits for a whole batch of frames to be published and stored.
        loop = asyncio.get_running_loop()
        pairs = list(zip(batch, results, strict=True))
        for start in range(0, len(pairs), _DELIVER):
            loop.call_soon(self._hand_on, pairs[start : start + _DELIVER])

    def _hand_on(self, pairs: list[tuple[NlpRequest, NlpResult | None]]) -> None:
        outputs: list[Output] = []
        for request, result in pairs:
            outputs.extend(request_outputs(request, result))
        if outputs:
            self._deliver(outputs)
