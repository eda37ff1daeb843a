"""End-to-end: suggestions and lint travel from /ws/ingest to the panels and the board."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from assist.store.catalog import import_catalog, parse_catalog_csv
from assist.store.database import migrate, open_database
from tests.service.server import receive_json, receive_until, run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e

CATALOG = """sku,name,price,category,color,size,stock
P1,直筒牛仔裤,129,牛仔裤,黑色,L,0
P1,直筒牛仔裤,129,牛仔裤,黑色,M,3
P2,修身牛仔裤,119,牛仔裤,黑色,L,4
"""


async def seed_catalog(db_url: str) -> None:
    database = open_database(db_url)
    try:
        await migrate(database)
        await import_catalog(database, parse_catalog_csv(CATALOG, "catalog.csv"))
    finally:
        await database.dispose()


async def test_a_customer_message_yields_a_suggestion_on_the_agent_panel(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, greeting_s=30, reply_s=30)
    await seed_catalog(settings.db_url)
    async with (
        run_server(settings) as server,
        connect(server.ws + "/ws/agent/a-1") as panel,
        connect(server.ws + "/ws/supervisor") as board,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(panel)
        await receive_json(board)
        await ingest.send(
            event("m-1", "customer_message", text="这款黑色L码有货吗", product_id="P1")
        )
        assert await receive_json(ingest) == {"ack": "m-1"}
        suggestion = await receive_until(panel, lambda f: f["type"] == "suggestion")
        assert suggestion["message_id"] == "m-1" and suggestion["intent"] == "stock"
        assert suggestion["slots"]["sku"] == "P1" and suggestion["slots"]["in_stock"] is False
        assert any("修身牛仔裤" in reply for reply in suggestion["replies"])
        on_board = await receive_until(board, lambda f: f["type"] == "suggestion")
        assert on_board == suggestion

        await ingest.send(event("m-2", "customer_message", text="我170cm 130斤穿什么码"))
        await receive_json(ingest)
        sizing = await receive_until(panel, lambda f: f["type"] == "suggestion")
        assert sizing["intent"] == "sizing"
        assert sizing["slots"]["height_cm"] == 170 and sizing["slots"]["weight_kg"] == 65
        assert any(sizing["slots"]["size"] in reply for reply in sizing["replies"])

        async with httpx.AsyncClient(base_url=server.base) as http:
            stored = (await http.get("/api/conversations/c-1")).json()["suggestions"]
        assert [(s["message_id"], s["intent"]) for s in stored] == [
            ("m-1", "stock"),
            ("m-2", "sizing"),
        ]


async def test_a_negative_agent_message_is_linted_and_alerts_supervisors(tmp_path: Path) -> None:
    async with (
        run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server,
        connect(server.ws + "/ws/agent/a-1") as panel,
        connect(server.ws + "/ws/supervisor") as board,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(panel)
        await receive_json(board)
        text = "亲，L码我们不能退哦"
        await ingest.send(
            "["
            + event("n-1", "customer_message", text="L码能退吗")
            + ","
            + event("n-2", "agent_message", text=text)
            + "]"
        )
        assert await receive_json(ingest) == [{"ack": "n-1"}, {"ack": "n-2"}]
        lint = await receive_until(panel, lambda f: f["type"] == "lint")
        assert lint["message_id"] == "n-2"
        negative = [f for f in lint["findings"] if f["rule"] == "negative_phrase"]
        assert negative and text[negative[0]["start"] : negative[0]["end"]] == negative[0]["phrase"]
        assert "不能" in negative[0]["phrase"] and negative[0]["alternatives"]
        alert = await receive_until(board, lambda f: f["type"] == "alert")
        assert (alert["kind"], alert["message_id"], alert["agent_id"]) == (
            "negative_phrase",
            "n-2",
            "a-1",
        )
        async with httpx.AsyncClient(base_url=server.base) as http:
            (stats,) = (await http.get("/api/agents/stats")).json()["agents"]
            findings = (await http.get("/api/conversations/c-1")).json()["findings"]
        assert stats["negative_flags"] == 1
        assert ("n-2", "negative_phrase") in {(f["message_id"], f["rule"]) for f in findings}


async def test_a_harmless_agent_message_raises_no_alert(tmp_path: Path) -> None:
    async with (
        run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server,
        connect(server.ws + "/ws/agent/a-1") as panel,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(panel)
        await ingest.send(
            json.dumps(
                [
                    json.loads(event("h-1", "customer_message", text="洗了会缩水吗")),
                    json.loads(event("h-2", "agent_message", text="您好，您放心，不会缩水的哦")),
                ],
                ensure_ascii=False,
            )
        )
        await receive_json(ingest)
        lint = await receive_until(panel, lambda f: f["type"] == "lint")
        assert [f["rule"] for f in lint["findings"]] == []
