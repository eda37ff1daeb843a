"""Load generator: drives a running server over websockets and measures it.

It opens a supervisor socket and a few ingest sockets, plays ``conversations`` scripted
chats at ``rate`` events/s for ``duration`` seconds (frames of ``batch`` events, no
``ts`` so the server stamps receive time), and measures:

- events/s acknowledged — an ack is sent only after the event is committed, so this is
  the rate of events accepted *and* persisted;
- ack latency per frame (send → ack), p50/p99;
- alert lateness: when a breach alert arrives minus the deadline it names, p50/p99/max;
- the server's resident memory, from its ``/metrics``.

One conversation in ``unanswered_every`` never gets an agent reply, so it breaches.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from assist.core.timeutil import parse_ts
from assist.store.stats import percentile

__all__ = ["BenchConfig", "BenchResult", "run_bench"]

_CUSTOMER_TEXTS = ("在吗", "这款有L码吗", "我170cm 130斤穿什么码", "几天能到", "能便宜点吗")
_AGENT_TEXTS = ("您好，欢迎光临", "有的亲，L码有货", "建议您选L码哦", "默认申通，3-7天到")


@dataclass(frozen=True)
class BenchConfig:
    url: str
    conversations: int = 1000
    rate: float = 2000.0
    duration: float = 10.0
    batch: int = 100
    connections: int = 4
    drain: float = 20.0
    unanswered_every: int = 5


@dataclass
class BenchResult:
    sent: int = 0
    acked: int = 0
    errors: int = 0
    elapsed_s: float = 0.0
    ack_latencies_ms: list[float] = field(default_factory=list)
    alert_lateness_ms: list[float] = field(default_factory=list)
    alerts_by_kind: dict[str, int] = field(default_factory=dict)
    server_rss_mb: float | None = None
    listener_dropped: bool = False

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float], fraction: float) -> float | None:
            return round(percentile(values, fraction), 2) if values else None

        return {
            "events_sent": self.sent,
            "events_acked": self.acked,
            "errors": self.errors,
            "elapsed_s": round(self.elapsed_s, 2),
            "acked_events_per_s": round(self.acked / self.elapsed_s, 1) if self.elapsed_s else 0,
            "ack_latency_ms": {
                "p50": pct(self.ack_latencies_ms, 0.5),
                "p99": pct(self.ack_latencies_ms, 0.99),
            },
            "alert_lateness_ms": {
                "count": len(self.alert_lateness_ms),
                "p50": pct(self.alert_lateness_ms, 0.5),
                "p99": pct(self.alert_lateness_ms, 0.99),
                "max": round(max(self.alert_lateness_ms), 2) if self.alert_lateness_ms else None,
            },
            "alerts_by_kind": self.alerts_by_kind,
            "alert_listener_dropped_as_slow": self.listener_dropped,
            "server_rss_mb": self.server_rss_mb,
        }


class _Script:
    """Event ``n`` of conversation ``c``: customer and agent alternate, some never answer."""

    def __init__(self, config: BenchConfig, run_id: str) -> None:
        self.config = config
        self.run_id = run_id
        self.steps = [0] * config.conversations
        self.cursor = 0
        self.count = 0

    def next_event(self) -> dict[str, Any]:
        c = self.cursor
        self.cursor = (self.cursor + 1) % self.config.conversations
        step = self.steps[c]
        self.steps[c] += 1
        self.count += 1
        unanswered = c % self.config.unanswered_every == 0
        agent_turn = step % 2 == 1 and not unanswered
        event: dict[str, Any] = {
            "id": f"{self.run_id}-{self.count}",
            "type": "agent_message" if agent_turn else "customer_message",
            "conversation_id": f"{self.run_id}-c{c}",
            "customer_id": f"u{c}",
            "agent_id": f"a{c % 50}",
        }
        texts = _AGENT_TEXTS if agent_turn else _CUSTOMER_TEXTS
        event["text"] = texts[step % len(texts)]
        return event


async def _ingest(
    socket: ClientConnection, frames: int, per_frame_s: float, script: _Script, result: BenchResult
) -> None:
    sent_at: asyncio.Queue[float] = asyncio.Queue()

    async def read_acks() -> None:
        for _ in range(frames):
            replies = json.loads(await socket.recv())
            started = await sent_at.get()
            result.ack_latencies_ms.append((time.perf_counter() - started) * 1000)
            for reply in replies:
                if "ack" in reply:
                    result.acked += 1
                else:
                    result.errors += 1

    reader = asyncio.create_task(read_acks())
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(frames):
        delay = start + index * per_frame_s - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        batch = [script.next_event() for _ in range(script.config.batch)]
        await sent_at.put(time.perf_counter())
        await socket.send(json.dumps(batch, ensure_ascii=False))
        result.sent += len(batch)
    await reader


async def _watch_alerts(ws_base: str, run_id: str, seconds: float, ready: Any) -> dict[str, Any]:
    """Listen as a supervisor would, in a process of its own so that the load this
    generator puts on its own CPU does not show up as alert lateness."""
    lateness: list[float] = []
    by_kind: dict[str, int] = {}
    dropped = False
    async with connect(ws_base + "/ws/supervisor?frames=alert", max_size=None) as socket:
        await socket.recv()  # the snapshot
        ready.set()
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (remaining := end - loop.time()) > 0:
            try:
                message = await asyncio.wait_for(socket.recv(), remaining)
            except TimeoutError:
                break
            except ConnectionClosed:
                dropped = True
                break
            received = datetime.now(UTC)
            frame = json.loads(message)
            if frame.get("type") != "alert" or not frame["conversation_id"].startswith(run_id):
                continue
            kind = frame["kind"]
            by_kind[kind] = by_kind.get(kind, 0) + 1
            if kind in ("greeting_breach", "reply_breach", "escalation"):
                lateness.append((received - parse_ts(frame["at"])).total_seconds() * 1000)
    return {"lateness": lateness, "by_kind": by_kind, "dropped": dropped}


def _watch_process(ws_base: str, run_id: str, seconds: float, ready: Any, results: Any) -> None:
    results.put(asyncio.run(_watch_alerts(ws_base, run_id, seconds, ready)))


def _server_rss_mb(http_base: str) -> float | None:
    try:
        with urllib.request.urlopen(http_base + "/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("process_resident_memory_bytes "):
            return round(float(line.split()[1]) / 2**20, 1)
    return None


async def run_bench(config: BenchConfig) -> BenchResult:
    base = config.url.rstrip("/")
    ws_base = base.replace("http://", "ws://").replace("https://", "wss://")
    run_id = f"b{int(time.time() * 1000) % 10**9}"
    script = _Script(config, run_id)
    result = BenchResult()
    total_frames = max(1, int(config.rate * config.duration / config.batch))
    per_connection = [total_frames // config.connections] * config.connections
    per_connection[0] += total_frames - sum(per_connection)
    per_frame_s = config.batch * config.connections / config.rate

    context = multiprocessing.get_context("spawn")
    ready, results = context.Event(), context.Queue()
    listen_s = config.duration + config.drain + 5
    watcher = context.Process(
        target=_watch_process, args=(ws_base, run_id, listen_s, ready, results), daemon=True
    )
    watcher.start()
    if not await asyncio.to_thread(ready.wait, 30):
        watcher.kill()
        raise RuntimeError("the supervisor listener could not connect")
    sockets = [
        await connect(ws_base + "/ws/ingest", max_size=None) for _ in range(config.connections)
    ]
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _ingest(socket, frames, per_frame_s, script, result)
            for socket, frames in zip(sockets, per_connection, strict=True)
            if frames
        )
    )
    result.elapsed_s = time.perf_counter() - started
    for socket in sockets:
        await socket.close()
    watched = await asyncio.to_thread(results.get, True, listen_s + 30)
    await asyncio.to_thread(watcher.join, 10)
    result.alert_lateness_ms = watched["lateness"]
    result.alerts_by_kind = watched["by_kind"]
    result.listener_dropped = watched["dropped"]
    result.server_rss_mb = _server_rss_mb(base)
    return result
