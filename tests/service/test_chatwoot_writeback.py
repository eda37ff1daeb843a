"""Write-back of suggestions as private notes, against a real local HTTP server playing Chatwoot."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.integrations.chatwoot_fixtures import incoming, outgoing
from tests.service.other_server import serve
from tests.service.server import run_server
from tests.service.test_chatwoot_webhook import SECRET, deliver
from tests.service.test_live import fast_settings

pytestmark = pytest.mark.e2e

SIZING = "我170cm 130斤穿什么码"
MESSAGES = "/api/v1/accounts/{account}/conversations/{conversation}/messages"


@dataclass
class FakeChatwoot:
    """Chatwoot's "create message" endpoint: records what it gets, fails where told."""

    base: str = ""
    received: asyncio.Queue[tuple[str, dict[str, str], Any]] = field(default_factory=asyncio.Queue)
    failing: set[str] = field(default_factory=set)  # conversation ids answered with 500

    async def create_message(self, request: Request) -> JSONResponse:
        conversation = request.path_params["conversation"]
        await self.received.put((request.url.path, dict(request.headers), await request.json()))
        if conversation in self.failing:
            return JSONResponse({"error": "boom"}, status_code=500)
        return JSONResponse({"id": 9001, "private": True, "conversation_id": int(conversation)})


@asynccontextmanager
async def fake_chatwoot() -> AsyncIterator[FakeChatwoot]:
    fake = FakeChatwoot()
    app = Starlette(routes=[Route(MESSAGES, fake.create_message, methods=["POST"])])
    async with serve(app) as base:
        fake.base = base
        yield fake


def in_conversation(payload: dict[str, Any], number: int) -> dict[str, Any]:
    payload["conversation"]["id"] = number
    return payload


async def counter(client: httpx.AsyncClient, outcome: str, at_least: float) -> float:
    """Poll /metrics until the note counter for ``outcome`` reaches ``at_least``."""
    pattern = re.compile(rf'assist_chatwoot_notes_total{{outcome="{outcome}"}} (\S+)')
    for _ in range(500):
        found = pattern.search((await client.get("/metrics")).text)
        if found and float(found.group(1)) >= at_least:
            return float(found.group(1))
        await asyncio.sleep(0.01)
    raise AssertionError(f"notes_total{{outcome={outcome}}} never reached {at_least}")


async def test_the_top_suggestion_is_posted_as_a_private_note_rate_limited(
    tmp_path: Path,
) -> None:
    async with fake_chatwoot() as chatwoot:
        settings = fast_settings(
            tmp_path,
            greeting_s=30,
            chatwoot_secret=SECRET,
            chatwoot_url=chatwoot.base + "/",
            chatwoot_api_token="agent-bot-token",
        )
        async with (
            run_server(settings) as server,
            httpx.AsyncClient(base_url=server.base) as client,
        ):
            assert (await deliver(client, incoming(1001, SIZING))).status_code == 200
            path, headers, body = await asyncio.wait_for(chatwoot.received.get(), 10)
            assert path == "/api/v1/accounts/1/conversations/150/messages"
            assert headers["api_access_token"] == "agent-bot-token"
            assert body["private"] is True and body["message_type"] == "outgoing"
            assert body["content"].startswith("坐席助手建议：") and "L" in body["content"]
            await counter(client, "sent", 1)

            # The note comes back to the webhook as an outgoing private message: dropped.
            echo = outgoing(1002, body["content"], private=True)
            assert (await deliver(client, echo)).json() == {"ignored": "private note"}

            # A second question in the same conversation within the interval: no second note.
            assert (await deliver(client, incoming(1003, SIZING))).status_code == 200
            await counter(client, "limited", 1)
            assert chatwoot.received.empty()


async def test_a_failing_chatwoot_is_logged_and_never_stops_the_service(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with fake_chatwoot() as chatwoot:
        chatwoot.failing.add("151")
        settings = fast_settings(
            tmp_path,
            greeting_s=30,
            chatwoot_secret=SECRET,
            chatwoot_url=chatwoot.base,
            chatwoot_api_token="agent-bot-token",
        )
        async with (
            run_server(settings) as server,
            httpx.AsyncClient(base_url=server.base) as client,
        ):
            refused = await deliver(client, in_conversation(incoming(1101, SIZING), 151))
            assert refused.status_code == 200
            await counter(client, "failed", 1)
            assert any("HTTP 500" in r.getMessage() for r in caplog.records)
            accepted = await deliver(client, in_conversation(incoming(1102, SIZING), 152))
            assert accepted.status_code == 200
            await counter(client, "sent", 1)


async def test_without_url_and_token_nothing_is_written_back(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, greeting_s=30, chatwoot_secret=SECRET)
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as client:
        assert (await deliver(client, incoming(1201, SIZING))).status_code == 200
        assert "assist_chatwoot_notes" not in (await client.get("/metrics")).text
