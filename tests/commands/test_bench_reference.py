"""The bench's references, served by uvicorn: bare parse-keep-ack, and durable (each
event stored in SQLite before its ack)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from websockets.asyncio.client import connect

from assist.bench import Script
from assist.bench_reference import create_reference_app


@asynccontextmanager
async def _serving(store: Path | None) -> AsyncIterator[str]:
    app = create_reference_app(str(store) if store else None)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}/ws/ingest"
    finally:
        server.should_exit = True
        await task


def _frames(count: int) -> list[str]:
    script = Script(conversations=7, run_id="t")
    return [script.frame(5) for _ in range(count)]


async def test_the_bare_reference_acks_every_event_of_every_frame_in_order() -> None:
    async with _serving(None) as url, connect(url) as ws:
        for frame in _frames(3):
            await ws.send(frame)
            acks = [reply["ack"] for reply in json.loads(await ws.recv())]
            assert acks == [event["id"] for event in json.loads(frame)]
        await ws.send('{"id": "one", "type": "customer_message"}')
        assert json.loads(await ws.recv()) == {"ack": "one"}


async def test_the_durable_reference_has_stored_every_event_it_acked(tmp_path: Path) -> None:
    store = tmp_path / "reference.db"
    frames = _frames(6)
    acked: list[str] = []
    async with _serving(store) as url, connect(url) as ws:
        for frame in frames:  # all in flight before the first ack is read
            await ws.send(frame)
        for _ in frames:
            acked.extend(reply["ack"] for reply in json.loads(await ws.recv()))
            with sqlite3.connect(store) as db:
                stored = {row[0] for row in db.execute("SELECT id FROM events")}
            assert set(acked) <= stored
    assert acked == [event["id"] for frame in frames for event in json.loads(frame)]
