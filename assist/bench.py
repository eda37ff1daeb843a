"""Load generator: drives ingest websockets and measures assist against a bare reference.

Absolute throughput moves 2–3× between machines (and with whatever else runs on them),
so the figures that matter are ratios taken in one run with one client: assist's
acknowledged events/s as a share of :mod:`assist.bench_reference`'s (the same FastAPI +
uvicorn websocket stack doing only parse, keep and ack).

Two loads:

- **saturated**: ``connections`` websockets, each keeping ``in_flight`` frames of
  ``batch`` events outstanding (closed loop: a frame goes out when one is acknowledged),
  for ``seconds``. Measures acked events/s and ack latency (send → ack).
- **open conversations**: one synchronous client (a frame, wait for its ack, repeat)
  cycling through ``open_conversations`` conversations, so that many timers are running.

During each load against assist a supervisor — a process of its own, so that the load
generator's CPU use does not show up as lateness — opens a ``/ws/supervisor`` and, on a
websocket of its own, starts a *sentinel* conversation every ``1/sentinel_rate`` s that
nobody answers. Each sentinel's greeting deadline passes while ingest is saturated; the
alert's lateness is when the supervisor received it minus the ``at`` (the deadline) it
names. The load's own conversations are greeted by the agent first and answered well
within the reply deadline, so the sentinels' alerts are the ones measured.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from assist.core.timeutil import parse_ts
from assist.store.stats import percentile

__all__ = [
    "AlertWatch",
    "LoadConfig",
    "LoadResult",
    "Script",
    "run_load",
    "watch_alerts",
]

_CUSTOMER_TEXTS = ("在吗", "这款有L码吗", "我170cm 130斤穿什么码", "几天能到", "能便宜点吗")
_AGENT_TEXTS = ("您好，欢迎光临", "有的亲，L码有货", "建议您选L码哦", "默认申通，3-7天到")
_TIMER_ALERTS = ("greeting_breach", "reply_breach", "escalation")


def _pct(values: list[float], fraction: float) -> float | None:
    return round(percentile(values, fraction), 2) if values else None


@dataclass(frozen=True)
class LoadConfig:
    """One load: how many sockets, how much outstanding per socket, how long."""

    ws_base: str
    seconds: float
    connections: int = 4
    in_flight: int = 4
    batch: int = 100
    conversations: int = 2000


@dataclass
class LoadResult:
    acked: int = 0
    errors: int = 0
    elapsed_s: float = 0.0
    ack_latencies_ms: list[float] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.acked / self.elapsed_s if self.elapsed_s else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "acked_events_per_s": round(self.rate, 1),
            "events_acked": self.acked,
            "errors": self.errors,
            "ack_latency_ms": {
                "p50": _pct(self.ack_latencies_ms, 0.5),
                "p99": _pct(self.ack_latencies_ms, 0.99),
            },
            "connections_closed_by_server": self.closed,
        }


class Script:
    """Conversation ``c``'s next event: the agent greets first, then customer and agent
    alternate — so the load's own reply waits run, and are met, but never breach."""

    def __init__(self, conversations: int, run_id: str) -> None:
        self.conversations = conversations
        self.run_id = run_id
        self.steps = [0] * conversations
        self.cursor = 0
        self.count = 0
        self._customer = [json.dumps(t, ensure_ascii=False) for t in _CUSTOMER_TEXTS]
        self._agent = [json.dumps(t, ensure_ascii=False) for t in _AGENT_TEXTS]

    def event(self) -> str:
        """The next event as JSON text (templated: the client must not be the bottleneck)."""
        c = self.cursor
        self.cursor = (c + 1) % self.conversations
        step = self.steps[c]
        self.steps[c] = step + 1
        self.count += 1
        if step % 2 == 0:
            kind, text = "agent_message", self._agent[(step // 2) % len(self._agent)]
        else:
            kind, text = "customer_message", self._customer[(step // 2) % len(self._customer)]
        return (
            f'{{"id":"{self.run_id}-{self.count}","type":"{kind}",'
            f'"conversation_id":"{self.run_id}-c{c}","customer_id":"u{c}",'
            f'"agent_id":"a{c % 50}","text":{text}}}'
        )

    def frame(self, size: int) -> str:
        return "[" + ",".join(self.event() for _ in range(size)) + "]"


async def _drive(
    socket: ClientConnection, script: Script, config: LoadConfig, end: float, out: LoadResult
) -> None:
    """Keep ``in_flight`` frames outstanding on one socket until ``end``, then drain."""
    sent_at: deque[float] = deque()
    try:
        for _ in range(config.in_flight):
            sent_at.append(time.perf_counter())
            await socket.send(script.frame(config.batch))
        while sent_at:
            reply = await socket.recv()
            now = time.perf_counter()
            out.ack_latencies_ms.append((now - sent_at.popleft()) * 1000)
            text = reply if isinstance(reply, str) else reply.decode()
            out.acked += text.count('"ack"')
            out.errors += text.count('"error"')
            if now < end:
                sent_at.append(time.perf_counter())
                await socket.send(script.frame(config.batch))
    except ConnectionClosed as exc:
        out.closed.append(f"{exc.rcvd.code if exc.rcvd else 'none'} {exc}")


async def run_load(config: LoadConfig, run_id: str) -> LoadResult:
    """Drive ``config`` against ``ws_base``/ws/ingest; events/s counts acknowledged events."""
    script = Script(config.conversations, run_id)
    result = LoadResult()
    sockets = [
        await connect(config.ws_base + "/ws/ingest", max_size=None)
        for _ in range(config.connections)
    ]
    started = time.perf_counter()
    end = started + config.seconds
    await asyncio.gather(*(_drive(s, script, config, end, result) for s in sockets))
    result.elapsed_s = time.perf_counter() - started
    for socket in sockets:
        await socket.close()
    return result


@dataclass(frozen=True)
class AlertWatch:
    """What the supervisor process does: sentinels to start, for how long to listen."""

    ws_base: str
    run_id: str
    sentinel_seconds: float
    listen_seconds: float
    sentinel_rate: float = 50.0


async def watch_alerts(watch: AlertWatch, ready: Any, go: Any) -> dict[str, Any]:
    """Start unanswered sentinel conversations and time their breach alerts."""
    lateness: list[float] = []
    by_kind: dict[str, int] = {}
    dropped: str | None = None
    prefix = f"{watch.run_id}-s"
    async with (
        connect(watch.ws_base + "/ws/supervisor?frames=alert", max_size=None) as board,
        connect(watch.ws_base + "/ws/ingest", max_size=None) as ingest,
    ):
        await board.recv()  # the snapshot
        ready.set()
        await asyncio.to_thread(go.wait, 60)

        async def start_sentinels() -> None:
            loop = asyncio.get_running_loop()
            start = loop.time()
            count = int(watch.sentinel_seconds * watch.sentinel_rate)
            for n in range(count):
                delay = start + n / watch.sentinel_rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                event = {
                    "id": f"{prefix}{n}",
                    "type": "customer_message",
                    "conversation_id": f"{prefix}{n}",
                    "agent_id": "a-sentinel",
                    "text": "在吗",
                }
                await ingest.send(json.dumps(event, ensure_ascii=False))

        async def drain_acks() -> None:
            while True:
                await ingest.recv()

        sender = asyncio.create_task(start_sentinels())
        acks = asyncio.create_task(drain_acks())
        loop = asyncio.get_running_loop()
        end = loop.time() + watch.listen_seconds
        while (remaining := end - loop.time()) > 0:
            try:
                message = await asyncio.wait_for(board.recv(), remaining)
            except TimeoutError:
                break
            except ConnectionClosed as exc:
                dropped = f"{exc.rcvd.code if exc.rcvd else 'none'} {exc}"
                break
            received = datetime.now(UTC)
            frame = json.loads(message)
            if frame.get("type") != "alert" or not frame["conversation_id"].startswith(prefix):
                continue
            kind = frame["kind"]
            by_kind[kind] = by_kind.get(kind, 0) + 1
            if kind in _TIMER_ALERTS:
                lateness.append((received - parse_ts(frame["at"])).total_seconds() * 1000)
        sender.cancel()
        acks.cancel()
    return {
        "count": len(lateness),
        "p50": _pct(lateness, 0.5),
        "p99": _pct(lateness, 0.99),
        "max": round(max(lateness), 2) if lateness else None,
        "by_kind": by_kind,
        "supervisor_dropped": dropped,
    }


def _watch_process(watch: AlertWatch, ready: Any, go: Any, results: Any) -> None:
    results.put(asyncio.run(watch_alerts(watch, ready, go)))


async def run_watched_load(
    config: LoadConfig, run_id: str, greeting_s: float
) -> tuple[LoadResult, dict[str, Any]]:
    """:func:`run_load` with a supervisor process timing sentinel alerts meanwhile.

    Sentinels start only while their greeting deadline still falls inside the load.
    """
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Event(), context.Event(), context.Queue()
    watch = AlertWatch(
        config.ws_base,
        run_id,
        sentinel_seconds=max(0.5, config.seconds - greeting_s - 0.5),
        listen_seconds=config.seconds + 5,
    )
    watcher = context.Process(target=_watch_process, args=(watch, ready, go, results))
    watcher.start()
    try:
        if not await asyncio.to_thread(ready.wait, 60):
            raise RuntimeError("the supervisor could not connect")
        go.set()
        result = await run_load(config, run_id)
        alerts: dict[str, Any] = await asyncio.to_thread(results.get, True, 60)
    finally:
        await asyncio.to_thread(watcher.join, 10)
        if watcher.is_alive():
            watcher.kill()
    return result, alerts
