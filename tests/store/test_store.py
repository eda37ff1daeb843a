"""The SQL store on SQLite and PostgreSQL: migrations, idempotent writes, per-agent stats."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.engine import Engine
from assist.core.events import parse_event
from assist.core.outputs import Output
from assist.core.timeutil import parse_ts
from assist.replay import replay_lines
from assist.store.database import migrate, open_database
from assist.store.stats import STAT_KEYS, agent_stats
from assist.store.tables import AlertRow, ConversationRow, EventRow, WaitRow
from assist.store.writer import Batch, write_batch

DATA = Path(__file__).resolve().parents[1] / "data"
LOG_LINES = (DATA / "sla_log_40_conversations.jsonl").read_text("utf-8").splitlines()
EXPECTED: dict[str, Any] = json.loads((DATA / "sla_expected_replay.json").read_text("utf-8"))
BASE = parse_ts("2026-11-23T20:00:00+08:00")

TABLES = {
    "alembic_version",
    "alerts",
    "catalog_products",
    "catalog_variants",
    "conversations",
    "events",
    "findings",
    "suggestions",
    "waits",
}


def raw(
    event_id: str, kind: str, conversation: str, seconds: float, **extra: Any
) -> dict[str, Any]:
    ts = (BASE + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
    data: dict[str, Any] = {"id": event_id, "type": kind, "conversation_id": conversation, "ts": ts}
    if kind in ("customer_message", "agent_message"):
        data["text"] = "在吗"
    data.update(extra)
    return data


def outputs_of(engine: Engine, raws: list[dict[str, Any]], until: float) -> list[Output]:
    outputs: list[Output] = []
    for item in raws:
        event = parse_event(item)
        outputs.extend(engine.handle(event, event.ts).outputs)
    outputs.extend(engine.advance(BASE + timedelta(seconds=until)))
    return outputs


async def migrated(url: str) -> AsyncEngine:
    database = open_database(url)
    await migrate(database)
    return database


async def count(database: AsyncEngine, table: Any) -> int:
    async with database.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


# A small, hand-checked day: a-1 answers c-1 in 10 s and c-2 (an hour later) in 30 s,
# breaching the greeting; a-2 has c-3 and a paid order.
SMALL_DAY = [
    raw("e-1", "customer_message", "c-1", 0, agent_id="a-1"),
    raw("e-2", "agent_message", "c-1", 10, agent_id="a-1"),
    raw("e-3", "customer_message", "c-2", 3600, agent_id="a-1"),
    raw("e-4", "agent_message", "c-2", 3630, agent_id="a-1"),
    raw("e-5", "customer_message", "c-3", 3700, agent_id="a-2"),
    raw("e-6", "agent_message", "c-3", 3705, agent_id="a-2"),
    raw("e-7", "order_paid", "c-3", 3800, agent_id="a-2", amount=120.5, order_id="o-1"),
    raw("e-8", "conversation_closed", "c-3", 3900, agent_id="a-2"),
]


async def test_running_the_migrations_twice_is_a_no_op(db_url: str) -> None:
    database = await migrated(db_url)
    try:

        def snapshot(connection: Any) -> tuple[set[str], list[str]]:
            names = set(inspect(connection).get_table_names())
            versions = [
                r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))
            ]
            return names, versions

        async with database.connect() as connection:
            first = await connection.run_sync(snapshot)
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY[:2], until=20))
        await write_batch(database, batch)

        await migrate(database)

        async with database.connect() as connection:
            second = await connection.run_sync(snapshot)
        assert first == second
        assert first[0] == TABLES and len(first[1]) == 1
        assert await count(database, EventRow) == 2  # data survives the second run
    finally:
        await database.dispose()


async def test_writing_the_same_batch_twice_stores_each_event_once(db_url: str) -> None:
    database = await migrated(db_url)
    try:
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
        assert len(batch.events) == 8
        await write_batch(database, batch)
        await write_batch(database, batch)
        assert await count(database, EventRow) == 8
        assert await count(database, ConversationRow) == 3
        stats = {row["agent_id"]: row for row in await agent_stats(database)}
        assert stats["a-1"]["conversations"] == 2 and stats["a-2"]["orders"] == 1
    finally:
        await database.dispose()


async def test_writing_the_same_batch_twice_counts_breaches_once(db_url: str) -> None:
    database = await migrated(db_url)
    try:
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
        await write_batch(database, batch)
        await write_batch(database, batch)
        (a1, _) = await agent_stats(database)
        assert a1["greeting_breaches"] == 1
    finally:
        await database.dispose()


async def test_conversation_snapshots_are_upserted(db_url: str) -> None:
    database = await migrated(db_url)
    try:
        engine = Engine()
        first = Batch()
        first.add(outputs_of(engine, SMALL_DAY[4:6], until=3706))
        await write_batch(database, first)
        second = Batch()
        second.add(outputs_of(engine, SMALL_DAY[6:], until=3900))
        await write_batch(database, second)
        async with database.connect() as connection:
            rows = (await connection.execute(select(ConversationRow))).all()
        assert len(rows) == 1
        (row,) = rows
        assert row.id == "c-3" and row.is_open is False and row.agent_id == "a-2"
        assert row.updated_at == BASE + timedelta(seconds=3900)
        assert row.state == engine.conversations["c-3"].to_state()
        assert row.state["is_open"] is False and row.state["agent_messages"] == 1
    finally:
        await database.dispose()


async def test_replaying_the_fixture_into_the_store_gives_the_expected_stats(db_url: str) -> None:
    report = await replay_lines(LOG_LINES, Engine(), db_url=db_url)
    keys = EXPECTED["agents"][0].keys()
    assert [{k: a[k] for k in keys} for a in report.agents] == EXPECTED["agents"]
    database = open_database(db_url)
    try:
        stats = await agent_stats(database)
        assert [{k: a[k] for k in keys} for a in stats] == EXPECTED["agents"]
        assert all(list(a) == list(STAT_KEYS) for a in stats)
        assert await count(database, AlertRow) == 110
    finally:
        await database.dispose()


async def test_agent_stats_over_a_time_range_count_only_what_happened_in_it(db_url: str) -> None:
    await replay_lines(LOG_LINES, Engine(), db_url=db_url)
    start, end = BASE + timedelta(seconds=600), BASE + timedelta(seconds=1800)
    # The oracle: the worked example's own alert list, filtered to [start, end).
    wanted: Counter[tuple[str, str]] = Counter(
        (a["agent_id"], a["kind"]) for a in EXPECTED["alerts"] if 600 <= a["at"] < 1800
    )
    assert sum(wanted.values()) > 0
    database = open_database(db_url)
    try:
        stats = await agent_stats(database, start, end)
        assert stats
        for row in stats:
            for kind, key in (
                ("greeting_breach", "greeting_breaches"),
                ("reply_breach", "reply_breaches"),
                ("escalation", "escalations"),
            ):
                assert row[key] == wanted[(row["agent_id"], kind)], (row["agent_id"], kind)
        everything = {row["agent_id"]: row for row in await agent_stats(database)}
        assert sum(r["conversations"] for r in stats) < sum(
            r["conversations"] for r in everything.values()
        )
        assert await agent_stats(database, BASE + timedelta(days=1)) == []
    finally:
        await database.dispose()


async def test_agent_stats_by_range_and_agent_on_a_small_day(db_url: str) -> None:
    database = await migrated(db_url)
    try:
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
        await write_batch(database, batch)
        hour = timedelta(hours=1)

        (whole,) = await agent_stats(database, agent_id="a-1")
        assert whole["agent_id"] == "a-1"
        assert (whole["conversations"], whole["first_response_avg_s"]) == (2, 20.0)
        assert (whole["greeting_breaches"], whole["reply_rate"]) == (1, 1.0)

        (early,) = await agent_stats(database, BASE, BASE + hour, agent_id="a-1")
        assert (early["conversations"], early["first_response_avg_s"]) == (1, 10.0)
        assert early["greeting_breaches"] == 0

        late = await agent_stats(database, BASE + hour, BASE + 2 * hour)
        assert [row["agent_id"] for row in late] == ["a-1", "a-2"]
        assert (late[0]["conversations"], late[0]["first_response_avg_s"]) == (1, 30.0)
        assert late[0]["greeting_breaches"] == 1
        assert (late[1]["orders"], late[1]["sales"], late[1]["conversion_rate"]) == (
            1,
            120.5,
            1.0,
        )
        assert await agent_stats(database, agent_id="a-9") == []
    finally:
        await database.dispose()


async def test_times_come_back_as_aware_utc(db_url: str) -> None:
    database = await migrated(db_url)
    try:
        batch = Batch()
        batch.add(outputs_of(Engine(), SMALL_DAY, until=4000))
        await write_batch(database, batch)
        async with database.connect() as connection:
            event_ts = (
                await connection.execute(select(EventRow.ts).where(EventRow.id == "e-3"))
            ).scalar_one()
            alert_at = (await connection.execute(select(AlertRow.at))).scalar_one()
            wait = (
                await connection.execute(select(WaitRow).where(WaitRow.conversation_id == "c-2"))
            ).one()
            updated = (
                await connection.execute(
                    select(ConversationRow.updated_at).where(ConversationRow.id == "c-2")
                )
            ).scalar_one()
        instants = [event_ts, alert_at, wait.started_at, wait.ended_at, updated]
        assert all(isinstance(t, datetime) and t.tzinfo is UTC for t in instants)
        assert event_ts == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 21:00 +08:00
        assert alert_at == datetime(2026, 11, 23, 13, 0, 15, tzinfo=UTC)
        assert (wait.waited_s, wait.breached, wait.outcome) == (30.0, True, "answered")
    finally:
        await database.dispose()
