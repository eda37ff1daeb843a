"""Nothing missed across a reconnect: every snapshot carries the recent alerts it covers.

An alert is pushed once; a board that reloads, or a service that restarts and fires the
deadlines missed while it was down before any board is back, used to leave boards empty.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from assist.core.outputs import Alert, AlertKind
from assist.service.recent_alerts import RecentAlerts
from assist.settings import Settings
from tests.service.server import (
    JSON,
    FakeClock,
    RunningServer,
    advance_clock,
    receive_json,
    run_server,
)

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def alert(conversation: str, agent: str, minutes: float) -> Alert:
    return Alert(AlertKind.GREETING_BREACH, conversation, agent, T0 + timedelta(minutes=minutes))


def test_recent_alerts_cover_a_channel_keep_an_hour_and_hold_each_alert_once() -> None:
    recent = RecentAlerts(window_s=3600)
    recent.add(alert("c-2", "a-2", 5), T0 + timedelta(minutes=5))
    recent.add(alert("c-1", "a-1", 1), T0 + timedelta(minutes=6))  # raised late, at start-up
    recent.add(alert("c-1", "a-1", 1), T0 + timedelta(minutes=7))  # the same alert again
    now = T0 + timedelta(minutes=30)
    assert [f["conversation_id"] for f in recent.frames(None, now)] == ["c-1", "c-2"]
    assert [f["conversation_id"] for f in recent.frames("a-2", now)] == ["c-2"]
    assert recent.frames("a-3", now) == []
    # An hour after being raised an alert leaves the snapshot.
    assert [f["conversation_id"] for f in recent.frames(None, T0 + timedelta(minutes=65.5))] == [
        "c-1"
    ]
    assert recent.frames(None, T0 + timedelta(hours=2)) == []


def settings(tmp_path: Path) -> Settings:
    return Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'assist.db'}",
        reload_interval_s=0,
        greeting_s=15,
        reply_s=20,
        escalate_s=100_000,
    )


async def snapshot_alerts(server: RunningServer, path: str) -> list[dict[str, Any]]:
    async with connect(server.ws + path) as channel:
        snapshot = await receive_json(channel)
    assert snapshot["type"] == "snapshot"
    alerts: list[dict[str, Any]] = snapshot["alerts"]
    return alerts


def customer(event_id: str, conversation: str, agent: str) -> str:
    return (
        f'{{"id": "{event_id}", "type": "customer_message", "conversation_id": "{conversation}",'
        f' "agent_id": "{agent}", "text": "在吗"}}'
    )


async def post(server: RunningServer, body: str) -> None:
    async with httpx.AsyncClient(base_url=server.base, headers=JSON) as http:
        answer = await http.post("/api/events", content=body)
        assert answer.status_code == 200, answer.text


async def test_a_reloaded_board_and_a_restarted_service_keep_every_alert_once(
    tmp_path: Path,
) -> None:
    clock = FakeClock(T0)
    async with run_server(settings(tmp_path), clock) as server:
        await post(server, customer("e-1", "c-1", "a-1"))
        await advance_clock(server, clock, 16)  # c-1's greeting deadline passes unseen
        async with httpx.AsyncClient(base_url=server.base) as http:
            for _ in range(100):  # the timer driver runs on the server's loop
                if "assist_alerts_total{" in (await http.get("/metrics")).text:
                    break
        board = await snapshot_alerts(server, "/ws/supervisor")
        assert [(a["kind"], a["conversation_id"]) for a in board] == [("greeting_breach", "c-1")]
        assert await snapshot_alerts(server, "/ws/agent/a-1") == board
        assert await snapshot_alerts(server, "/ws/agent/a-2") == []
        await post(server, customer("e-2", "c-2", "a-2"))  # then the service goes down

    clock.advance(300)  # c-2's deadline passes while nothing runs
    async with run_server(settings(tmp_path), clock) as server:
        board = await snapshot_alerts(server, "/ws/supervisor")
        assert [(a["kind"], a["conversation_id"]) for a in board] == [
            ("greeting_breach", "c-1"),  # from the store
            ("greeting_breach", "c-2"),  # raised at start-up, before any board was back
        ]
        assert [a["conversation_id"] for a in await snapshot_alerts(server, "/ws/agent/a-2")] == [
            "c-2"
        ]

    async with run_server(settings(tmp_path), clock) as server:  # and once more
        assert await snapshot_alerts(server, "/ws/supervisor") == board
        async with httpx.AsyncClient(base_url=server.base) as http:
            assert "assist_alerts_total{" not in (await http.get("/metrics")).text
