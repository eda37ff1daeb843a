"""When the store fails, nothing accepted is lost: acks wait, writes retry, health says so."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.service.server import receive_json, run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e


def rename_table(db: Path, old: str, new: str) -> None:
    with sqlite3.connect(db, timeout=5) as connection:
        connection.execute(f"ALTER TABLE {old} RENAME TO {new}")


async def test_an_outage_delays_the_ack_and_loses_nothing(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, greeting_s=30, reply_s=30)
    db = tmp_path / "assist.db"
    async with (
        run_server(settings) as server,
        httpx.AsyncClient(base_url=server.base) as http,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        rename_table(db, "events", "events_away")  # every write now fails
        await ingest.send(event("o-1", "customer_message", text="在吗"))
        with pytest.raises(TimeoutError):
            await receive_json(ingest, timeout=0.6)
        health = await http.get("/healthz")
        assert health.status_code == 503 and health.json()["store"] == "failing"

        rename_table(db, "events_away", "events")
        assert await receive_json(ingest, timeout=10) == {"ack": "o-1"}
        for _ in range(50):
            if (await http.get("/healthz")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        detail = (await http.get("/api/conversations/c-1")).json()
        assert [e["id"] for e in detail["events"]] == ["o-1"]
        assert "assist_store_failures_total" in (await http.get("/metrics")).text
