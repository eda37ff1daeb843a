"""Limits at the edge: origins, rate, body size and type, query times, CSV cells, masking."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assist.settings import Settings
from tests.service.server import JSON, receive_json, run_server
from tests.service.test_live import fast_settings

pytestmark = pytest.mark.e2e


def settings(tmp_path: Path, **overrides: object) -> Settings:
    return fast_settings(tmp_path, **{"greeting_s": 60, "reply_s": 60, **overrides})


def event(event_id: str, **fields: object) -> str:
    body: dict[str, object] = {
        "id": event_id,
        "type": "customer_message",
        "conversation_id": "c-1",
        "agent_id": "a-1",
        "text": "在吗",
        "ts": "2026-12-02T10:00:00+08:00",
    }
    body.update(fields)
    return json.dumps(body, ensure_ascii=False)


async def test_a_foreign_web_origin_cannot_open_a_channel_or_post_events(tmp_path: Path) -> None:
    allowed = "https://chat.example.com"
    async with run_server(settings(tmp_path, allowed_origins=allowed)) as server:
        own = server.base
        for origin, code in (("http://evil.example", 4403), (own, None), (allowed, None)):
            async with connect(server.ws + "/ws/supervisor", origin=origin) as board:  # type: ignore[arg-type]
                first = await receive_json(board)
                if code is None:
                    assert first["type"] == "snapshot", origin
                    continue
                assert first["error"]["code"] == "forbidden"
                with pytest.raises(ConnectionClosed) as closed:
                    await board.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == code
        async with httpx.AsyncClient(base_url=server.base, headers=JSON) as http:
            forged = await http.post(
                "/api/events", content=event("f-1"), headers={"Origin": "http://evil.example"}
            )
            assert forged.status_code == 403
            page = await http.get("/supervisor", headers={"Origin": "http://evil.example"})
            assert page.status_code == 403
            assert (await http.get("/healthz")).status_code == 200


async def test_over_the_rate_a_request_is_429_and_a_frame_is_answered_rate_limited(
    tmp_path: Path,
) -> None:
    slow = settings(tmp_path, rate_limit_per_s=0.001, rate_limit_burst=3)
    async with run_server(slow) as server:
        async with httpx.AsyncClient(base_url=server.base) as http:
            codes = [(await http.get("/api/agents/stats")).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            refused = await http.get("/api/agents/stats")
            assert refused.json()["error"]["code"] == "rate_limited"
            assert (await http.get("/healthz")).status_code == 200  # health is never limited
    async with run_server(slow) as server, connect(server.ws + "/ws/ingest") as ingest:
        replies = []
        for number in range(4):
            await ingest.send(event(f"r-{number}"))
            replies.append(await receive_json(ingest))
        # Opening the socket took one token: two frames pass, then rate_limited; the
        # socket stays up and answers every frame.
        assert replies[:2] == [{"ack": "r-0"}, {"ack": "r-1"}]
        assert [r["error"]["code"] for r in replies[2:]] == ["rate_limited"] * 2


async def test_post_bodies_must_be_json_and_small_and_are_not_read_whole(tmp_path: Path) -> None:
    async with (
        run_server(settings(tmp_path)) as server,
        httpx.AsyncClient(base_url=server.base) as http,
    ):
        plain = await http.post("/api/events", content=event("b-1"))
        assert plain.status_code == 415
        assert plain.json()["error"]["code"] == "unsupported_media_type"
        form = await http.post(
            "/api/events", content=event("b-2"), headers={"Content-Type": "text/plain"}
        )
        assert form.status_code == 415
        typed = await http.post(
            "/api/events",
            content=event("b-3"),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        assert typed.json() == {"ack": "b-3"}

        declared = await http.post("/api/events", content=b" " * 200_000, headers=JSON)
        assert declared.status_code == 413 and declared.json()["error"]["code"] == "too_large"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(40):  # 2.5 MB, no Content-Length: counted as it streams
                yield b" " * 65_536

        streamed = await http.post("/api/events", content=chunks(), headers=JSON)
        assert streamed.status_code == 413
        assert (await http.post("/api/events", content=event("b-4"), headers=JSON)).json() == {
            "ack": "b-4"
        }


async def test_query_times_are_forgiving_where_people_type_them_and_exact_otherwise(
    tmp_path: Path,
) -> None:
    async with (
        run_server(settings(tmp_path)) as server,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        assert (await http.post("/api/events", content=event("q-1"))).status_code == 200
        day = await http.get("/api/agents/stats", params={"from": "2026-12-02", "to": "2026-12-02"})
        assert day.status_code == 200
        assert day.json()["from"] == "2026-12-01T16:00:00.000Z"  # Asia/Shanghai midnight
        assert day.json()["to"] == "2026-12-02T16:00:00.000Z"  # a "to" date includes its day
        assert day.json()["agents"][0]["agent_id"] == "a-1"
        # "+08:00" typed into a URL unescaped arrives as " 08:00".
        spaced = await http.get("/api/agents/stats?from=2026-12-02T10:00:00+08:00")
        assert spaced.status_code == 200 and spaced.json()["from"] == "2026-12-02T02:00:00.000Z"
        naive = await http.get("/api/agents/stats", params={"to": "2026-12-02 09:00"})
        assert naive.json()["to"] == "2026-12-02T01:00:00.000Z" and naive.json()["agents"] == []
        backwards = await http.get(
            "/api/agents/stats", params={"from": "2026-12-04", "to": "2026-12-02"}
        )
        assert backwards.status_code == 422
        assert backwards.json()["error"]["code"] == "invalid_query"
        assert "after" in backwards.json()["error"]["message"]
        for bad in ("yesterday", "2026-13-01", "0001-01-01T00:00:00+14:00"):
            answer = await http.get("/api/agents/stats.csv", params={"from": bad})
            assert answer.status_code == 422, bad


async def test_exports_escape_formulas_and_mask_personal_data(tmp_path: Path) -> None:
    async with (
        run_server(settings(tmp_path)) as server,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        text = "手机13812345678，地址：浙江省杭州市西湖区文三路123号"
        posted = await http.post(
            "/api/events", content=event("x-1", agent_id='=HYPERLINK("http://x")', text=text)
        )
        assert posted.status_code == 200
        csv_text = (await http.get("/api/agents/stats.csv")).text
        assert "'=HYPERLINK" in csv_text and "\r\n=HYPERLINK" not in csv_text
        detail = (await http.get("/api/conversations/c-1")).json()
        assert detail["events"][0]["text"] == "手机138****5678，地址：浙江省杭州市西湖区***"


async def test_masking_can_be_turned_off_and_live_panels_always_show_text_as_sent(
    tmp_path: Path,
) -> None:
    text = "手机13812345678"
    async with (
        run_server(settings(tmp_path, mask_pii=False)) as server,
        connect(server.ws + "/ws/agent/a-1?frames=suggestion") as panel,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        await receive_json(panel)  # the snapshot
        assert (await http.post("/api/events", content=event("y-1", text=text))).status_code == 200
        detail = (await http.get("/api/conversations/c-1")).json()
        assert detail["events"][0]["text"] == text
    async with (
        run_server(settings(tmp_path)) as server,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        posted = await http.post(
            "/api/events", content=event("y-2", conversation_id="c-2", text=text)
        )
        assert posted.status_code == 200
        async with connect(server.ws + "/ws/agent/a-1") as panel:
            snapshot = await receive_json(panel)
        (conversation,) = [c for c in snapshot["conversations"] if c["conversation_id"] == "c-2"]
        assert conversation["last_customer_message"]["text"] == text
        detail = (await http.get("/api/conversations/c-2")).json()
        assert detail["events"][0]["text"] == "手机138****5678"
