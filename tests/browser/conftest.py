"""Headless Chromium for the page tests, and a helper that feeds events to a server.

Needs Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it). Without it the
browser tests skip with the reason, unless ``ASSIST_REQUIRE_BROWSER=1`` makes that a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from websockets.asyncio.client import connect

from tests.service.server import receive_json

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
    """Send events over the public ingest websocket, each acknowledged before the next."""
    async with connect(ws_base + "/ws/ingest") as ingest:
        for frame in frames:
            await ingest.send(frame)
            reply = await receive_json(ingest)
            assert "error" not in reply, reply


async def open_page(browser: Browser, url: str, width: int, height: int = 800) -> Page:
    """A page at ``width`` pixels, once its channel is connected (status 在线)."""
    page = await browser.new_page(viewport={"width": width, "height": height})
    await page.goto(url)
    await expect(page.locator("#status")).to_have_text("在线")
    return page


def screenshot_path(name: str, fallback_dir: object) -> str:
    """Where a test saves its screenshot: ``$ASSIST_SCREENSHOTS/`` if set, else tmp_path."""
    folder = os.environ.get("ASSIST_SCREENSHOTS") or str(fallback_dir)
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)
