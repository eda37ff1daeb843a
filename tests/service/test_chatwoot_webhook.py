"""POST /webhooks/chatwoot end to end: a real server, signed deliveries of Chatwoot's payloads."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from assist.core.errors import error_frame
from assist.core.timeutil import format_ts
from assist.integrations.chatwoot import sign
from assist.service.app import create_app
from assist.service.routes.chatwoot import MAX_BODY_BYTES
from tests.integrations.chatwoot_fixtures import (
    incoming,
    load,
    outgoing,
    private_note,
    raw,
    with_status,
)
from tests.service.server import receive_until, run_server
from tests.service.test_live import fast_settings
from tests.service.test_store_outage import rename_table

pytestmark = pytest.mark.e2e

SECRET = "cw-secret-24-alnum-chars"
CONVERSATION = "chatwoot:1:150"
URL = "/webhooks/chatwoot"
JSON_TYPE = {"Content-Type": "application/json"}


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def signed(body: bytes, *, delivery: str | None = None, at: int | None = None) -> dict[str, str]:
    """The headers Chatwoot sends with a delivery signed ``at`` (default: now)."""
    stamp = str(int(time.time()) if at is None else at)
    return JSON_TYPE | {
        "X-Chatwoot-Delivery": delivery or str(uuid.uuid4()),
        "X-Chatwoot-Timestamp": stamp,
        "X-Chatwoot-Signature": sign(SECRET, stamp, body),
    }


async def deliver(
    client: httpx.AsyncClient, payload: dict[str, Any] | bytes, **options: Any
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else body_of(payload)
    return await client.post(URL, content=body, headers=signed(body, **options))


def conversation(server: Any, conversation_id: str = CONVERSATION) -> Any:
    return server.app.state.runtime.engine.conversations.get(conversation_id)


async def test_a_customer_message_starts_the_greeting_and_the_agents_reply_meets_it(
    tmp_path: Path,
) -> None:
    settings = fast_settings(tmp_path, greeting_s=30, reply_s=30, chatwoot_secret=SECRET)
    async with (
        run_server(settings) as server,
        connect(server.ws + "/ws/supervisor?frames=timer,suggestion") as board,
        httpx.AsyncClient(base_url=server.base) as client,
    ):
        await receive_until(board, lambda f: f["type"] == "snapshot")
        response = await deliver(client, incoming())
        assert response.status_code == 200
        assert response.json() == {"events": [{"ack": "chatwoot:1:message:810"}], "stored": True}
        running = await receive_until(board, lambda f: f["type"] == "timer")
        assert (running["conversation_id"], running["kind"], running["state"]) == (
            CONVERSATION,
            "greeting",
            "running",
        )
        assert conversation(server).customer_id == "chatwoot:1:contact:163"

        note = await deliver(client, private_note())
        assert (note.status_code, note.json()) == (200, {"ignored": "private note"})
        assert conversation(server).wait is not None and conversation(server).agent_messages == 0

        reply = await deliver(client, outgoing(811, "您好，欢迎光临"))
        assert reply.json()["events"] == [{"ack": "chatwoot:1:message:811"}]
        met = await receive_until(board, lambda f: f["type"] == "timer" and f["state"] == "met")
        assert (met["conversation_id"], met["agent_id"]) == (CONVERSATION, "chatwoot:1:7")
        assert conversation(server).agent_id == "chatwoot:1:7"


async def test_captured_deliveries_of_a_bot_handled_chat_wait_for_the_hand_over(
    tmp_path: Path,
) -> None:
    settings = fast_settings(tmp_path, greeting_s=30, chatwoot_secret=SECRET)
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as client:
        order = [
            "webwidget_triggered.json",
            "contact_updated_custom_attributes.json",
            "conversation_created.json",
            "conversation_updated.json",
            "message_created_incoming.json",
            "contact_updated_last_activity.json",
            "conversation_status_changed.json",
            "conversation_typing_off.json",
        ]
        for name in order:  # byte for byte as published, signed with our secret
            answer = await deliver(client, raw(name))
            assert answer.status_code == 200 and "ignored" in answer.json()
        assert conversation(server) is None  # pending: the inbox's bot has the chat

        handed_over = await deliver(client, with_status("open"))
        assert handed_over.json()["events"] == [{"ack": "chatwoot:1:150:opened:1763177800.5"}]
        assert conversation(server).phase.value == "awaiting_greeting"
        closed = await deliver(client, with_status("resolved", 1763178000.5))
        assert closed.status_code == 200
        assert conversation(server).phase.value == "closed"
        reopened = await deliver(client, with_status("open", 1763178999.5))
        assert reopened.status_code == 200
        assert conversation(server).phase.value == "awaiting_greeting"


async def test_a_repeated_delivery_is_applied_once_even_after_a_restart(
    tmp_path: Path, db_url: str
) -> None:
    settings = fast_settings(tmp_path, db_url=db_url, greeting_s=30, chatwoot_secret=SECRET)
    # Sent now (the engine remembers the ids of recent events across a restart).
    message = incoming(900, "在吗") | {"created_at": format_ts(datetime.now(UTC))}
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as client:
        first = await deliver(client, message, delivery="d-900")
        assert first.json()["events"] == [{"ack": "chatwoot:1:message:900"}]
        again = await deliver(client, message, delivery="d-900")
        assert again.json() == {"duplicate": True, "delivery": "d-900"}
        # Same message, new delivery id (a webhook re-created in Chatwoot): the event id holds.
        resent = await deliver(client, message, delivery="d-901")
        assert resent.json()["events"] == [{"ack": "chatwoot:1:message:900", "duplicate": True}]
        metrics = (await client.get("/metrics")).text
        assert 'assist_events_total{type="customer_message"} 1.0' in metrics
        assert 'assist_chatwoot_deliveries_total{outcome="duplicate"} 1.0' in metrics
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as client:
        after_restart = await deliver(client, message, delivery="d-900")
        assert after_restart.json()["events"] == [
            {"ack": "chatwoot:1:message:900", "duplicate": True}
        ]


async def test_signature_failures_are_401_with_the_usual_error_body(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, chatwoot_secret=SECRET)
    body = body_of(incoming(901))
    now = int(time.time())
    good = signed(body)
    wrong = good | {
        "X-Chatwoot-Signature": sign("not-the-secret", good["X-Chatwoot-Timestamp"], body)
    }
    stale = signed(body, at=now - 301)
    unsigned = JSON_TYPE | {"X-Chatwoot-Delivery": "d-unsigned"}
    reserialised = json.dumps(json.loads(body)).encode()  # ASCII escapes: other bytes
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as client:
        for headers, content, why in [
            (wrong, body, "signature does not match the body"),
            (stale, body, "stale delivery"),
            (unsigned, body, "unsigned delivery"),
            (good, reserialised, "signature does not match the body"),
        ]:
            response = await client.post(URL, content=content, headers=headers)
            assert response.status_code == 401
            error = response.json()["error"]
            assert error["code"] == "unauthorized" and error["message"].startswith(why)
            assert response.json() == error_frame("unauthorized", error["message"])
        assert conversation(server, "chatwoot:1:150") is None
        accepted = await client.post(URL, content=body, headers=good)
        assert accepted.status_code == 200


async def test_without_a_secret_loopback_deliveries_need_no_signature(tmp_path: Path) -> None:
    async with (
        run_server(fast_settings(tmp_path)) as server,
        httpx.AsyncClient(base_url=server.base) as client,
    ):
        response = await client.post(URL, content=body_of(incoming()), headers=JSON_TYPE)
        assert response.json()["events"] == [{"ack": "chatwoot:1:message:810"}]


async def test_unknown_kinds_are_ignored_and_bad_bodies_are_refused(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, chatwoot_secret=SECRET)
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as client:
        inbox = await deliver(client, {"event": "inbox_created", "id": 3})
        assert (inbox.status_code, inbox.json()) == (
            200,
            {"ignored": "inbox_created is not used by assist"},
        )
        not_json = await deliver(client, b"{not json")
        assert (not_json.status_code, not_json.json()["error"]["code"]) == (422, "invalid_json")
        template = await deliver(client, load("docs_template_message_created.json"))
        assert template.status_code == 422
        assert template.json() == error_frame(
            "invalid_event", "message_created: message_type is missing"
        )
        huge = b'{"event":"message_created","content":"' + b"x" * MAX_BODY_BYTES + b'"}'
        too_large = await deliver(client, huge)
        assert (too_large.status_code, too_large.json()["error"]["code"]) == (413, "too_large")


async def test_during_a_store_outage_a_delivery_is_applied_answered_202_and_stored_later(
    tmp_path: Path,
) -> None:
    settings = fast_settings(tmp_path, greeting_s=30, chatwoot_secret=SECRET)
    db = tmp_path / "assist.db"
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as client:
        rename_table(db, "events", "events_away")  # every write now fails
        response = await deliver(client, incoming(950, "在吗"))
        assert response.status_code == 202  # within Chatwoot's 5 s, not a failure to it
        assert response.json() == {"events": [{"ack": "chatwoot:1:message:950"}], "stored": False}
        assert conversation(server).phase.value == "awaiting_greeting"  # applied already
        rename_table(db, "events_away", "events")
        for _ in range(100):
            detail = await client.get(f"/api/conversations/{CONVERSATION}")
            if detail.status_code == 200 and detail.json()["events"]:
                break
            await asyncio.sleep(0.1)
        assert [e["id"] for e in detail.json()["events"]] == ["chatwoot:1:message:950"]


async def test_without_a_secret_a_delivery_from_another_host_is_refused(tmp_path: Path) -> None:
    # Tokens set, so the service itself may face the network; the webhook still refuses an
    # unsigned delivery from elsewhere (without tokens the gate refuses it first, 403).
    app = create_app(fast_settings(tmp_path, tokens="supervisor-token-0123456789=supervisor"))

    async def post_from(peer: str, payload: dict[str, Any]) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(peer, 40123))
        async with httpx.AsyncClient(transport=transport, base_url="http://assist") as client:
            return await client.post(URL, content=body_of(payload), headers=JSON_TYPE)

    async with app.router.lifespan_context(app):
        refused = await post_from("203.0.113.5", incoming(961))
        assert refused.status_code == 401
        assert refused.json() == error_frame(
            "unauthorized", "ASSIST_CHATWOOT_SECRET is not set: only loopback peers may post"
        )
        local = await post_from("::1", incoming(962))
        assert local.json()["events"] == [{"ack": "chatwoot:1:message:962"}]


async def test_a_browser_page_cannot_post_deliveries(tmp_path: Path) -> None:
    """Not from another web origin, and not as a form (no JSON content type)."""
    async with (
        run_server(fast_settings(tmp_path)) as server,
        httpx.AsyncClient(base_url=server.base) as client,
    ):
        body = body_of(incoming(970))
        cross_site = JSON_TYPE | {"Origin": "https://evil.example"}
        refused = await client.post(URL, content=body, headers=cross_site)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
        form = await client.post(URL, content=body, headers={"Content-Type": "text/plain"})
        assert (form.status_code, form.json()["error"]["code"]) == (415, "unsupported_media_type")
        assert conversation(server) is None
