"""What one ingested event costs, in CPU, with no network and no load generator.

``assist bench`` measures rates through the websocket stack, on a machine it shares with
its client, so its figures move with everything else running there. This drives the
bench's own frames straight into :meth:`Runtime.admit` on a fresh SQLite file (16 frames
in flight, as the saturated load keeps), waits for every commit and for the NLP workers
to finish, and reads CPU time per thread group: the event loop's thread, the rest of the
service process (the SQLite writer thread), the NLP worker processes, and the garbage
collector's share of the loop. CPU time moves far less with the machine's other load
than wall time does; compare two builds back to back all the same.

``python -m assist.bench_cost [--frames 1200] [--json]`` (``make cost``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assist.bench import Script
from assist.service.metrics import Metrics
from assist.service.runtime import Runtime
from assist.settings import load_settings
from assist.store.database import migrate, open_database

__all__ = ["Cost", "measure", "main"]

_IN_FLIGHT = 16
_BATCH = 100
_CONVERSATIONS = 2000
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Cost:
    """Per ingested event: CPU µs by where it was spent, and the wall rate."""

    events: int
    events_per_s: float
    loop_us: float
    rest_of_process_us: float
    nlp_workers_us: float | None
    gc_us: float
    gc_longest_ms: float

    def line(self) -> str:
        workers = "n/a" if self.nlp_workers_us is None else f"{self.nlp_workers_us:.1f}"
        return (
            f"{self.events:,} events, {self.events_per_s:,.0f} events/s; CPU µs an event: "
            f"event loop {self.loop_us:.1f}, rest of the process {self.rest_of_process_us:.1f}"
            f", NLP workers {workers}; garbage collection {self.gc_us:.1f} of those "
            f"(longest pass {self.gc_longest_ms:.1f} ms)"
        )


class _GcClock:
    """CPU time the collector takes on the thread it runs on (via ``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.longest = 0.0
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.thread_time()
            return
        spent = time.thread_time() - self._started
        self.total += spent
        self.longest = max(self.longest, spent)


def _children_cpu_s() -> float | None:
    """CPU seconds used so far by this process's children (the NLP workers); Linux only."""
    pid = os.getpid()
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0
        for child in children:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return total / _TICKS


async def measure(frames: int, workdir: Path) -> Cost:
    """Ingest ``frames`` frames of 100 events into a fresh service; CPU per event."""
    url = f"sqlite+aiosqlite:///{workdir / 'cost.db'}"
    settings = load_settings(db_url=url, greeting_s=1.0)
    database = open_database(url)
    await migrate(database)
    runtime = Runtime(settings, database, Metrics())
    await runtime.start()
    script = Script(_CONVERSATIONS, "cost")
    raws = [script.frame(_BATCH) for _ in range(frames)]
    collector = _GcClock()
    gc.callbacks.append(collector)
    try:
        workers_before = _children_cpu_s()
        started, loop_before, process_before = (
            time.perf_counter(),
            time.thread_time(),
            time.process_time(),
        )
        pending: deque[asyncio.Future[None]] = deque()
        for raw in raws:
            _, committed = await runtime.admit(raw)
            pending.append(committed)
            if len(pending) >= _IN_FLIGHT:
                await pending.popleft()
        for committed in pending:
            await committed
        while runtime.nlp.pending:
            await asyncio.sleep(0.005)
        wall = time.perf_counter() - started
        loop = time.thread_time() - loop_before
        process = time.process_time() - process_before
        workers_after = _children_cpu_s()
    finally:
        gc.callbacks.remove(collector)
        await runtime.stop()
        await database.dispose()
    events = frames * _BATCH
    workers = (
        None
        if workers_before is None or workers_after is None
        else (workers_after - workers_before) / events * 1e6
    )
    return Cost(
        events=events,
        events_per_s=round(events / wall, 1),
        loop_us=round(loop / events * 1e6, 2),
        rest_of_process_us=round((process - loop) / events * 1e6, 2),
        nlp_workers_us=None if workers is None else round(workers, 2),
        gc_us=round(collector.total / events * 1e6, 2),
        gc_longest_ms=round(collector.longest * 1000, 2),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--frames", type=int, default=1200, help="frames of 100 events")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="assist-cost-") as workdir:
        cost = asyncio.run(measure(args.frames, Path(workdir)))
    print(json.dumps(asdict(cost)) if args.json else cost.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
