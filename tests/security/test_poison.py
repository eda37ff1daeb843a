"""Values the store cannot hold are answered at once and block nobody (SQLite and PostgreSQL).

Each poison frame gets a typed error on its own channel; the next valid event is acked at
once; the reads that used to answer 500 for good still answer. And when a row the store
refuses reaches the writer anyway, it is split out, reported, and the rest is written.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from assist.core.events import Event, EventType
from assist.core.outputs import EventRecord
from assist.service.metrics import Metrics
from assist.service.persister import Persister
from assist.settings import Settings
from assist.store.database import migrate, open_database
from tests.service.server import JSON, receive_json, run_server

pytestmark = pytest.mark.e2e

NOW = "2026-12-02T10:00:00+08:00"


def frame(event_id: str, raw_fields: str = "", **fields: object) -> str:
    """An event whose extra ``raw_fields`` are spliced in as JSON text (for NaN and co.)."""
    body: dict[str, object] = {
        "id": event_id,
        "type": "customer_message",
        "conversation_id": f"c-{event_id}",
        "agent_id": "a-1",
        "text": "在吗",
    }
    body.update(fields)
    text = json.dumps(body, ensure_ascii=False)
    return text[:-1] + (", " + raw_fields if raw_fields else "") + "}"


# (name, frame text, error code); each would have reached the store before.
POISON = [
    ("lone surrogate in text", frame("p1", '"text": "a\\ud800b"'), "invalid_event"),
    ("lone surrogate in a key", frame("p2", '"\\udc00": 1'), "invalid_event"),
    ("lone surrogate in the id", frame("x", '"id": "p\\ud800"'), "invalid_event"),
    ("NUL in text", frame("p3", '"text": "a\\u0000b"'), "invalid_event"),
    ("NUL in an unknown field", frame("p4", '"note": "x\\u0000"'), "invalid_event"),
    ("NaN", frame("p5", '"score": NaN'), "invalid_event"),
    ("Infinity", frame("p6", '"score": -Infinity'), "invalid_event"),
    ("1e309", frame("p7", '"score": 1e309'), "invalid_event"),
    ("an amount beyond any float", frame("p8", '"amount": 1' + "0" * 400), "invalid_event"),
    ("nested 1000 deep", frame("p9", '"x": ' + "[" * 1000 + "]" * 1000), "invalid_json"),
    ("nested 20 deep", frame("p10", '"x": ' + "[" * 20 + "]" * 20), "invalid_event"),
    ("year 1", frame("p11", ts="0001-01-01T00:00:00+14:00"), "invalid_ts"),
    ("year 9999", frame("p12", ts="9999-12-31T23:59:59-10:00"), "invalid_ts"),
    ("a customer id too long for its column", frame("p13", customer_id="u" * 300), "invalid_event"),
    ("an order id too long for its column", frame("p14", order_id="o" * 300), "invalid_event"),
]


async def test_each_poison_frame_is_answered_and_the_next_event_is_acked_at_once(
    db_url: str,
) -> None:
    settings = Settings(db_url=db_url, reload_interval_s=0, greeting_s=60, reply_s=60)
    async with (
        run_server(settings) as server,
        connect(server.ws + "/ws/ingest") as ingest,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        for number, (name, poison, code) in enumerate(POISON):
            await ingest.send(poison)
            reply = await receive_json(ingest, timeout=5)
            assert reply["error"]["code"] == code, (name, reply)
            await ingest.send(frame(f"ws-{number}", ts=NOW))
            assert await receive_json(ingest, timeout=2) == {"ack": f"ws-{number}"}, name

            answered = await http.post("/api/events", content=poison)
            assert answered.status_code == 422, name
            assert answered.json()["error"]["code"] == code, name
            valid = await http.post("/api/events", content=frame(f"http-{number}", ts=NOW))
            assert (valid.status_code, valid.json()) == (200, {"ack": f"http-{number}"}), name

        for number in range(len(POISON)):
            detail = await http.get(f"/api/conversations/c-ws-{number}")
            assert detail.status_code == 200 and detail.json()["events"][0]["id"] == f"ws-{number}"
        stats = await http.get("/api/agents/stats", params={"from": "2026-12-01"})
        assert stats.status_code == 200 and stats.json()["agents"][0]["conversations"] == 30
        health = await http.get("/healthz")
        assert health.status_code == 200 and health.json()["rejected_rows"] == 0


async def test_a_poisoned_range_is_a_query_error_not_a_server_error(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", reload_interval_s=0)
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as http:
        for value in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-10:00", "NaN", "1e400"):
            answer = await http.get("/api/agents/stats", params={"from": value})
            assert answer.status_code == 422, value
            assert answer.json()["error"]["code"] == "invalid_query"


def bare_event(event_id: str, text: str) -> EventRecord:
    """An event record built past the parser, as a bug elsewhere might."""
    at = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    event = Event(event_id, EventType.CUSTOMER_MESSAGE, f"c-{event_id}", at, text=text)
    return EventRecord(event, "a-1", None)


async def test_a_row_the_store_refuses_is_split_out_reported_and_the_rest_written(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = open_database(db_url)
    await migrate(database)
    metrics = Metrics()
    persister = Persister(database, metrics)
    persister.start()
    try:
        outputs = [bare_event(f"r-{i}", "好的") for i in range(7)]
        outputs.insert(3, bare_event("r-bad", "号码13812345678\ud800\x00"))
        done = persister.submit(outputs, None)
        await asyncio.wait_for(done, 10)
        async with database.connect() as connection:
            stored = await connection.exec_driver_sql("SELECT id FROM events ORDER BY id")
            ids = [row[0] for row in stored]
        assert ids == [f"r-{i}" for i in range(7)]
        assert persister.rejected == 1 and persister.healthy
        later = persister.submit([bare_event("r-next", "在吗")], None)
        await asyncio.wait_for(later, 5)
    finally:
        await persister.close()
        await database.dispose()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "r-bad" in logged and "13812345678" not in logged and "好的" not in logged
