"""Live and offline agree: the fixture log through the live server equals `assist replay`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from assist.assembly import build_engine
from assist.core.timeutil import parse_ts
from assist.replay import replay_lines
from assist.settings import Settings
from tests.service.server import receive_json, run_server

pytestmark = pytest.mark.e2e
LOG = Path(__file__).parents[1] / "data" / "sla_log_40_conversations.jsonl"


class ManualClock:
    """The server's clock, moved by the test to each event's time as it is sent."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_the_live_service_and_replay_give_the_same_stats_and_alerts(tmp_path: Path) -> None:
    lines = LOG.read_text(encoding="utf-8").splitlines()
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
        reload_interval_s=0,
    )
    replayed = await replay_lines(lines, build_engine(settings, with_suggester=False))

    clock = ManualClock(parse_ts(json.loads(lines[0])["ts"]))
    async with run_server(settings, clock) as server:
        async with connect(server.ws + "/ws/ingest") as ingest:
            for line in lines:
                clock.now = max(clock.now, parse_ts(json.loads(line)["ts"]))
                await ingest.send(line)
                assert "ack" in await receive_json(ingest)
        async with httpx.AsyncClient(base_url=server.base) as http:
            live = (await http.get("/api/agents/stats")).json()["agents"]
            conversations = {json.loads(line)["conversation_id"] for line in lines}
            live_alerts = []
            for conversation in sorted(conversations):
                detail = (await http.get(f"/api/conversations/{conversation}")).json()
                live_alerts += [
                    (a["at"], a["kind"], conversation, a["agent_id"], a["waited_s"])
                    for a in detail["alerts"]
                ]

    assert live == replayed.agents
    assert sorted(live_alerts) == sorted(
        (a["at"], a["kind"], a["conversation_id"], a["agent_id"], a["waited_s"])
        for a in replayed.alerts
    )
    assert len(live_alerts) == 110
