"""End-to-end: a real uvicorn server and real websocket clients.

Timer logic runs on an injected clock the tests move (``FakeClock``); one test keeps
real sub-second deadlines, to show the driver fires on the wall clock too.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from assist.core.timeutil import parse_ts
from assist.settings import Settings
from tests.service.server import (
    JSON,
    FakeClock,
    advance_clock,
    receive_json,
    receive_until,
    run_server,
)

pytestmark = pytest.mark.e2e


def fast_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "db_url": f"sqlite+aiosqlite:///{tmp_path / 'assist.db'}",
        "greeting_s": 0.3,
        "reply_s": 0.4,
        "warn_s": 0.1,
        "escalate_s": 0.8,
        "reload_interval_s": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def event(event_id: str, kind: str, conversation: str = "c-1", **fields: object) -> str:
    body: dict[str, object] = {"id": event_id, "type": kind, "conversation_id": conversation}
    body.setdefault("agent_id", "a-1")
    body.update(fields)
    return json.dumps(body, ensure_ascii=False)


async def test_a_greeting_breach_reaches_supervisors_at_the_deadline_without_another_event(
    tmp_path: Path,
) -> None:
    async with (
        run_server(fast_settings(tmp_path)) as server,
        connect(server.ws + "/ws/supervisor?frames=alert,timer") as board,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        snapshot = await receive_json(board)
        assert (snapshot["type"], snapshot["conversations"], snapshot["alerts"]) == (
            "snapshot",
            [],
            [],
        )
        await ingest.send(event("e-1", "customer_message", text="在吗"))
        assert await receive_json(ingest) == {"ack": "e-1"}
        running = await receive_until(board, lambda f: f["type"] == "timer")
        assert (running["kind"], running["state"]) == ("greeting", "running")
        alert = await receive_until(board, lambda f: f["type"] == "alert", timeout=3)
        assert alert["kind"] == "greeting_breach"
        assert alert["agent_id"] == "a-1" and alert["waited_s"] == 0.3
        started = parse_ts(running["started_at"])
        assert (parse_ts(alert["at"]) - started).total_seconds() == pytest.approx(0.3)
        escalation = await receive_until(board, lambda f: f["type"] == "alert", timeout=3)
        assert (escalation["kind"], escalation["waited_s"]) == ("escalation", 0.8)


async def test_on_the_service_clock_a_greeting_breach_fires_as_the_deadline_passes(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    settings = fast_settings(tmp_path, greeting_s=15, reply_s=20, warn_s=5, escalate_s=60)
    async with (
        run_server(settings, clock) as server,
        connect(server.ws + "/ws/supervisor?frames=alert,timer") as board,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(board)
        await ingest.send(event("e-1", "customer_message", text="在吗"))
        assert await receive_json(ingest) == {"ack": "e-1"}
        running = await receive_until(board, lambda f: f["type"] == "timer")
        assert running["started_at"] == "2026-12-02T12:00:00.000Z"
        await advance_clock(server, clock, 10.5)
        warning = await receive_until(board, lambda f: f["type"] == "timer")
        assert (warning["state"], warning["at"]) == ("warning", "2026-12-02T12:00:10.000Z")
        await advance_clock(server, clock, 4.4)  # 14.9 s: not yet
        with pytest.raises(TimeoutError):
            await receive_until(board, lambda f: f["type"] == "alert", timeout=0.3)
        await advance_clock(server, clock, 0.2)  # 15.1 s: the deadline has passed
        alert = await receive_until(board, lambda f: f["type"] == "alert")
        assert (alert["kind"], alert["at"], alert["waited_s"]) == (
            "greeting_breach",
            "2026-12-02T12:00:15.000Z",
            15.0,
        )
        await advance_clock(server, clock, 45)
        escalation = await receive_until(board, lambda f: f["type"] == "alert")
        assert (escalation["kind"], escalation["waited_s"]) == ("escalation", 60.0)


async def test_a_reply_in_time_meets_the_wait_and_no_alert_follows(tmp_path: Path) -> None:
    clock = FakeClock()
    async with (
        run_server(fast_settings(tmp_path, greeting_s=15, escalate_s=60), clock) as server,
        connect(server.ws + "/ws/agent/a-1") as panel,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(panel)
        await ingest.send(event("e-1", "customer_message", text="在吗"))
        await ingest.send(event("e-2", "agent_message", text="您好，欢迎光临"))
        assert [await receive_json(ingest), await receive_json(ingest)] == [
            {"ack": "e-1"},
            {"ack": "e-2"},
        ]
        met = await receive_until(panel, lambda f: f["type"] == "timer" and f["state"] == "met")
        assert (met["kind"], met["late"]) == ("greeting", False)
        await advance_clock(server, clock, 120)
        with pytest.raises(TimeoutError):
            await receive_until(panel, lambda f: f["type"] == "alert", timeout=0.3)


async def test_an_agent_panel_sees_only_its_own_conversations_and_gets_a_snapshot(
    tmp_path: Path,
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30)) as server:
        async with connect(server.ws + "/ws/ingest") as ingest:
            await ingest.send(
                "["
                + event("e-1", "customer_message", "c-1", text="在吗")
                + ","
                + event("e-2", "customer_message", "c-2", agent_id="a-2", text="有货吗")
                + "]"
            )
            assert await receive_json(ingest) == [{"ack": "e-1"}, {"ack": "e-2"}]
        async with connect(server.ws + "/ws/agent/a-2") as panel:
            snapshot = await receive_json(panel)
            assert [c["conversation_id"] for c in snapshot["conversations"]] == ["c-2"]
            timer = snapshot["conversations"][0]["timer"]
            assert (timer["kind"], timer["state"]) == ("greeting", "running")
            async with connect(server.ws + "/ws/ingest") as ingest:
                await ingest.send(event("e-3", "agent_message", "c-1", text="您好"))
                await ingest.send(event("e-4", "agent_message", "c-2", agent_id="a-2", text="您好"))
                await receive_json(ingest)
                await receive_json(ingest)
            frame = await receive_until(panel, lambda f: f["type"] == "timer")
            assert frame["conversation_id"] == "c-2"


async def test_bad_frames_get_typed_errors_and_the_socket_keeps_working(tmp_path: Path) -> None:
    async with (
        run_server(fast_settings(tmp_path, greeting_s=30)) as server,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        cases = [
            ("{not json", "invalid_json"),
            ("42", "invalid_event"),
            (json.dumps({"id": "b-1", "type": "agent_message", "conversation_id": "c"}), None),
            (json.dumps({"id": "b-2", "type": "shout", "conversation_id": "c"}), "unknown_type"),
            (
                json.dumps(
                    {"id": "b-3", "type": "conversation_opened", "conversation_id": "c", "ts": "x"}
                ),
                "invalid_ts",
            ),
            ("[" + " " * 70_000 + "]", "too_large"),
        ]
        for frame, code in cases:
            await ingest.send(frame)
            reply = await receive_json(ingest)
            if code is None:
                assert reply["error"]["code"] == "invalid_event"
                assert "text" in reply["error"]["message"] and reply["error"]["id"] == "b-1"
            else:
                assert reply["error"]["code"] == code
        await ingest.send(event("ok-1", "customer_message", text="在吗"))
        assert await receive_json(ingest) == {"ack": "ok-1"}
        await ingest.send("[" + event("ok-1", "customer_message", text="在吗") + ', {"id": "z"}]')
        duplicate, missing = await receive_json(ingest)
        assert duplicate == {"ack": "ok-1", "duplicate": True}
        assert missing["error"] == {
            "code": "invalid_event",
            "message": "type is required",
            "id": "z",
        }
        async with httpx.AsyncClient(base_url=server.base) as http:
            detail = (await http.get("/api/conversations/c-1")).json()
        assert [e["id"] for e in detail["events"]] == ["ok-1"]


async def test_http_ingest_answers_after_storing_and_422s_bad_events(tmp_path: Path) -> None:
    async with (
        run_server(fast_settings(tmp_path, greeting_s=30)) as server,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        single = await http.post(
            "/api/events", content=event("h-1", "customer_message", text="有L码吗")
        )
        assert (single.status_code, single.json()) == (200, {"ack": "h-1"})
        batch = await http.post(
            "/api/events",
            content="["
            + event("h-2", "agent_message", text="您好，有的亲")
            + ',{"id": "h-3", "type": "nope", "conversation_id": "c-1"}]',
        )
        assert batch.status_code == 422
        assert batch.json()[0] == {"ack": "h-2"}
        assert batch.json()[1]["error"]["code"] == "unknown_type"
        detail = (await http.get("/api/conversations/c-1")).json()
        assert [e["id"] for e in detail["events"]] == ["h-1", "h-2"]
        assert detail["waits"][0]["outcome"] == "answered"
        assert (await http.get("/api/conversations/nope")).status_code == 404
        health = (await http.get("/healthz")).json()
        assert health["status"] == "ok" and health["open_conversations"] == 1
        metrics = (await http.get("/metrics")).text
        assert 'assist_events_total{type="customer_message"} 1.0' in metrics
        assert 'assist_event_errors_total{code="unknown_type"} 1.0' in metrics


async def test_stats_are_served_as_json_and_excel_friendly_csv(tmp_path: Path) -> None:
    async with (
        run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server,
        httpx.AsyncClient(base_url=server.base) as http,
    ):
        body = (
            "["
            + event("s-1", "customer_message", ts="2026-11-23T20:00:00+08:00", text="在吗")
            + ","
            + event("s-2", "agent_message", ts="2026-11-23T20:00:04+08:00", text="您好")
            + ","
            + event("s-3", "order_paid", ts="2026-11-23T20:01:00+08:00", amount=99.5)
            + "]"
        )
        assert (await http.post("/api/events", content=body, headers=JSON)).status_code == 200
        stats = (await http.get("/api/agents/stats")).json()
        (agent,) = stats["agents"]
        assert agent["agent_id"] == "a-1" and agent["first_response_avg_s"] == 4.0
        assert agent["orders"] == 1 and agent["sales"] == 99.5 and agent["conversion_rate"] == 1.0
        later = (
            await http.get("/api/agents/stats", params={"from": "2026-11-24T00:00:00Z"})
        ).json()
        assert later["agents"] == []
        one = await http.get("/api/agents/a-1/stats")
        assert one.json()["conversations"] == 1
        assert (await http.get("/api/agents/zz/stats")).status_code == 404
        bad = await http.get("/api/agents/stats", params={"from": "last tuesday"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_query"
        csv = await http.get("/api/agents/stats.csv", params={"from": "2026-11-23T00:00:00+08:00"})
        assert csv.content.startswith("\ufeff客服,接待会话数,".encode())
        assert ",100.00%," in csv.content.decode()  # reply rate 1.0, as Excel readers expect
        assert csv.headers["content-type"].startswith("text/csv")
        disposition = csv.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="agent-stats_20261123_')


async def test_a_restart_rebuilds_open_conversations_and_raises_a_missed_breach_once(
    tmp_path: Path,
) -> None:
    settings = fast_settings(tmp_path, greeting_s=15, escalate_s=600)
    clock = FakeClock()
    async with (
        run_server(settings, clock) as server,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await ingest.send(event("r-1", "customer_message", text="在吗"))
        assert await receive_json(ingest) == {"ack": "r-1"}
    clock.advance(16)  # the deadline passes while the service is down
    async with (
        run_server(settings, clock) as server,
        connect(server.ws + "/ws/supervisor") as board,
    ):
        snapshot = await receive_json(board)
        assert [c["conversation_id"] for c in snapshot["conversations"]] == ["c-1"]
        async with httpx.AsyncClient(base_url=server.base) as http:
            alerts = (await http.get("/api/conversations/c-1")).json()["alerts"]
        assert [a["kind"] for a in alerts] == ["greeting_breach"]
        async with connect(server.ws + "/ws/ingest") as ingest:
            await ingest.send(event("r-1", "customer_message", text="在吗"))
            assert await receive_json(ingest) == {"ack": "r-1", "duplicate": True}
    clock.advance(5)
    async with (
        run_server(settings, clock) as server,
        httpx.AsyncClient(base_url=server.base) as http,
    ):
        alerts = (await http.get("/api/conversations/c-1")).json()["alerts"]
        assert [a["kind"] for a in alerts] == ["greeting_breach"]


async def test_a_supervisor_gets_alerts_by_default_and_may_ask_for_timers_too(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with (
        run_server(fast_settings(tmp_path, greeting_s=15, escalate_s=60), clock) as server,
        connect(server.ws + "/ws/supervisor") as plain,
        connect(server.ws + "/ws/supervisor?frames=all") as everything,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(plain)
        await receive_json(everything)
        await ingest.send(event("f-1", "customer_message", text="发票怎么开"))
        await receive_json(ingest)
        first = await receive_json(everything)
        assert (first["type"], first["state"]) == ("timer", "running")
        await advance_clock(server, clock, 15.5)
        frames = [await receive_json(plain), await receive_json(plain)]
        assert [f["type"] for f in frames] == ["suggestion", "alert"]
        assert frames[1]["kind"] == "greeting_breach"
        async with connect(server.ws + "/ws/supervisor?frames=gossip") as bad:
            reply = await receive_json(bad)
            assert reply["error"]["code"] == "invalid_query"


async def test_after_a_restart_a_panel_still_shows_the_last_customer_message_and_its_suggestion(
    tmp_path: Path,
) -> None:
    settings = fast_settings(tmp_path, greeting_s=30, reply_s=30, escalate_s=600)
    clock = FakeClock()
    async with (
        run_server(settings, clock) as server,
        connect(server.ws + "/ws/agent/a-1") as panel,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(panel)
        await ingest.send(event("m-1", "customer_message", text="在吗"))
        await ingest.send(event("m-2", "customer_message", text="这款有L码吗"))
        await receive_json(ingest)
        await receive_json(ingest)
        await receive_until(panel, lambda f: f["type"] == "suggestion" and f["message_id"] == "m-2")
    clock.advance(5)
    async with run_server(settings, clock) as server, connect(server.ws + "/ws/agent/a-1") as panel:
        (view,) = (await receive_json(panel))["conversations"]
        assert view["last_customer_message"]["text"] == "这款有L码吗"
        assert view["suggestion"]["message_id"] == "m-2"
        assert view["suggestion"]["intent"] == "stock"


async def test_a_suggestion_made_while_the_chat_was_transferred_reaches_the_new_agent(
    tmp_path: Path,
) -> None:
    async with (
        run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30, escalate_s=600)) as server,
        connect(server.ws + "/ws/agent/a-2") as new_agent,
        connect(server.ws + "/ws/ingest") as ingest,
    ):
        await receive_json(new_agent)
        await ingest.send(
            "["
            + event("x-1", "customer_message", "c-x", text="这款有L码吗")
            + ","
            + event("x-2", "conversation_transferred", "c-x", agent_id="a-2")
            + "]"
        )
        assert await receive_json(ingest) == [{"ack": "x-1"}, {"ack": "x-2"}]
        frame = await receive_until(new_agent, lambda f: f["type"] == "suggestion")
        assert (frame["message_id"], frame["agent_id"]) == ("x-1", "a-2")
