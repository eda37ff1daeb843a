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
# The writer's page cache (KiB; SQLite's default is 2 MiB). A batch touches a page of each
# conversation index per active conversation; with the default those pages were evicted
# and read back (and dirty ones spilled to the WAL mid-transaction) batch after batch.
_CACHE_KIB = 32 * 1024
# WAL pages (of 4 KiB) after which a commit copies the WAL back into the database
# (SQLite's default: 1000). The same hot pages (conversation rows, index leaves) are
# rewritten by every batch; a checkpoint copies each page once however often the WAL
# holds it, so one every 10000 pages instead of every 1000 writes about a third as much,
# and syncs the disk a tenth as often. An ack still follows its commit, and a commit still
# survives a crash of the process (synchronous=NORMAL); what a power cut can take back —
# the commits since the last sync, as ever with NORMAL — reaches further back (at most
# the kernel's own write-back delay, ~30 s). The WAL file stays at up to ~40 MiB.
_AUTOCHECKPOINT_PAGES = 10_000


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
        # Same settings as the service's other connections (assist.store.database), plus
        # the two that only the connection doing all the writing needs.
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        connection.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")
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
