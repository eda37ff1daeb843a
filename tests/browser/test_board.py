"""The supervisor board in headless Chromium, against a real server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import open_page, screenshot_path, send
from tests.service.server import run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e


async def open_board(browser: Browser, url: str) -> Page:
    return await open_page(browser, url, 1280, 900)


async def test_an_empty_board_says_so_instead_of_showing_blank_sections(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path)) as server:
        page = await open_board(browser, server.base + "/supervisor")
        await expect(page.locator("#waits-empty")).to_be_visible()
        await expect(page.locator("#alerts-empty")).to_be_visible()
        await expect(page.locator("#count-waiting")).to_have_text("0")


async def test_the_board_lists_waiting_customers_oldest_first_and_marks_breaches(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=0.5, escalate_s=60)) as server:
        page = await open_board(browser, server.base + "/supervisor")
        await send(server.ws, event("s-1", "customer_message", "c-9", agent_id="a-2", text="在吗"))
        await send(server.ws, event("s-2", "customer_message", "c-8", agent_id="a-3", text="在吗"))
        rows = page.locator("#waits tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.first).to_have_attribute("data-conversation", "c-9")
        await expect(rows.first).to_contain_text("a-2")
        await expect(rows.first).to_have_class("breached")
        await expect(rows.first).to_contain_text("问候超时")
        await expect(page.locator("#waits-empty")).to_be_hidden()
        await expect(page.locator("#alerts li").first).to_contain_text("欢迎语超时")


async def test_the_alert_feed_says_what_was_said_and_sets_escalations_apart(
    browser: Browser, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path, greeting_s=0.3, reply_s=0.3, escalate_s=0.8)
    async with run_server(settings) as server:
        page = await open_board(browser, server.base + "/supervisor")
        await send(
            server.ws,
            event("n-1", "customer_message", "c-1", text="能退吗"),
            event("n-2", "agent_message", "c-1", text="您好，这个我们不能退哦"),
        )
        negative = page.locator("#alerts li.negative_phrase")
        await expect(negative).to_contain_text("负面用语")
        await expect(negative).to_contain_text("「我们不能」")
        await expect(negative).to_contain_text("原话：您好，这个我们不能退哦")
        await send(server.ws, event("n-3", "customer_message", "c-2", text="在吗"))
        escalation = page.locator("#alerts li.escalation")
        await expect(escalation).to_contain_text("等待过久，已升级")
        await expect(escalation).to_contain_text("请主管介入")
        breach = page.locator("#alerts li.greeting_breach")
        await expect(breach).to_contain_text("欢迎语超时")
        assert await escalation.evaluate("e => getComputedStyle(e).borderLeftColor") != (
            await breach.evaluate("e => getComputedStyle(e).borderLeftColor")
        )
        await page.screenshot(path=screenshot_path("board.png", tmp_path), full_page=True)


async def test_the_waiting_time_chart_survives_a_reload(browser: Browser, tmp_path: Path) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=30, reply_s=30)) as server:
        page = await open_board(browser, server.base + "/supervisor")
        await send(
            server.ws,
            event("w-1", "customer_message", "c-1", text="在吗"),
            event("w-2", "agent_message", "c-1", text="您好，在的"),
        )
        chart = page.locator("#chart")
        await expect(chart).to_have_attribute("data-bars", "1")
        await page.reload()
        await expect(page.locator("#status")).to_have_text("在线")
        await expect(chart).to_have_attribute("data-bars", "1")
        await expect(chart.locator("rect.bar title")).to_contain_text("1 位顾客")


async def test_hundreds_of_waiting_customers_render(browser: Browser, tmp_path: Path) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=300, escalate_s=600)) as server:
        page = await open_board(browser, server.base + "/supervisor")
        frames = [
            event(f"h-{n}", "customer_message", f"c-{n:03}", agent_id=f"a-{n % 7}", text="在吗")
            for n in range(400)
        ]
        await send(server.ws, *frames)
        await expect(page.locator("#count-waiting")).to_have_text("400")
        await expect(page.locator("#waits tbody tr")).to_have_count(300)
        await expect(page.locator("#waits-more")).to_contain_text("另有 100 位顾客在等待")
        await expect(page.locator("#waits tbody tr").first).to_have_attribute(
            "data-conversation", "c-000"
        )


async def test_a_supervisor_who_turns_on_notifications_gets_a_desktop_notice_and_a_tone(
    browser: Browser, tmp_path: Path
) -> None:
    async with run_server(fast_settings(tmp_path, greeting_s=0.5, escalate_s=60)) as server:
        context = await browser.new_context()
        await context.grant_permissions(["notifications"], origin=server.base)
        # Record what the page asks of the browser, then let the real APIs run.
        await context.add_init_script(
            """
            window.__notices = []; window.__tones = 0;
            const RealNotification = window.Notification;
            window.Notification = class extends RealNotification {
              constructor(title, options) { super(title, options); window.__notices.push(title); }
            };
            const RealOscillator = OscillatorNode.prototype.start;
            OscillatorNode.prototype.start = function (...args) {
              window.__tones += 1; return RealOscillator.apply(this, args);
            };
            """
        )
        page = await context.new_page()
        await page.goto(server.base + "/supervisor")
        await expect(page.locator("#status")).to_have_text("在线")
        await page.locator("#desktop").check()
        await page.locator("#sound").check()
        await send(server.ws, event("d-1", "customer_message", "c-1", text="在吗"))
        await expect(page.locator("#alerts li.greeting_breach")).to_have_count(1)
        assert await page.evaluate("window.__notices") == ["坐席助手 · 欢迎语超时"]
        assert await page.evaluate("window.__tones") == 1
        await page.reload()  # the choice is remembered
        await expect(page.locator("#desktop")).to_be_checked()
        await expect(page.locator("#sound")).to_be_checked()
        await context.close()
