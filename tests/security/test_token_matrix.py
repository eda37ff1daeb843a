"""Each role against each endpoint and channel, allowed and refused, on a real server.

The expected table is written out here from the issue's words, not derived from the
policy code, so a wrong policy fails it. Refusals: no or an unknown token → HTTP 401 /
websocket close 4401; a valid token of the wrong role → 403 / 4403.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import APIRoute, APIWebSocketRoute
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assist.service.app import create_app
from assist.settings import Settings
from tests.service.server import JSON, RunningServer, receive_json, run_server

pytestmark = pytest.mark.e2e
# One server for the whole matrix: its tests share the module's event loop.
on_module_loop = pytest.mark.asyncio(loop_scope="module")

TOKENS = {
    "ingest": "ingest-token-0123456789",
    "supervisor": "supervisor-token-0123456789",
    "qa": "qa-token-0123456789abc",
    "agent:a-1": "agent-a1-token-0123456789",
}
CALLERS = [*TOKENS, "no token", "unknown token"]

EVENT = (
    '{"id": "m-%s", "type": "customer_message", "conversation_id": "c-1", '
    '"agent_id": "a-1", "text": "在吗"}'
)
HTTP = [
    ("POST", "/api/events"),
    ("GET", "/api/agents/stats"),
    ("GET", "/api/agents/stats.csv"),
    ("GET", "/api/agents/a-1/stats"),
    ("GET", "/api/conversations/c-1"),
    ("GET", "/metrics"),
    ("GET", "/panel/a-1"),
    ("GET", "/panel/a-2"),
    ("GET", "/supervisor"),
    ("GET", "/qa"),
    ("GET", "/api/qa/scores?month=2026-12"),
    ("GET", "/api/qa/scores.csv?month=2026-12"),
    ("GET", "/api/qa/conversations/c-1"),
    ("GET", "/api/kpi?month=2026-12"),
    ("GET", "/api/kpi.csv?month=2026-12"),
    ("GET", "/api/handover?agent_id=a-1"),
    ("GET", "/api/handover?agent_id=a-2"),
    ("GET", "/healthz"),
]
CHANNELS = ["/ws/ingest", "/ws/agent/a-1", "/ws/agent/a-2", "/ws/supervisor"]
READ = {
    "GET /api/agents/stats",
    "GET /api/agents/stats.csv",
    "GET /api/agents/a-1/stats",
    "GET /api/conversations/c-1",
    "GET /metrics",
}
QA = {
    "GET /qa",
    "GET /api/qa/scores?month=2026-12",
    "GET /api/qa/scores.csv?month=2026-12",
    "GET /api/qa/conversations/c-1",
    "GET /api/kpi?month=2026-12",
    "GET /api/kpi.csv?month=2026-12",
}
ALLOWED = {
    "ingest": {"POST /api/events", "ws /ws/ingest"},
    "supervisor": READ
    | QA
    | {
        "GET /panel/a-1",
        "GET /panel/a-2",
        "GET /supervisor",
        "GET /api/handover?agent_id=a-1",
        "GET /api/handover?agent_id=a-2",
        "ws /ws/agent/a-1",
        "ws /ws/agent/a-2",
        "ws /ws/supervisor",
    },
    "qa": READ | QA,
    "agent:a-1": {"GET /panel/a-1", "GET /api/handover?agent_id=a-1", "ws /ws/agent/a-1"},
    "no token": set(),
    "unknown token": set(),
}
OPEN = {"GET /healthz"}


def token_of(caller: str) -> str | None:
    if caller == "no token":
        return None
    return TOKENS.get(caller, "unknown-token-0123456789")


def expected(caller: str, endpoint: str) -> str:
    if endpoint in OPEN or endpoint in ALLOWED[caller]:
        return "allowed"
    return "unauthorized" if caller in ("no token", "unknown token") else "forbidden"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("matrix")
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp / 'assist.db'}",
        reload_interval_s=0,
        tokens=",".join(f"{token}={role}" for role, token in TOKENS.items()),
    )
    async with run_server(settings) as running:
        yield running


def http_outcome(status: int) -> str:
    return {401: "unauthorized", 403: "forbidden"}.get(status, "allowed")


@on_module_loop
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path"), HTTP, ids=[f"{m} {p}" for m, p in HTTP])
async def test_http_endpoint_by_role(
    server: RunningServer, caller: str, method: str, path: str
) -> None:
    token = token_of(caller)
    headers = dict(JSON)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(base_url=server.base) as http:
        content = EVENT % caller.replace(" ", "-") if method == "POST" else None
        answer = await http.request(method, path, headers=headers, content=content)
    outcome = http_outcome(answer.status_code)
    assert outcome == expected(caller, f"{method} {path}"), answer.text
    if outcome != "allowed":
        assert answer.json()["error"]["code"] == outcome
        assert token is None or token not in answer.text


async def channel_outcome(server: RunningServer, path: str, token: str | None) -> str:
    """``allowed`` or the error code the socket was closed with (checked against 44xx)."""
    url = server.ws + path + (f"?token={token}" if token else "")
    async with connect(url) as socket:
        try:
            # A refusal comes at once; the ingest channel says nothing until spoken to.
            first = await receive_json(socket, timeout=0.5 if path == "/ws/ingest" else 5)
        except TimeoutError:
            await socket.send(EVENT % "ws")
            first = await receive_json(socket)
        if "error" in first:
            with pytest.raises(ConnectionClosed) as closed:
                await socket.recv()
            assert closed.value.rcvd is not None
            code = str(first["error"]["code"])
            assert (closed.value.rcvd.code, code) in ((4401, "unauthorized"), (4403, "forbidden"))
            return code
        assert "ack" in first or first.get("type") == "snapshot"
        return "allowed"


@on_module_loop
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", CHANNELS)
async def test_websocket_channel_by_role(server: RunningServer, caller: str, path: str) -> None:
    outcome = await channel_outcome(server, path, token_of(caller))
    assert outcome == expected(caller, f"ws {path}")


@on_module_loop
async def test_a_page_opened_with_its_token_in_the_url_is_served(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.base) as http:
        page = await http.get("/panel/a-1", params={"token": TOKENS["agent:a-1"]})
        assert page.status_code == 200 and "<html" in page.text.lower()
        # The token in the page's URL never travels on as a Referer.
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert (await http.get("/panel/a-1")).status_code == 401


def test_every_route_but_the_open_ones_passes_the_gate(tmp_path: Path) -> None:
    """A route added later without the gate fails here, whoever adds it."""
    app = create_app(Settings(db_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    open_paths = {"/healthz", "/webhooks/chatwoot", "/", "/openapi.json", "/docs", "/redoc"}
    open_paths |= {"/docs/oauth2-redirect"}
    ungated = []
    for route in app.routes:
        if not isinstance(route, APIRoute | APIWebSocketRoute) or route.path in open_paths:
            continue
        calls = [dep.call for dep in route.dependant.dependencies]
        if not any(getattr(call, "__qualname__", "").startswith("require.") for call in calls):
            ungated.append(route.path)
    assert ungated == []
