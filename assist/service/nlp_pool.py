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
  and gained nothing. Under steady load a lane sends at most one batch per
  :data:`_LINGER_S` (unless a full one waits), so batches stay large.
- **Bounded.** Requests wait in their lane until sent. While a lane is behind, a
  suggestion for a customer message the agent has since answered goes as a cheap
  *screen*: the worker makes it only if a complaint keyword is in the text (the
  supervisors' complaint alert comes with it) and skips it otherwise (counted in
  ``assist_nlp_skipped``); the ingest path asks :meth:`NlpPool.has_room` before admitting
  more, so the queue stays under ``limit`` without dropping anything else.
- **Rules.** Workers load rules through :mod:`assist.assembly` (the only place that reads
  rule files); :meth:`NlpPool.reload` makes each lane's next batch carry a reload.
- ``workers=0`` runs the same lanes on the event loop, after the current ingest slice —
  for one-core machines and the test suite; outputs still come after the ack.

A worker that dies is replaced (when its lane next sends); the batches it had are run on
the event loop instead, in order, so no suggestion or lint finding is lost. A new worker
is spawned with its socket only and gets its rules (settings and the whole catalogue) as
the first frame, written without blocking: as a process argument they were written to
the child with a blocking write that held the loop ~0.5 s for a few hundred products.

**The wire.** Each worker is a spawned process with one socket to the service, which
the event loop itself reads (``add_reader``) and writes (non-blocking; what the socket
does not take waits for ``add_writer``). A batch goes as one pickle of plain rows
(:mod:`assist.service.nlp_wire`), its results come back the same way and are rebuilt
into the dataclasses on the loop. This replaced a ``ProcessPoolExecutor(1)`` per lane,
whose feeder and manager threads pickled the dataclasses (with their datetimes) and
unpickled the results while holding the GIL the loop needs. Measured with the pool
alone (100,000 requests, 2 workers): the service's CPU per request went from ~11.5 µs
(~7 of it in those threads) to ~5.4 µs, all on the loop (~0.8 µs more there: rows
built and rebuilt); the workers' from ~42 to ~36 µs. In the in-process ingest harness
with the same NLP work, ~7-9 µs less of the service's CPU per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.process import BaseProcess

from assist.core.errors import RulesError
from assist.core.nlp import LintsMessages, NlpResult, SuggestsReplies, request_outputs, run_request
from assist.core.outputs import NlpKind, NlpRequest, Output
from assist.core.suggest.catalog import Catalog
from assist.service.nlp_wire import (
    ProductRow,
    ResultRow,
    product_rows,
    products_of,
    request_of,
    request_rows,
    result_row,
    results_of,
)
from assist.settings import Settings

__all__ = ["NlpPool", "PoolMetrics"]

log = logging.getLogger("assist.nlp")
_BATCH = 256
_BATCHES_IN_FLIGHT = 2
_DELIVER = 32
_SCREEN_WEIGHT = 1 / 16
# Workers yield the CPU to the event loop's process: on a busy machine a due alert must
# not wait for the scheduler to finish a worker's time slice.
_WORKER_NICE = 10
# A frame on a worker's socket: its length, then a pickle.
_HEADER = struct.Struct("!Q")
_PICKLE = pickle.HIGHEST_PROTOCOL
_READ = 1 << 16
# A lane sends at most one batch this often unless a full one is waiting: a worker that
# keeps up would otherwise be sent a batch of one or two requests at a time, and each
# trip costs both processes a wake-up and a few syscalls (measured in-process: ~8x the
# batches and 1.5-5 µs more of the loop's CPU per ingested event without it). A request
# that finds its lane quiet still goes at once.
_LINGER_S = 0.01

Rules = Callable[[], tuple[SuggestsReplies | None, LintsMessages | None]]
Reload = tuple[Settings, tuple[ProductRow, ...]]


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
        suggester = load_suggester(settings, Catalog.of(products_of(products)))
        linter = load_linter(settings)
    except RulesError as exc:
        log.error("worker kept its previous rules: %s", exc)
        return
    _worker_suggester, _worker_linter = suggester, linter


def _worker_main(sock: socket.socket) -> None:
    """A worker process: load the rules the first frame carries, say so, then answer
    batches until the service closes its end of the socket. Ctrl-C is the service's to
    handle: it stops its workers once their submitted work is done.

    The rules (settings and the whole catalogue) come over the socket, not as a process
    argument: spawning writes its arguments to the child with a blocking write, which
    for a catalogue of a few hundred products held the event loop for ~0.5 s."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(_WORKER_NICE)
    with sock, contextlib.suppress(EOFError, ConnectionError):
        reload, _ = pickle.loads(_receive(sock))
        _worker_load(reload)
        sock.sendall(_frame(b""))
        while True:
            reload_now, rows = pickle.loads(_receive(sock))
            if reload_now is not None:
                _worker_load(reload_now)
            batch = [request_of(row) for row in rows]
            sock.sendall(_frame(_answer(_run_each(batch, _worker_suggester, _worker_linter))))


def _receive(sock: socket.socket) -> bytearray:
    """One frame's payload (blocking: a worker has nothing else to do)."""
    (size,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    return _exactly(sock, size)


def _exactly(sock: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError
        got += n
    return buffer


def _answer(results: list[NlpResult | None]) -> bytes:
    """The batch's results; None if they cannot be sent back (a slot value pickle
    refuses), which costs the batch its frames, not the lane."""
    try:
        return pickle.dumps([result_row(result) for result in results], _PICKLE)
    except Exception:
        log.exception("NLP results could not be sent back; the batch's frames are lost")
        return pickle.dumps(None, _PICKLE)


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


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


# -- the pool ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    """A worker process and the service's end of its socket (non-blocking, read by the
    event loop)."""

    process: BaseProcess
    sock: socket.socket
    # batches sent and not answered yet, oldest first: a worker answers in that order
    sent: deque[list[NlpRequest]] = field(default_factory=deque)
    inbox: bytearray = field(default_factory=bytearray)
    # bytes the socket would not take yet; the loop writes them when it can
    outbox: bytearray = field(default_factory=bytearray)
    greeted: bool = False
    ready: asyncio.Future[None] | None = None


@dataclass(eq=False)
class _Lane:
    """A worker (unless ``workers=0``) and the requests waiting for it, oldest first."""

    remote: bool
    # None once it died (or before the first) — a new one starts with the next batch
    worker: _Worker | None = None
    queue: deque[tuple[int, NlpRequest]] = field(default_factory=deque)
    in_flight: int = 0
    reload: Reload | None = None
    # conversation → sequence number of the latest agent message queued in this lane
    answered: dict[str, int] = field(default_factory=dict)
    # Set once more than a batch waits, cleared once the queue is empty: while behind,
    # answered suggestions go as screens (see NlpPool._take).
    behind: bool = False
    # when its last batch left (loop time), and the timer that sends the next one
    sent_at: float = float("-inf")
    linger: asyncio.TimerHandle | None = None


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
        if self._workers == 0:
            self._lanes = [_Lane(remote=False)]
            return
        reload = self._reload_payload(catalog)
        self._lanes = [_Lane(remote=True) for _ in range(self._workers)]
        loop = asyncio.get_running_loop()
        ready: list[asyncio.Future[None]] = []
        for lane in self._lanes:
            worker = self._spawn(lane, reload)
            worker.ready = loop.create_future()
            ready.append(worker.ready)
        await asyncio.gather(*ready)

    async def close(self, timeout_s: float = 30.0) -> None:
        """Finish what was submitted (its outputs are delivered), then stop the workers."""
        self._closed = True
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        while self.pending and loop.time() < end:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # the last results' hand-on callbacks
        workers: list[_Worker] = []
        for lane in self._lanes:
            if lane.linger is not None:
                lane.linger.cancel()
            if lane.worker is not None:
                # Its end of the socket reads end-of-file: it finishes its batch and exits.
                self._hang_up(lane.worker)
                workers.append(lane.worker)
                lane.worker = None
        for worker in workers:
            await asyncio.to_thread(worker.process.join, max(end - loop.time(), 1.0))
            if worker.process.is_alive():
                worker.process.kill()
                await asyncio.to_thread(worker.process.join)

    def reload(self, catalog: Catalog) -> None:
        """New rules or catalogue: each lane's next batch makes its worker reload."""
        payload = self._reload_payload(catalog)
        for lane in self._lanes:
            lane.reload = payload

    def _reload_payload(self, catalog: Catalog) -> Reload:
        return self.settings, product_rows(tuple(catalog.products.values()))

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
        """Up to one batch of the lane's oldest requests. While the lane is behind (from
        the moment more than a batch waits until it has caught up), a suggestion for a
        message already answered goes as a *screen* (:attr:`NlpKind.SCREEN`): the
        worker makes it only if a complaint keyword is in the text — the supervisors'
        complaint alert comes with it — and otherwise skips it (counted in
        ``assist_nlp_skipped``). Screening is the worker's job, not the loop's: a
        keyword test costs ~5–75 µs a message."""
        batch: list[NlpRequest] = []
        if len(lane.queue) > _BATCH:
            lane.behind = True
        # On the event loop itself a batch is one uninterrupted callback: keep it short.
        size = _BATCH if lane.remote else _DELIVER
        # A screen weighs a sixteenth of a request: a lane far behind drains its
        # backlog in a few batches, yet a batch stays bounded.
        room = float(size)
        while lane.queue and room > 0:
            sequence, request = lane.queue.popleft()
            self._queued -= 1
            if (
                lane.behind
                and request.kind is NlpKind.SUGGEST
                and lane.answered.get(request.conversation_id, 0) > sequence
            ):
                request = replace(request, kind=NlpKind.SCREEN)
                room -= _SCREEN_WEIGHT
            else:
                room -= 1
            batch.append(request)
        if not lane.queue:
            lane.answered.clear()
            lane.behind = False
        if self.has_room():
            self._room.set()
        return batch

    def _pump(self, lane: _Lane) -> None:
        loop = asyncio.get_running_loop()
        while lane.in_flight < _BATCHES_IN_FLIGHT and lane.queue:
            if lane.remote and len(lane.queue) < _BATCH:
                wait = lane.sent_at + _LINGER_S - loop.time()
                if wait > 0:
                    if lane.linger is None:
                        lane.linger = loop.call_later(wait, self._lingered, lane)
                    return
            batch = self._take(lane)
            if not batch:
                continue
            lane.in_flight += 1
            self._working += len(batch)
            self.metrics.batches += 1
            lane.sent_at = loop.time()
            worker = lane.worker
            if worker is None and lane.remote and not self._closed:
                try:
                    worker = self._spawn(lane, self._reload_payload(self._catalog_of_rules()))
                except OSError:  # out of processes or descriptors: this batch runs here
                    log.exception("could not start an NLP worker")
            if worker is None:
                loop.call_soon(self._run_here, lane, batch)
                continue
            reload, lane.reload = lane.reload, None
            self._send(lane, worker, batch, reload)

    def _lingered(self, lane: _Lane) -> None:
        lane.linger = None
        self._pump(lane)

    def _run_here(self, lane: _Lane, batch: list[NlpRequest]) -> None:
        suggester, linter = self._rules()
        self._complete(lane, batch, _run_each(batch, suggester, linter))

    # -- the workers' sockets ----------------------------------------------------------

    def _spawn(self, lane: _Lane, reload: Reload) -> _Worker:
        """A new worker for ``lane`` (spawned: the service's threads must not be forked)."""
        ours, theirs = socket.socketpair()
        process = multiprocessing.get_context("spawn").Process(
            target=_worker_main, args=(theirs,), name="assist-nlp", daemon=True
        )
        try:
            process.start()
        finally:
            theirs.close()  # the worker has its own copy; ours must not keep it open
        ours.setblocking(False)
        worker = _Worker(process, ours)
        asyncio.get_running_loop().add_reader(ours.fileno(), self._readable, lane, worker)
        lane.worker = worker
        self._write(lane, worker, _frame(pickle.dumps((reload, []), _PICKLE)))
        if lane.worker is not worker:
            raise OSError("a new NLP worker hung up before it was sent its rules")
        return worker

    def _send(
        self, lane: _Lane, worker: _Worker, batch: list[NlpRequest], reload: Reload | None
    ) -> None:
        """Write ``batch`` to the worker without ever blocking the loop: what the socket
        does not take now waits in ``outbox`` for the loop to say it is writable."""
        try:
            data = _frame(pickle.dumps((reload, request_rows(batch)), _PICKLE))
        except Exception:
            # A value pickle refuses costs this batch its frames, not the lane; a reload
            # it was to carry goes with the next batch.
            if lane.reload is None:
                lane.reload = reload
            self.metrics.fail()
            log.exception("an NLP batch could not be sent; its suggestions and lint are lost")
            lost: list[NlpResult | None] = [None] * len(batch)
            asyncio.get_running_loop().call_soon(self._complete, lane, batch, lost)
            return
        worker.sent.append(batch)
        self._write(lane, worker, data)

    def _write(self, lane: _Lane, worker: _Worker, data: bytes) -> None:
        """Send ``data`` now as far as the socket takes it; the rest waits in ``outbox``
        until the loop says the socket is writable (a write never blocks the loop)."""
        if worker.outbox:
            worker.outbox += data
            return
        try:
            written = worker.sock.send(data)
        except (BlockingIOError, InterruptedError):
            written = 0
        except OSError:
            self._lost(lane, worker)
            return
        if written < len(data):
            worker.outbox += memoryview(data)[written:]
            asyncio.get_running_loop().add_writer(
                worker.sock.fileno(), self._writable, lane, worker
            )

    def _writable(self, lane: _Lane, worker: _Worker) -> None:
        try:
            written = worker.sock.send(worker.outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._lost(lane, worker)
            return
        del worker.outbox[:written]
        if not worker.outbox:
            asyncio.get_running_loop().remove_writer(worker.sock.fileno())

    def _readable(self, lane: _Lane, worker: _Worker) -> None:
        try:
            data = worker.sock.recv(_READ)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._lost(lane, worker)
            return
        inbox = worker.inbox
        inbox += data
        while len(inbox) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(inbox)
            end = _HEADER.size + size
            if len(inbox) < end:
                return
            payload = inbox[_HEADER.size : end]
            del inbox[:end]
            self._answered(lane, worker, payload)
            if worker is not lane.worker:
                return  # it was lost meanwhile (a write to it failed)

    def _answered(self, lane: _Lane, worker: _Worker, payload: bytearray) -> None:
        if not worker.greeted:  # the first frame says the rules are loaded
            worker.greeted = True
            if worker.ready is not None and not worker.ready.done():
                worker.ready.set_result(None)
            return
        batch = worker.sent.popleft()
        try:
            rows: list[ResultRow] | None = pickle.loads(payload)
            if rows is None:
                raise ValueError("the worker could not send this batch's results")
            results = results_of(rows)
        except Exception:
            # Requests are guarded one by one in the worker; anything else (results
            # that could not be sent back) loses this batch's frames, not the lane.
            self.metrics.fail()
            log.exception("an NLP batch failed; its suggestions and lint are lost")
            results = [None] * len(batch)
        self._complete(lane, batch, results)

    def _lost(self, lane: _Lane, worker: _Worker) -> None:
        """The worker died: its batches run on the event loop, in order (so nothing is
        lost), and the lane's next batch starts a new worker."""
        if worker is not lane.worker:
            return
        lane.worker = None
        self._hang_up(worker)
        if worker.process.is_alive():
            worker.process.kill()
        if worker.ready is not None and not worker.ready.done():
            worker.ready.set_exception(RuntimeError("an NLP worker died loading the rules"))
        if worker.sent:
            log.error("an NLP worker died; running its %d batches here", len(worker.sent))
        loop = asyncio.get_running_loop()
        while worker.sent:
            self.metrics.fail()
            loop.call_soon(self._run_here, lane, worker.sent.popleft())

    @staticmethod
    def _hang_up(worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(worker.sock.fileno())
        loop.remove_writer(worker.sock.fileno())
        worker.sock.close()

    def _catalog_of_rules(self) -> Catalog:
        suggester, _ = self._rules()
        catalog = getattr(suggester, "catalog", None)
        return catalog if isinstance(catalog, Catalog) else Catalog.empty()

    def _complete(
        self, lane: _Lane, batch: list[NlpRequest], results: list[NlpResult | None]
    ) -> None:
        lane.in_flight -= 1
        self._working -= len(batch)
        for request, result in zip(batch, results, strict=True):
            if request.kind is NlpKind.SCREEN and result is None:
                self.metrics.skip(NlpKind.SUGGEST)
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
