"""Without tokens assist answers this machine only — whoever serves the app, on any route."""

from __future__ import annotations

from pathlib import Path

import httpx

from assist.service.app import create_app
from assist.settings import Settings


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'assist.db'}",
        reload_interval_s=0,
        **values,  # type: ignore[arg-type]
    )


async def _get(app: object, peer: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(peer, 40123))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://assist") as client:
        return await client.get(path)


async def test_a_network_caller_is_refused_when_no_tokens_are_set(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    async with app.router.lifespan_context(app):
        for path in ("/api/agents/stats", "/", "/supervisor", "/api/qa/scores?month=2026-12"):
            refused = await _get(app, "203.0.113.5", path)
            assert refused.status_code == 403, path
            assert refused.json()["error"]["code"] == "forbidden"
        assert (await _get(app, "127.0.0.1", "/api/agents/stats")).status_code == 200
        assert (await _get(app, "::1", "/")).status_code == 200
        assert (await _get(app, "203.0.113.5", "/healthz")).status_code == 200


async def test_with_tokens_the_landing_page_names_no_agents(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, tokens="supervisor-token-0123456789=supervisor"))
    async with app.router.lifespan_context(app):
        app.state.runtime.ingest(
            b'{"id": "e-1", "type": "customer_message", "conversation_id": "c-1",'
            b' "agent_id": "a-secret-agent", "text": "hi"}'
        )
        page = await _get(app, "203.0.113.5", "/")
        assert page.status_code == 200
        assert "a-secret-agent" not in page.text
