"""A batch keeps one row per conversation (its newest state), also in the halves a refused
row is looked for with, and builds it only for the snapshot that is left."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from assist.core.engine import Engine
from assist.core.events import Event, EventType
from assist.core.outputs import ConversationSnapshot, EventRecord
from assist.service.metrics import Metrics
from assist.service.persister import Persister
from assist.store.tables import ConversationRow, EventRow
from assist.store.writer import Batch, write_batch
from tests.store.test_store import SMALL_DAY, count, migrated, outputs_of

AT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def snapshot(conversation_id: str, messages: int) -> ConversationSnapshot:
    state = {"agent_id": "a-1", "customer_id": "u-1", "agent_messages": messages}
    return ConversationSnapshot(conversation_id, state, True, AT)


def event(event_id: str, conversation_id: str, text: str = "在吗") -> EventRecord:
    return EventRecord(
        Event(event_id, EventType.CUSTOMER_MESSAGE, conversation_id, AT, text=text), "a-1"
    )


def test_a_batch_keeps_the_newest_snapshot_of_each_conversation_as_its_only_row() -> None:
    batch = Batch()
    batch.add([snapshot("c-1", 1), event("e-1", "c-1"), snapshot("c-2", 1)])
    batch.add([snapshot("c-1", 2), snapshot("c-1", 3)])
    assert len(batch) == 3  # one event, two conversations: counted before any row is built
    assert [row["state"]["agent_messages"] for row in batch.conversations.values()] == [3, 1]
    batch.add([snapshot("c-2", 2), snapshot("c-3", 1)])  # after rows were built: still newest
    assert len(batch) == 4
    rows = batch.conversations
    assert {cid: row["state"]["agent_messages"] for cid, row in rows.items()} == {
        "c-1": 3,
        "c-2": 2,
        "c-3": 1,
    }
    assert rows["c-1"] == {
        "id": "c-1",
        "agent_id": "a-1",
        "customer_id": "u-1",
        "is_open": True,
        "updated_at": AT,
        "state": {"agent_id": "a-1", "customer_id": "u-1", "agent_messages": 3},
    }


def test_the_halves_of_a_batch_hold_each_conversation_once_with_its_newest_state() -> None:
    batch = Batch()
    for step in range(1, 4):
        batch.add(
            [event(f"e-{c}-{step}", f"c-{c}") for c in range(3)]
            + [snapshot(f"c-{c}", step) for c in range(3)]
        )
    first, second = batch.halves()
    assert len(first) + len(second) == len(batch) == 9 + 3
    conversations = [*first.conversations.values(), *second.conversations.values()]
    assert sorted(row["id"] for row in conversations) == ["c-0", "c-1", "c-2"]
    assert all(row["state"]["agent_messages"] == 3 for row in conversations)


async def test_a_refused_row_split_out_leaves_each_conversation_at_its_newest_state(
    db_url: str,
) -> None:
    database = await migrated(db_url)
    persister = Persister(database, Metrics())
    persister.start()
    try:
        outputs: list[Any] = []
        for step in range(1, 4):
            outputs += [event(f"e-{c}-{step}", f"c-{c}") for c in range(3)]
            outputs += [snapshot(f"c-{c}", step) for c in range(3)]
        outputs.insert(7, event("e-bad", "c-1", "号码\ud800\x00"))  # refused by both stores
        await asyncio.wait_for(persister.submit(outputs, AT), 10)
        async with database.connect() as connection:
            states = {
                row.id: row.state["agent_messages"]
                for row in await connection.execute(select(ConversationRow))
            }
        assert states == {"c-0": 3, "c-1": 3, "c-2": 3}
        assert persister.rejected == 1 and await count(database, EventRow) == 9
    finally:
        await persister.close()
        await database.dispose()


async def test_a_batch_written_twice_stores_each_conversation_at_its_latest_state(
    db_url: str,
) -> None:
    database = await migrated(db_url)
    try:
        engine = Engine()
        batch = Batch()
        batch.add(outputs_of(engine, SMALL_DAY, until=4000))
        await write_batch(database, batch)
        await write_batch(database, batch)
        async with database.connect() as connection:
            rows = (await connection.execute(select(ConversationRow))).all()
        assert {row.id: row.state for row in rows} == {
            cid: engine.conversations[cid].to_state() for cid in ("c-1", "c-2", "c-3")
        }
    finally:
        await database.dispose()
