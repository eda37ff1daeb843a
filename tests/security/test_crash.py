"""kill -9 mid-stream: every acknowledged event is stored, every waiting customer reaches
a reconnecting supervisor exactly once.

The real ``assist serve`` runs as a subprocess; events stream over ``/ws/ingest`` and the
process is killed with SIGKILL while frames are in flight, twice. Each conversation is a
customer nobody answers, so each must produce one greeting breach: during the stream,
at start-up (deadlines missed while down) or later — and a supervisor connecting after
the last restart must see each exactly once, in its snapshot or live.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

pytestmark = pytest.mark.e2e

GREETING_S = 1.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(db: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(
        os.environ,
        ASSIST_GREETING_S=str(GREETING_S),
        ASSIST_REPLY_S="1000",
        ASSIST_ESCALATE_S="100000",
        ASSIST_RELOAD_INTERVAL_S="0",
        ASSIST_LOG_LEVEL="warning",
        ASSIST_TOKENS="",
    )
    command = [sys.executable, "-m", "assist.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--db", f"sqlite+aiosqlite:///{db}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


async def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(600):
            assert process.poll() is None, "the server exited"
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise AssertionError("the server did not become healthy")


def frame(number: int) -> str:
    return json.dumps(
        {
            "id": f"e-{number}",
            "type": "customer_message",
            "conversation_id": f"c-{number}",
            "customer_id": f"u-{number}",
            "agent_id": f"a-{number % 7}",
            "text": "在吗，这件有L码吗",
        },
        ensure_ascii=False,
    )


async def stream_until_killed(
    ws: str, process: subprocess.Popen[bytes], first: int, kill_after: int
) -> set[str]:
    """Send frames as fast as acks allow; SIGKILL once ``kill_after`` acks came back."""
    acked: set[str] = set()
    number = first
    with contextlib.suppress(ConnectionClosed, OSError):
        async with connect(ws + "/ws/ingest") as ingest:

            async def reader() -> None:
                while True:
                    reply = json.loads(await ingest.recv())
                    acked.add(reply["ack"])
                    if len(acked) == kill_after:
                        os.kill(process.pid, signal.SIGKILL)

            reading = asyncio.create_task(reader())
            try:
                while not reading.done():
                    await ingest.send(frame(number))
                    number += 1
                    if number % 20 == 0:
                        await asyncio.sleep(0.005)  # keep some frames in flight, not all
                await reading
            finally:
                reading.cancel()
    return acked


def stored_events(db: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return {row[0] for row in connection.execute("SELECT id FROM events")}


async def test_kill_9_mid_stream_loses_no_acked_event_and_no_waiting_customer(
    tmp_path: Path,
) -> None:
    db = tmp_path / "assist.db"
    port = free_port()
    base, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    acked: set[str] = set()
    for round_number in range(2):
        with serve(db, port) as process:
            await wait_healthy(base, process)
            acked |= await stream_until_killed(ws, process, round_number * 100_000, 400)
            assert process.wait(10) == -signal.SIGKILL

    with serve(db, port) as process:
        await wait_healthy(base, process)
        stored = stored_events(db)
        assert acked and acked <= stored, f"{len(acked - stored)} acknowledged events lost"
        waiting = {f"c-{event_id[2:]}" for event_id in stored}

        seen: Counter[str] = Counter()
        async with connect(ws + "/ws/supervisor?frames=alert") as board:
            snapshot = json.loads(await board.recv())
            for alert in snapshot["alerts"]:
                if alert["kind"] == "greeting_breach":
                    seen[alert["conversation_id"]] += 1
            # Deadlines not yet passed at start-up fire live; then wait a deadline more
            # so that a second alert for any wait would have had its chance.
            loop = asyncio.get_running_loop()
            quiet_until = loop.time() + GREETING_S + 1.5
            while loop.time() < quiet_until:
                try:
                    alert = json.loads(await asyncio.wait_for(board.recv(), 0.2))
                except TimeoutError:
                    continue
                if alert.get("kind") == "greeting_breach":
                    seen[alert["conversation_id"]] += 1
                if set(seen) < waiting:
                    quiet_until = max(quiet_until, loop.time() + 0.5)
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down cleanly, then re-raises the signal it caught.
        assert process.wait(30) in (0, -signal.SIGTERM)

    missing = waiting - set(seen)
    twice = [c for c, count in seen.items() if count > 1]
    assert not missing, f"{len(missing)} waiting customers never reached the board"
    assert not twice, f"{len(twice)} customers reached the board more than once"
    assert set(seen) == waiting
