"""The agent side panel in headless Chromium, against a real server."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import open_page, screenshot_path, send
from tests.service.server import run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e


async def open_panel(browser: Browser, url: str) -> Page:
    return await open_page(browser, url, 360, 800)


async def test_a_card_shows_the_customers_words_the_countdown_suggestions_and_lint(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        page = await open_panel(browser, server.base + "/panel/a-1")
        await expect(page.locator("#empty")).to_be_visible()
        await send(server.ws, event("p-1", "customer_message", text="我170cm 130斤穿什么码"))
        card = page.locator('section.conversation[data-conversation="c-1"]')
        await expect(card.locator(".timer")).to_contain_text("待问候 · 剩")
        await expect(card.locator(".customer .said")).to_have_text("我170cm 130斤穿什么码")
        await expect(card.locator(".intent")).to_contain_text("问尺码")
        await expect(card.locator(".replies li").first).to_contain_text("L")
        await send(server.ws, event("p-2", "agent_message", text="亲，这个我们不能退哦"))
        await expect(card.locator(".lint mark")).to_have_text("我们不能")
        await expect(card.locator(".lint .advice").first).not_to_contain_text("§")
        await expect(card.locator(".timer")).to_have_text("已问候")
        await expect(page.locator("#empty")).to_be_hidden()
        await page.screenshot(path=screenshot_path("panel.png", tmp_path), full_page=True)


async def test_a_greeting_sent_after_its_deadline_reads_as_late_not_green(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=0.5, escalate_s=60)) as server:
        page = await open_panel(browser, server.base + "/panel/a-1")
        await send(server.ws, event("l-1", "customer_message", text="在吗"))
        badge = page.locator('section[data-conversation="c-1"] .timer')
        await expect(badge).to_contain_text("问候超时")
        await expect(badge).to_have_class("timer breached")
        await send(server.ws, event("l-2", "agent_message", text="您好，在的"))
        await expect(badge).to_contain_text("已问候（晚了")
        await expect(badge).to_have_class("timer late")


async def test_the_warning_comes_from_the_servers_timer_state_not_a_fixed_five_seconds(
    browser: Browser, tmp_path: Path
) -> None:
    # Warned 19.5 s before a 20 s deadline: a page judging by "5 s left" would stay blue.
    settings = fast_settings(tmp_path, greeting_s=20, warn_s=19.5, escalate_s=60)
    async with run_server(settings) as server:
        page = await open_panel(browser, server.base + "/panel/a-1")
        await send(server.ws, event("w-1", "customer_message", text="在吗"))
        badge = page.locator('section[data-conversation="c-1"] .timer')
        await expect(badge).to_have_class("timer warning")
        left = re.search(r"剩 (\d+) 秒", await badge.text_content() or "")
        assert left and int(left.group(1)) > 5  # far from a fixed 5 s, and warned all the same


async def test_closed_and_transferred_conversations_leave_the_panel(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        page = await open_panel(browser, server.base + "/panel/a-1")
        other = await open_panel(browser, server.base + "/panel/a-2")
        await send(
            server.ws,
            event("t-1", "customer_message", "c-close", text="在吗"),
            event("t-2", "agent_message", "c-close", text="您好，在的，请问有什么可以帮您"),
            event("t-3", "customer_message", "c-move", text="有L码吗"),
        )
        cards = page.locator("section.conversation")
        await expect(cards).to_have_count(2)
        await send(server.ws, event("t-4", "conversation_closed", "c-close"))
        await expect(page.locator('section[data-conversation="c-close"]')).to_have_count(0)
        await send(server.ws, event("t-5", "conversation_transferred", "c-move", agent_id="a-2"))
        await expect(cards).to_have_count(0)
        await expect(page.locator("#empty")).to_be_visible()
        await send(
            server.ws, event("t-6", "customer_message", "c-move", agent_id="a-2", text="在吗")
        )
        await expect(other.locator('section[data-conversation="c-move"]')).to_have_count(1)


async def test_long_ids_and_texts_stay_inside_a_360_pixel_panel(
    browser: Browser, tmp_path: Path
) -> None:
    long_id = "chatwoot:12345:" + "9" * 120
    long_text = "这件衣服" * 60 + "X" * 200
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        page = await open_panel(browser, server.base + "/panel/a-1")
        await send(
            server.ws,
            event("x-1", "customer_message", long_id, text=long_text),
            event("x-2", "agent_message", long_id, text="我们不能" + "退" * 300),
        )
        card = page.locator("section.conversation")
        await expect(card.locator(".lint mark").first).to_be_visible()
        card_box = await card.bounding_box()
        timer_box = await card.locator(".timer").bounding_box()
        lint_box = await card.locator(".lint").bounding_box()
        assert card_box and timer_box and lint_box
        assert timer_box["x"] + timer_box["width"] <= card_box["x"] + card_box["width"]
        assert timer_box["y"] + timer_box["height"] <= lint_box["y"]
        scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= 360
        await page.screenshot(path=screenshot_path("panel-long.png", tmp_path), full_page=True)


@contextmanager
def embedding_platform(panel_url: str) -> Iterator[str]:
    """A stand-in chat platform on its own origin (another port) framing the panel."""
    page = (
        "<!doctype html><meta charset=utf-8><title>platform</title><h1>chat platform</h1>"
        f'<iframe id="side" src="{panel_url}" width="360" height="700"></iframe>'
    ).encode()

    class Host(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_copy_works_inside_a_cross_origin_iframe_and_says_copied(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        with embedding_platform(server.base + "/panel/a-1") as origin:
            context = await browser.new_context(viewport={"width": 900, "height": 800})
            await context.grant_permissions(["clipboard-read"], origin=origin)
            page = await context.new_page()
            await page.goto(origin + "/conversation")
            panel = page.frame_locator("#side")
            await expect(panel.locator("#status")).to_have_text("在线")
            refused = await page.frames[1].evaluate(
                "navigator.clipboard.writeText('x').then(() => 'allowed', (e) => e.name)"
            )
            assert refused == "NotAllowedError"  # the Clipboard API alone would fail here
            await send(server.ws, event("c-1", "customer_message", text="我170cm 130斤穿什么码"))
            await send(server.ws, event("c-2", "agent_message", text="这个我们不能退哦"))
            reply = panel.locator(".replies button.copy").first
            await reply.click()
            await expect(reply.locator(".copy-tip")).to_have_text("已复制")
            wanted = await reply.locator(".copy-text").text_content()
            assert await page.evaluate("navigator.clipboard.readText()") == wanted
            alternative = panel.locator(".alternatives button.copy").first
            await alternative.click()
            await expect(alternative.locator(".copy-tip")).to_have_text("已复制")
            copied = await page.evaluate("navigator.clipboard.readText()")
            assert copied == await alternative.locator(".copy-text").text_content()
            assert "……" not in copied
            await page.screenshot(path=screenshot_path("panel-iframe.png", tmp_path))
            await context.close()


async def test_the_platform_focus_event_switches_agent_and_puts_the_conversation_first(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        await send(
            server.ws,
            event("f-1", "customer_message", "c-a", text="在吗"),
            event("f-2", "customer_message", "c-b", text="有货吗"),
            event("f-3", "customer_message", "c-z", agent_id="a-9", text="发什么快递"),
        )
        page = await open_panel(browser, server.base + "/panel/a-1")
        cards = page.locator("section.conversation")
        await expect(cards).to_have_count(2)

        async def focus(agent: str | None, conversation: str | None) -> None:
            detail = json.dumps({"agent_id": agent, "conversation_id": conversation})
            await page.evaluate(
                f"window.dispatchEvent(new CustomEvent('assist:context', {{detail: {detail}}}))"
            )

        for wanted in ("c-a", "c-b"):
            await focus("a-1", wanted)
            await expect(cards.first).to_have_attribute("data-conversation", wanted)
            await expect(cards.first).to_have_class("conversation focused")
        await focus("a-9", "c-z")
        await expect(page.locator("#who")).to_have_text("a-9")
        await expect(cards).to_have_count(1)
        await expect(cards.first).to_have_attribute("data-conversation", "c-z")
        await expect(cards.first).to_have_class("conversation focused")


async def test_a_reloaded_panel_is_whole_from_the_servers_snapshot(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        page = await open_panel(browser, server.base + "/panel/a-1")
        await send(
            server.ws,
            event("r-1", "customer_message", customer_id="u-5", text="你好"),
            event("r-2", "agent_message", text="这个我们不能退哦"),
            event("r-3", "customer_message", text="我170cm 130斤穿什么码"),
            event("r-4", "customer_message", "c-2", text="在吗"),
            event("r-5", "agent_message", "c-2", text="您好，在的"),
            event("r-6", "conversation_closed", "c-2"),
        )
        card = page.locator('section[data-conversation="c-1"]')
        await expect(card.locator(".lint mark")).to_have_text("我们不能")
        await page.reload()
        await expect(page.locator("#status")).to_have_text("在线")
        await expect(page.locator("section.conversation")).to_have_count(1)
        await expect(card.locator(".customer .said")).to_have_text("我170cm 130斤穿什么码")
        await expect(card.locator(".customer-id")).to_have_text("顾客 u-5")
        await expect(card.locator(".intent")).to_contain_text("问尺码")
        await expect(card.locator(".replies button").first).to_contain_text("L")
        await expect(card.locator(".lint mark")).to_have_text("我们不能")
        await expect(card.locator(".timer")).to_contain_text("待回复 · 剩")
