"""A reload leaves the pages whole: they are rebuilt from the snapshot frame alone.

The channel is answered here with a snapshot of the shape CONTRACTS.md/DESIGN.md give
(what a reconnecting page receives), so these tests pin how the pages render each field;
the real server's snapshot is checked against the same shape in tests/service.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, WebSocketRoute, expect

from tests.service.server import run_server
from tests.service.test_live import fast_settings

pytestmark = pytest.mark.e2e


def iso(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def snapshot(now: datetime) -> dict[str, Any]:
    started = now - timedelta(seconds=25)
    return {
        "type": "snapshot",
        "at": iso(now),
        "warn_s": 5.0,
        "conversations": [
            {
                "conversation_id": "c-1",
                "agent_id": "a-1",
                "customer_id": "u-1",
                "phase": "awaiting_reply",
                "timer": {
                    "kind": "reply",
                    "state": "breached",
                    "started_at": iso(started),
                    "deadline": iso(started + timedelta(seconds=20)),
                    "warn_at": iso(started + timedelta(seconds=15)),
                    "waited_s": 25.0,
                },
                "last_customer_message": {
                    "message_id": "m-3",
                    "text": "我170cm 130斤穿什么码",
                    "at": iso(started),
                },
                "suggestion": {
                    "type": "suggestion",
                    "conversation_id": "c-1",
                    "agent_id": "a-1",
                    "message_id": "m-3",
                    "intent": "sizing",
                    "confidence": 0.93,
                    "slots": {},
                    "replies": ["亲，建议您选 L 码～"],
                },
                "lint": {
                    "type": "lint",
                    "conversation_id": "c-1",
                    "agent_id": "a-1",
                    "message_id": "m-2",
                    "findings": [
                        {
                            "rule": "negative_phrase",
                            "severity": "warning",
                            "phrase": "我们不能",
                            "start": 3,
                            "end": 7,
                            "advice": "先表示理解，再给出能做的替代方案。",
                            "alternatives": [
                                "非常理解您的心情，这边帮您看看别的办法，您看可以吗？"
                            ],
                        }
                    ],
                },
            }
        ],
        "alerts": [
            {
                "type": "alert",
                "kind": "negative_phrase",
                "conversation_id": "c-1",
                "agent_id": "a-1",
                "at": iso(started - timedelta(seconds=5)),
                "message_id": "m-2",
                "phrase": "我们不能",
                "phrases": ["我们不能"],
                "text": "亲，这个我们不能退哦",
            },
            {
                "type": "alert",
                "kind": "unpaid_order",
                "conversation_id": "c-2",
                "agent_id": "a-1",
                "at": iso(started + timedelta(seconds=1)),
                "waited_s": 1800.0,
                "message_id": "o-9",
                "order_id": "o-9",
                "amount": 129.0,
            },
            {
                "type": "alert",
                "kind": "complaint",
                "conversation_id": "c-3",
                "agent_id": "a-1",
                "at": iso(started + timedelta(seconds=2)),
                "source": "message",
                "text": "服务太差了，我要投诉",
            },
            {
                "type": "alert",
                "kind": "reply_breach",
                "conversation_id": "c-1",
                "agent_id": "a-1",
                "at": iso(started + timedelta(seconds=20)),
                "waited_s": 20.0,
            },
        ],
    }


async def answer_with_snapshot(page: Page, pattern: str) -> list[int]:
    """Route the page's channel to a fake that sends the snapshot; count connections."""
    connections: list[int] = []

    def handler(route: WebSocketRoute) -> None:
        connections.append(1)
        route.send(json.dumps(snapshot(datetime.now(UTC)), ensure_ascii=False))

    await page.route_web_socket(pattern, handler)
    return connections


async def test_the_panel_is_whole_after_a_reload(browser: Browser, tmp_path: Path) -> None:
    async with run_server(fast_settings(tmp_path)) as server:
        page = await browser.new_page(viewport={"width": 360, "height": 800})
        connections = await answer_with_snapshot(page, "**/ws/agent/**")
        for _ in range(2):  # the first load, then a reload
            await page.goto(server.base + "/panel/a-1")
            card = page.locator('section[data-conversation="c-1"]')
            await expect(card.locator(".customer .said")).to_have_text("我170cm 130斤穿什么码")
            await expect(card.locator(".customer-id")).to_have_text("顾客 u-1")
            await expect(card.locator(".intent")).to_contain_text("问尺码")
            await expect(card.locator(".replies button")).to_contain_text("建议您选 L 码")
            await expect(card.locator(".lint mark")).to_have_text("我们不能")
            await expect(card.locator(".alternatives button")).to_have_count(1)
            await expect(card.locator(".timer")).to_contain_text("回复超时")
        assert len(connections) == 2


async def test_the_board_is_whole_after_a_reload(browser: Browser, tmp_path: Path) -> None:
    async with run_server(fast_settings(tmp_path)) as server:
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        await context.grant_permissions(["notifications"], origin=server.base)
        await context.add_init_script(
            "localStorage.setItem('assist.desktop', '1'); window.__notices = 0;"
            "const Real = window.Notification; window.Notification = class extends Real {"
            "  constructor(t, o) { super(t, o); window.__notices += 1; } };"
        )
        page = await context.new_page()
        connections = await answer_with_snapshot(page, "**/ws/supervisor**")
        for _ in range(2):
            await page.goto(server.base + "/supervisor")
            await expect(page.locator("#alerts li")).to_have_count(4)
            await expect(page.locator("#alerts li").first).to_contain_text("回复超时")
            await expect(page.locator("#alerts li.negative_phrase")).to_contain_text(
                "原话：亲，这个我们不能退哦"
            )
            unpaid = page.locator("#alerts li.unpaid_order")
            await expect(unpaid).to_contain_text("订单未付款")
            await expect(unpaid).to_contain_text("下单后 30 分 0 秒 仍未付款；订单 o-9；金额 ¥129")
            await expect(page.locator("#alerts li.complaint")).to_contain_text(
                "顾客：服务太差了，我要投诉"
            )
            row = page.locator('#waits tr[data-conversation="c-1"]')
            await expect(row).to_have_class("breached")
            await expect(page.locator("#count-alerts")).to_have_text("4")
            await expect(page.locator("#desktop")).to_be_checked()
            assert await page.evaluate("window.__notices") == 0  # past alerts do not ring
        assert len(connections) == 2
