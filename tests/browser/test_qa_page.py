"""The /qa page in headless Chromium: month table, sorting, drill-down, CSV download."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from assist.core.timeutil import parse_ts
from assist.settings import Settings
from tests.qa.test_qa_api import post_log
from tests.service.server import JSON, run_server
from tests.service.test_live_matches_replay import LOG, ManualClock

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


async def test_the_qa_page_shows_sorts_drills_down_and_downloads_csv(
    browser: Browser,
    tmp_path: Path,
) -> None:
    lines = LOG.read_text(encoding="utf-8").splitlines()
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path / 'qa.db'}", reload_interval_s=0)
    clock = ManualClock(parse_ts(json.loads(lines[0])["ts"]))
    async with run_server(settings, clock) as server:
        async with httpx.AsyncClient(base_url=server.base, headers=JSON) as http:
            await post_log(http, clock, lines)
            expected = (await http.get("/api/qa/scores", params={"month": "2026-11"})).json()

        page = await browser.new_page(viewport={"width": 1200, "height": 900})
        await page.goto(server.base + "/qa?month=2026-11")
        table = page.locator("#agents tbody tr")
        await expect(table).to_have_count(5)
        await expect(page.locator("#agents thead")).to_contain_text("质检得分")

        # Sort by points, lowest first: the agents who lost a day come first.
        await page.locator("th[data-key=points]").click()
        await expect(page.locator("th[data-key=points]")).to_have_attribute(
            "aria-sort", "ascending"
        )
        lowest = min(expected["agents"], key=lambda a: (a["points"], a["agent_id"]))
        first_row = table.first
        await expect(first_row.locator("td").nth(1)).to_have_text(str(lowest["points"]))
        await page.locator("th[data-key=points]").click()
        await expect(first_row.locator("td").nth(1)).to_have_text("26")

        # Drill down: the agent's days, a failing chat, its rubric items with reasons.
        await page.locator(f"#agents tbody tr[data-agent={lowest['agent_id']}]").click()
        await expect(page.locator("#detail-title")).to_contain_text(lowest["agent_id"])
        failure = lowest["days"][0]["failures"][0]
        await expect(page.locator("#days")).to_contain_text(failure["reasons"][0])
        await expect(page.locator("#days")).to_contain_text("扣1分")
        await page.get_by_role("button", name=failure["conversation_id"], exact=True).click()
        await expect(page.locator("#chat")).to_contain_text("不合格")
        await expect(page.locator("#chat .item.fail").first).to_contain_text(failure["reasons"][0])

        async with page.expect_download() as download_info:
            await page.locator("#csv-qa").click()
        download = await download_info.value
        data = Path(await download.path()).read_bytes()
        assert data.startswith("\ufeff客服,得分".encode())

        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "qa-page.png"), full_page=True)

        # A bad range is refused on the page, not sent.
        await page.locator("input[name=mode][value=range]").check()
        await page.locator("#from").fill("2026-11-30")
        await page.locator("#to").fill("2026-11-01")
        await page.get_by_role("button", name="查询").click()
        await expect(page.locator("#error")).to_have_text("开始日期不能晚于结束日期")
        await page.close()
