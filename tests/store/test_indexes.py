"""The indexes the store's reads need: a database made by the first migration is upgraded
with its rows kept, and SQLite reads waits by time and findings by conversation through
an index instead of scanning the table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection

from assist.core.engine import Engine
from assist.store.database import _alembic_config, migrate, open_database
from assist.store.detail import conversation_detail
from assist.store.stats import agent_stats
from assist.store.tables import EventRow, FindingRow, WaitRow
from assist.store.waits import wait_minutes
from assist.store.writer import Batch, write_batch
from tests.store.test_store import BASE, SMALL_DAY, count, outputs_of


def _indexes(connection: Connection) -> dict[str, set[str]]:
    found = inspect(connection)
    return {
        table: {str(index["name"]) for index in found.get_indexes(table)}
        for table in ("events", "waits", "findings")
    }


async def test_a_database_of_the_first_migration_gets_the_read_indexes_and_keeps_its_rows(
    db_url: str,
) -> None:
    database = open_database(db_url)
    try:
        async with database.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "0001"))
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
        await write_batch(database, batch)
        async with database.connect() as connection:
            before = await connection.run_sync(_indexes)
        assert "ix_findings_message_id" in before["findings"]

        await migrate(database)

        async with database.connect() as connection:
            after = await connection.run_sync(_indexes)
        assert (
            after["events"]
            == before["events"]
            == {
                "ix_events_conversation_ts",
                "ix_events_agent_ts",
            }
        )
        assert after["waits"] == before["waits"] | {"ix_waits_ended_at"}
        assert after["findings"] == (before["findings"] - {"ix_findings_message_id"}) | {
            "ix_findings_conversation_at"
        }
        assert await count(database, EventRow) == len(SMALL_DAY)
        assert await count(database, WaitRow) == 3
    finally:
        await database.dispose()


async def plans_of(
    tmp_path: Path, read: Callable[[Any], Awaitable[object]]
) -> dict[str, list[str]]:
    """SQLite's plan of each statement ``read`` runs, by the statement's SQL."""
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'plans.db'}")
    await migrate(database)
    batch = Batch()
    batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
    await write_batch(database, batch)
    seen: list[tuple[str, Any]] = []

    def note(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    try:
        event.listen(database.sync_engine, "before_cursor_execute", note)
        try:
            await read(database)
        finally:
            event.remove(database.sync_engine, "before_cursor_execute", note)
        plans: dict[str, list[str]] = {}
        async with database.connect() as connection:
            for statement, parameters in seen:
                rows = await connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, parameters
                )
                plans[statement] = [str(row.detail) for row in rows]
        return plans
    finally:
        await database.dispose()


def plan_reading(plans: dict[str, list[str]], table: str) -> list[str]:
    (plan,) = [lines for sql, lines in plans.items() if f"FROM {table} " in sql + " "]
    return plan


async def test_waits_are_read_by_time_through_an_index(tmp_path: Path) -> None:
    hour = timedelta(hours=1)
    chart = await plans_of(tmp_path, lambda db: wait_minutes(db, BASE, BASE + hour))
    assert any("ix_waits_ended_at" in line for line in plan_reading(chart, "waits"))

    day = await plans_of(tmp_path, lambda db: agent_stats(db, BASE, BASE + 24 * hour))
    assert any("ix_waits_ended_at" in line for line in plan_reading(day, "waits"))

    # One agent's: still by agent and time, the narrower index.
    agent = await plans_of(
        tmp_path, lambda db: agent_stats(db, BASE, BASE + 24 * hour, agent_id="a-1")
    )
    assert any("ix_waits_agent_ended" in line for line in plan_reading(agent, "waits"))


async def test_a_conversations_findings_are_read_through_an_index(tmp_path: Path) -> None:
    plans = await plans_of(tmp_path, lambda db: conversation_detail(db, "c-1"))
    plan = plan_reading(plans, FindingRow.__tablename__)
    assert any("ix_findings_conversation_at" in line for line in plan)
    assert not any(line.startswith("SCAN") for line in plan)
