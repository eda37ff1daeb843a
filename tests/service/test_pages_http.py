"""The landing page, /docs and the ingest schema, over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import send
from tests.service.server import run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e


async def test_the_landing_page_links_the_board_docs_qa_and_each_active_agents_panel(
    tmp_path: Path,
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30)) as server:
        async with httpx.AsyncClient(base_url=server.base) as http:
            empty = (await http.get("/")).text
            assert "暂无进行中的会话" in empty
            await send(
                server.ws,
                event("l-1", "customer_message", "c-1", agent_id="a-7", text="在吗"),
                event("l-2", "customer_message", "c-2", agent_id="<b>x</b>", text="在吗"),
            )
            page = (await http.get("/")).text
    for link in ('href="/supervisor"', 'href="/qa"', 'href="/docs"', 'href="/panel/a-7"'):
        assert link in page
    assert 'href="/panel/%3Cb%3Ex%3C%2Fb%3E"' in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<b>x</b>" not in page


async def test_docs_load_swagger_from_assist_itself_and_every_asset_is_served(
    tmp_path: Path,
) -> None:
    async with run_server(fast_settings(tmp_path)) as server:
        async with httpx.AsyncClient(base_url=server.base) as http:
            docs = (await http.get("/docs")).text
            assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", docs)
            assert {a for a in assets if a.startswith("http")} == set()  # no CDN
            assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
            for asset in assets:
                assert (await http.get(asset)).status_code == 200, asset
            assert "/openapi.json" in docs


async def test_the_ingest_request_schema_is_documented_and_arrays_are_still_accepted(
    tmp_path: Path,
) -> None:
    async with run_server(fast_settings(tmp_path)) as server:
        async with httpx.AsyncClient(base_url=server.base) as http:
            spec = (await http.get("/openapi.json")).json()
            body = spec["paths"]["/api/events"]["post"]["requestBody"]["content"]
            one, many = body["application/json"]["schema"]["oneOf"]
            assert {"id", "type", "conversation_id"} <= set(one["required"])
            assert "customer_message" in one["properties"]["type"]["enum"]
            assert many["type"] == "array"
            batch = (
                '[{"id": "a-1", "type": "customer_message", "conversation_id": "c-1", '
                '"text": "在吗"}, {"id": "a-2", "type": "nope", "conversation_id": "c-1"}]'
            )
            reply = await http.post(
                "/api/events", content=batch.encode(), headers={"Content-Type": "application/json"}
            )
    assert reply.status_code == 422
    assert reply.json()[0] == {"ack": "a-1"}
    assert reply.json()[1]["error"]["code"] == "unknown_type"
