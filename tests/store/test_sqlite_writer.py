"""The SQLite writer thread: a batch is one call, readable through SQLAlchemy at once,
idempotent like the statement-by-statement path, and a refused batch leaves nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.engine import Engine
from assist.store.database import migrate, open_database
from assist.store.faults import is_data_fault
from assist.store.sqlite_writer import _AUTOCHECKPOINT_PAGES, _CACHE_KIB, SqliteWriter
from assist.store.tables import ConversationRow, EventRow
from assist.store.writer import Batch, write_batch
from tests.store.test_store import SMALL_DAY, count, outputs_of


def test_only_an_sqlite_file_gets_a_writer_thread(tmp_path: Path) -> None:
    assert SqliteWriter.for_database(open_database(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    assert SqliteWriter.for_database(open_database("sqlite+aiosqlite://")) is None
    assert SqliteWriter.for_database(open_database("sqlite+aiosqlite:///:memory:")) is None


async def test_a_batch_written_by_the_thread_reads_back_the_same_as_through_sqlalchemy(
    tmp_path: Path,
) -> None:
    threaded = open_database(f"sqlite+aiosqlite:///{tmp_path / 'threaded.db'}")
    direct = open_database(f"sqlite+aiosqlite:///{tmp_path / 'direct.db'}")
    writer = SqliteWriter.for_database(threaded)
    assert writer is not None
    try:
        for database in (threaded, direct):
            await migrate(database)
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
        await write_batch(threaded, batch, writer)
        await write_batch(threaded, batch, writer)  # idempotent, like the other path
        await write_batch(direct, batch)
        for table in (EventRow, ConversationRow):
            assert await count(threaded, table) == await count(direct, table) > 0
    finally:
        await writer.close()
        await threaded.dispose()
        await direct.dispose()


@asynccontextmanager
async def sqlite_file(path: Path) -> AsyncIterator[tuple[AsyncEngine, SqliteWriter]]:
    """A migrated SQLite file and its writer thread, both closed afterwards."""
    database = open_database(f"sqlite+aiosqlite:///{path}")
    writer = SqliteWriter.for_database(database)
    assert writer is not None
    try:
        await migrate(database)
        yield database, writer
    finally:
        await writer.close()
        await database.dispose()


async def test_a_refused_row_fails_the_whole_batch_as_a_data_fault(tmp_path: Path) -> None:
    async with sqlite_file(tmp_path / "refused.db") as (database, writer):
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
        batch.events[-1]["type"] = None  # NOT NULL column
        with pytest.raises(Exception) as caught:
            await write_batch(database, batch, writer)
        assert is_data_fault(caught.value)
        assert await count(database, EventRow) == 0  # rolled back: all of it or none


async def test_the_writer_commits_in_wal_with_normal_sync_and_checkpoints_less_often(
    tmp_path: Path,
) -> None:
    def pragmas(writer: SqliteWriter) -> dict[str, object]:
        # On the writer's own thread: its connection belongs to that thread.
        connection = writer._connection
        assert connection is not None
        names = ("journal_mode", "synchronous", "wal_autocheckpoint", "cache_size")
        return {name: connection.execute(f"PRAGMA {name}").fetchone()[0] for name in names}

    async with sqlite_file(tmp_path / "pragmas.db") as (database, writer):
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY[:2], until=20))
        await write_batch(database, batch, writer)
        found = await asyncio.get_running_loop().run_in_executor(writer._thread, pragmas, writer)
    # The durability contract: a commit survives a crash of the process (WAL, NORMAL).
    assert (found["journal_mode"], found["synchronous"]) == ("wal", 1)
    assert found["wal_autocheckpoint"] == _AUTOCHECKPOINT_PAGES > 1000
    assert found["cache_size"] == -_CACHE_KIB
