"""A real uvicorn server on a free local port, for end-to-end tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from websockets.asyncio.client import ClientConnection

from assist.service.app import create_app
from assist.service.runtime import utc_now
from assist.settings import Settings

# HTTP ingest takes JSON only; every test that posts events sends this.
JSON = {"Content-Type": "application/json"}


@dataclass
class RunningServer:
    base: str
    ws: str
    app: Any

    def wake_timers(self) -> None:
        """Make the timer driver re-read the (injected) clock at once."""
        self.app.state.runtime.timers.wake()


class FakeClock:
    """The service's clock in tests: it moves only when the test says so."""

    def __init__(self, start: datetime = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def advance_clock(server: RunningServer, clock: FakeClock, seconds: float) -> None:
    """Move the service's clock on and let its timer driver act on it."""
    clock.advance(seconds)
    server.wake_timers()
    await asyncio.sleep(0)


@asynccontextmanager
async def run_server(
    settings: Settings, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[RunningServer]:
    app = create_app(settings, clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await task


async def receive_json(socket: ClientConnection, timeout: float = 5.0) -> Any:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def receive_until(
    socket: ClientConnection, predicate: Callable[[Any], bool], timeout: float = 5.0
) -> Any:
    """The first frame that satisfies ``predicate`` (frames before it are skipped)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        frame = await receive_json(socket, max(0.01, end - loop.time()))
        if predicate(frame):
            return frame


def events_frame(
    ids: str, conversations: str, count: int, kind: str, text: str, agent_id: str = "a-1"
) -> str:
    """A JSON array frame of ``count`` events ``{ids}-{n}``, one in each conversation
    ``{conversations}-{n}``."""
    events = [
        {
            "id": f"{ids}-{n}",
            "type": kind,
            "conversation_id": f"{conversations}-{n}",
            "agent_id": agent_id,
            "text": text,
        }
        for n in range(count)
    ]
    return json.dumps(events, ensure_ascii=False)
