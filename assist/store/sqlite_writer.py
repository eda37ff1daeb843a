"""The SQLite batch writer: one thread that owns one connection, one call per batch.

Written through SQLAlchemy and aiosqlite, a batch took a round-trip to aiosqlite's thread
per statement (each table, each chunk, the commit). Under saturated ingest every
round-trip waited for the event loop to come round to it again, behind every connection's
ingest slice: a commit took ~130 ms of which SQLite itself used a few, the persister was
busy all the time, and the acks (which follow the commit) set the ingest rate. Here the
whole batch — building the parameters, every INSERT, the COMMIT — is one call to a thread
of its own: the event loop awaits one future per batch and never runs the row conversion.
That thread shares the GIL with the loop, but only ever for the interpreter's switch
interval at a time; SQLite itself runs without it.

Only for SQLite files: a private in-memory database exists on one connection only, and
PostgreSQL's driver (asyncpg) already sends a chunk in one call without the GIL.
Errors are sqlite3's own (``IntegrityError``, ``OperationalError`` …), which
:mod:`assist.store.faults` tells apart like SQLAlchemy's.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.store.writer import Batch, batch_statements

__all__ = ["SqliteWriter"]

# How long a write waits for another connection's lock before it fails (and is retried).
_BUSY_TIMEOUT_S = 30.0


class SqliteWriter:
    def __init__(self, path: str) -> None:
        self.path = path
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="assist-sqlite-writer")
        self._connection: sqlite3.Connection | None = None

    @classmethod
    def for_database(cls, database: AsyncEngine) -> SqliteWriter | None:
        """A writer for ``database`` if it is an SQLite file, else ``None``."""
        url = make_url(str(database.url))
        if url.get_backend_name() != "sqlite" or not url.database:
            return None
        if url.database == ":memory:" or url.database.startswith("file:"):
            return None
        return cls(str(Path(url.database)))

    async def write(self, batch: Batch) -> None:
        """Write ``batch`` in one transaction (all of it or none)."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._write, batch)

    def _connect(self) -> sqlite3.Connection:
        # Same settings as the service's other connections (assist.store.database).
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    def _write(self, batch: Batch) -> None:
        if self._connection is None:
            self._connection = self._connect()
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in batch_statements("sqlite", batch):
                connection.execute(sql, params)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        """Close the connection (in its own thread) and stop the thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=True)
