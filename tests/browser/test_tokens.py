"""A page opened with ``?token=`` passes it on: websocket URLs, API calls, links."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Request, WebSocketRoute, expect

from tests.service.server import run_server
from tests.service.test_live import fast_settings

pytestmark = pytest.mark.e2e


async def test_pages_pass_their_token_to_websockets_api_calls_and_links(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path)) as server:
        page = await browser.new_page()
        sockets: list[str] = []

        def passthrough(route: WebSocketRoute) -> None:
            sockets.append(route.url)
            route.connect_to_server()

        await page.route_web_socket("**/ws/**", passthrough)
        authorizations: dict[str, str | None] = {}

        def note(request: Request) -> None:
            if "/api/" in request.url:
                authorizations[request.url] = request.headers.get("authorization")

        page.on("request", note)
        await page.goto(server.base + "/panel/a-1?token=t%2B1")
        await expect(page.locator("#status")).to_have_text("在线")
        async with page.expect_request("**/api/waits/minutes") as chart_request:
            await page.goto(server.base + "/supervisor?token=t%2B1")
        chart = await chart_request.value
        assert chart.headers.get("authorization") == "Bearer t+1"
        assert "token=" not in chart.url  # the header carries it; URLs end up in logs
        await page.goto(server.base + "/?token=t%2B1")
        board_link = await page.locator('a[href^="/supervisor"]').get_attribute("href")
    assert [url.split("?")[0].rsplit("/", 1)[-1] for url in sockets] == ["a-1", "supervisor"]
    assert all("token=t%2B1" in url for url in sockets), sockets
    assert authorizations and set(authorizations.values()) == {"Bearer t+1"}
    assert board_link == "/supervisor?token=t%2B1"
