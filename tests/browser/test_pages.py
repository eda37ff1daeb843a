"""A real browser (headless Chromium) on the agent panel and the supervisor board.

Needs Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it). Without it these
tests skip with the reason, unless ``ASSIST_REQUIRE_BROWSER=1`` makes that a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from websockets.asyncio.client import connect

from tests.service.server import receive_json, run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if CHROMIUM is None:
        if os.environ.get("ASSIST_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (ASSIST_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def send(ws_base: str, *frames: str) -> None:
    async with connect(ws_base + "/ws/ingest") as ingest:
        for frame in frames:
            await ingest.send(frame)
            await receive_json(ingest)


async def test_the_agent_panel_shows_countdown_suggestion_and_lint(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        page: Page = await browser.new_page()
        await page.goto(server.base + "/panel/a-1")
        await expect(page.locator("#status")).to_have_text("在线")
        await send(server.ws, event("p-1", "customer_message", text="我170cm 130斤穿什么码"))
        card = page.locator('section.conversation[data-conversation="c-1"]')
        await expect(card.locator(".timer")).to_contain_text("欢迎 剩")
        await expect(card.locator(".intent")).to_contain_text("尺码")
        await expect(card.locator(".replies li").first).to_contain_text("L")
        await send(server.ws, event("p-2", "agent_message", text="亲，这个我们不能退哦"))
        await expect(card.locator(".lint mark")).to_have_text("我们不能")
        await expect(card.locator(".timer")).to_contain_text("已回复")
        await page.screenshot(path=os.environ.get("ASSIST_SCREENSHOT", str(tmp_path / "panel.png")))


async def test_the_supervisor_board_lists_waiting_customers_and_alerts(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=0.5, escalate_s=60)) as server:
        page = await browser.new_page()
        await page.goto(server.base + "/supervisor")
        await expect(page.locator("#status")).to_have_text("在线")
        await send(server.ws, event("s-1", "customer_message", "c-9", agent_id="a-2", text="在吗"))
        row = page.locator('#waits tr[data-conversation="c-9"]')
        await expect(row).to_contain_text("a-2")
        await expect(page.locator("#alerts li").first).to_contain_text("欢迎语超时")
        await expect(row).to_have_class("breached")
