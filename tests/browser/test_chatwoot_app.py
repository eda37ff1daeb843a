"""The panel as a Chatwoot dashboard app: a host page on another origin plays Chatwoot's part.

Chatwoot's side of the handshake (Frame.vue): on the iframe's load, and whenever the iframe
posts "chatwoot-dashboard-app:fetch-info" to it, the dashboard posts
JSON.stringify({event: "appContext", data: {conversation, contact, currentAgent}}) into the
iframe. The host page below does exactly that, with a conversation record of the API shape.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Frame, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from assist.core.timeutil import format_ts
from tests.integrations.chatwoot_fixtures import incoming
from tests.service.other_server import serve
from tests.service.server import run_server
from tests.service.test_chatwoot_webhook import SECRET, deliver
from tests.service.test_live import fast_settings

pytestmark = pytest.mark.e2e

RECORD_CONTEXTS = """
window.__contexts = [];
window.addEventListener("assist:context", (event) => window.__contexts.push(event.detail));
"""

HOST_PAGE = """<!doctype html>
<html><body>
<iframe id="app" src="%(panel)s" style="width:380px;height:640px;border:0"></iframe>
<script>
  window.appContext = %(context)s;
  window.fetchInfoRequests = 0;
  const frame = document.getElementById("app");
  function sendContext() {
    frame.contentWindow.postMessage(JSON.stringify(window.appContext), "*");
  }
  frame.addEventListener("load", sendContext);
  window.onmessage = (event) => {
    if (event.data !== "chatwoot-dashboard-app:fetch-info") return;
    window.fetchInfoRequests += 1;
    sendContext();
  };
</script>
</body></html>"""


def app_context(conversation: int, assignee: int | None, current_agent: int) -> dict[str, Any]:
    """The appContext envelope with values in the dashboard's record shapes."""
    return {
        "event": "appContext",
        "data": {
            "conversation": {
                "id": conversation,
                "account_id": 1,
                "inbox_id": 1,
                "status": "open",
                "meta": {
                    "sender": {"id": 163, "name": "billowing-night-17"},
                    "assignee": None if assignee is None else {"id": assignee, "name": "小王"},
                    "channel": "Channel::WebWidget",
                },
                "messages": [{"id": 810, "content": "你好", "message_type": 0}],
                "allMessagesLoaded": False,
                "dataFetched": True,
            },
            "contact": {"id": 163, "name": "billowing-night-17"},
            "currentAgent": {"id": current_agent, "name": "小王", "email": "wang@example.com"},
        },
    }


def host_app(panel_url: str, context: dict[str, Any]) -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        values = {"panel": panel_url, "context": json.dumps(context, ensure_ascii=False)}
        return HTMLResponse(HOST_PAGE % values)

    return Starlette(routes=[Route("/", page)])


async def open_host(chromium: Browser, host: str) -> tuple[Page, Frame]:
    """Chatwoot's page with the panel in its iframe, recording the panel's contexts."""
    page = await chromium.new_page()
    await page.add_init_script(RECORD_CONTEXTS)
    await page.goto(host + "/")
    return page, await panel_frame(page)


async def panel_frame(page: Page) -> Frame:
    await page.wait_for_function("document.getElementById('app').contentWindow !== null")
    for _ in range(200):
        for frame in page.frames:
            if "/panel/" in frame.url:
                return frame
        await page.wait_for_timeout(25)
    raise AssertionError("the panel iframe never loaded")


async def contexts(frame: Frame, count: int) -> list[dict[str, Any]]:
    await frame.wait_for_function(f"window.__contexts.length >= {count}")
    found: list[dict[str, Any]] = await frame.evaluate("window.__contexts")
    return found


async def test_inside_chatwoot_the_panel_gets_the_conversation_on_screen(
    browser: Browser,
    tmp_path: Path,
) -> None:
    settings = fast_settings(tmp_path, greeting_s=60, reply_s=60, chatwoot_secret=SECRET)
    async with run_server(settings) as assist:
        panel_url = assist.base + "/panel/chatwoot"  # one URL for every agent
        async with serve(host_app(panel_url, app_context(150, 7, 7))) as host:
            assert host.split(":")[-1] != assist.base.split(":")[-1]  # another origin
            page, frame = await open_host(browser, host)
            assert (await contexts(frame, 1))[0] == {
                "agent_id": "chatwoot:1:7",
                "conversation_id": "chatwoot:1:150",
            }
            assert await page.evaluate("window.fetchInfoRequests") >= 1
            await expect(frame.locator("#status")).to_have_text("在线")

            # The customer asks in Chatwoot; the webhook brings it to the panel beside it.
            payload = incoming(810, "我170cm 130斤穿什么码")
            payload["created_at"] = format_ts(datetime.now(UTC))
            payload["conversation"]["meta"]["assignee"] = {"id": 7, "name": "小王", "type": "user"}
            async with httpx.AsyncClient(base_url=assist.base) as client:
                assert (await deliver(client, payload)).status_code == 200
            card = frame.locator('section.conversation[data-conversation="chatwoot:1:150"]')
            await expect(card.locator(".timer")).to_contain_text("剩")
            await expect(card.locator(".replies li").first).to_contain_text("L")
            # The panel followed the context to that agent's channel, the conversation first.
            await expect(frame.locator("#who")).to_have_text("chatwoot:1:7")
            await expect(card).to_have_class(re.compile(r"\bfocused\b"))
            # Copy inside Chatwoot's cross-origin iframe, which grants no clipboard permission.
            reply = card.locator(".replies button.copy").first
            await reply.click()
            await expect(reply.locator(".copy-tip")).to_have_text("已复制")
            await page.context.grant_permissions(["clipboard-read"], origin=host)
            copied = await page.evaluate("navigator.clipboard.readText()")
            assert copied == await reply.locator(".copy-text").text_content()

            # The agent opens another conversation: the app asks again and tells the panel.
            await page.evaluate("window.appContext.data.conversation.id = 151")
            switched = (await contexts(frame, 2))[1]
            assert switched == {"agent_id": "chatwoot:1:7", "conversation_id": "chatwoot:1:151"}
            await page.screenshot(
                path=os.environ.get("ASSIST_CHATWOOT_SCREENSHOT", str(tmp_path / "cw.png"))
            )


async def test_an_unassigned_conversation_is_shown_for_the_agent_looking_at_it(
    browser: Browser,
    tmp_path: Path,
) -> None:
    async with run_server(fast_settings(tmp_path)) as assist:
        host_page = host_app(assist.base + "/panel/chatwoot", app_context(42, None, 9))
        async with serve(host_page) as host:
            _, frame = await open_host(browser, host)
            assert (await contexts(frame, 1))[0] == {
                "agent_id": "chatwoot:1:9",
                "conversation_id": "chatwoot:1:42",
            }


async def test_outside_an_iframe_the_dashboard_app_script_does_nothing(
    browser: Browser,
    tmp_path: Path,
) -> None:
    async with run_server(fast_settings(tmp_path)) as assist:
        page = await browser.new_page()
        await page.goto(assist.base + "/panel/a-1")
        await expect(page.locator("#status")).to_have_text("在线")
        assert await page.evaluate("typeof window.AssistChatwoot") == "undefined"
