"""The bare reference ingest that ``assist bench`` measures assist against.

The same FastAPI + uvicorn websocket stack as assist, doing only what any ingest must:
parse each frame, keep the events (in a bounded in-memory ring, so a long run does not
grow memory), and answer one ack per event, in order. No timers, no NLP, no store.
Absolute figures move 2–3× between machines and with whatever else runs on them; a ratio
to this reference, taken in the same run with the same client, does not.

With ``--store PATH`` it is the *durable* reference: each event is also written to an
SQLite file (one row, primary key only; WAL, ``synchronous=NORMAL`` as assist) and acked
after the commit, with commits grouped across frames the way assist's persister groups
them. It answers how much of assist's gap to the bare stack any ingest that keeps its
promise (nothing acknowledged before it is stored) pays, and how much is assist's own.

Run it alone with ``python -m assist.bench_reference --port 8100 [--store FILE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

__all__ = ["create_reference_app", "main"]

_KEPT_EVENTS = 200_000
# Same websocket limits as `assist serve`, so the two stacks differ only in the work done.
WS_MAX_BYTES = 1024 * 1024


class _GroupCommit:
    """Rows gather while the previous group is written; one transaction per group, in a
    thread of its own that owns the connection (as assist's SQLite writer does)."""

    def __init__(self, path: str) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="reference-writer")
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._rows: list[tuple[str, str, str]] = []
        self._done: asyncio.Future[None] | None = None
        self._writing = False

    def add(self, items: list[Any]) -> asyncio.Future[None]:
        for item in items:
            if isinstance(item, dict):
                key = str(item.get("id"))
                self._rows.append((key, str(item.get("conversation_id")), json.dumps(item)))
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
        done = self._done
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._drain())
        return done

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._done is not None:
                rows, done = self._rows, self._done
                self._rows, self._done = [], None
                try:
                    await loop.run_in_executor(self._thread, self._write, rows)
                except Exception as exc:  # its frames are answered with an error
                    done.set_exception(exc)
                else:
                    done.set_result(None)
        finally:
            self._writing = False

    def _write(self, rows: list[tuple[str, str, str]]) -> None:
        if self._connection is None:
            self._connection = sqlite3.connect(self._path, isolation_level=None)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS events"
                " (id TEXT PRIMARY KEY, conversation_id TEXT, body TEXT)"
            )
        self._connection.execute("BEGIN IMMEDIATE")
        self._connection.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?)", rows)
        self._connection.execute("COMMIT")


def create_reference_app(store: str | None = None) -> FastAPI:
    """An app with ``/healthz`` and a parse-keep-ack ``/ws/ingest`` (storing each event
    in the SQLite file ``store`` before its ack, when given)."""
    app = FastAPI()
    kept: deque[Any] = deque(maxlen=_KEPT_EVENTS)
    durable = _GroupCommit(store) if store else None

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "kept": len(kept)}

    @app.websocket("/ws/ingest")
    async def ingest(websocket: WebSocket) -> None:
        await websocket.accept()
        # Acks in frame order, each after its commit, while reading goes on.
        pending: asyncio.Queue[tuple[asyncio.Future[None], Any] | None] = asyncio.Queue()

        async def send_in_order() -> None:
            while (item := await pending.get()) is not None:
                committed, body = item
                try:
                    await committed
                except Exception as exc:  # not stored: answered with an error, not acks
                    body = {"error": "store_failed", "message": str(exc)}
                await websocket.send_text(json.dumps(body, separators=(",", ":")))

        sender = asyncio.create_task(send_in_order()) if durable is not None else None

        try:
            while True:
                decoded = json.loads(await websocket.receive_text())
                items = decoded if isinstance(decoded, list) else [decoded]
                kept.extend(items)
                replies = [{"ack": item.get("id")} for item in items]
                body = replies if isinstance(decoded, list) else replies[0]
                if durable is None:
                    await websocket.send_text(json.dumps(body, separators=(",", ":")))
                else:
                    # Acks follow the commit; frames keep flowing meanwhile (in order).
                    pending.put_nowait((durable.add(items), body))
        except WebSocketDisconnect:
            pass
        if sender is not None:
            pending.put_nowait(None)
            await sender

    return app


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--store", help="SQLite file: store each event before its ack")
    args = parser.parse_args(argv)
    uvicorn.run(
        create_reference_app(args.store),
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_max_size=WS_MAX_BYTES,
        ws_ping_interval=20,
        ws_ping_timeout=20,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
