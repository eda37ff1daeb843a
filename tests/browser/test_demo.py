"""``assist demo`` as a newcomer runs it: a real process, the board and a panel come alive,
and Ctrl-C stops it cleanly, leaving no database behind."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_the_demo_brings_alerts_and_suggestions_and_stops_on_ctrl_c(
    browser: Browser,
) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "assist.cli",
        "demo",
        "--port",
        str(port),
        "--speed",
        "10",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any("Ctrl-C" in line for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, "assist demo exited early:\n" + "".join(lines)
            lines.append(line.decode())
        printed = "".join(lines)
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/supervisor" in printed and f"{base}/panel/a-xiaomei" in printed

        board = await browser.new_page(viewport={"width": 1280, "height": 900})
        await board.goto(base + "/supervisor")
        alerts = board.locator("#alerts li")
        await expect(board.locator("#alerts li.greeting_breach").first).to_be_visible(
            timeout=20_000
        )
        await expect(board.locator("#alerts li.negative_phrase").first).to_contain_text("原话")
        await expect(board.locator("#alerts li.escalation").first).to_be_visible(timeout=20_000)
        assert await alerts.count() >= 3
        panel = await browser.new_page(viewport={"width": 360, "height": 800})
        await panel.goto(base + "/panel/a-xiaomei")
        await expect(panel.locator(".replies button").first).to_be_visible(timeout=20_000)
        await expect(panel.locator(".customer .said").first).not_to_be_empty()
        landing = await browser.new_page()
        await landing.goto(base + "/")
        await expect(landing.locator('a[href="/supervisor"]')).to_be_visible()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        rest, _ = await asyncio.wait_for(process.communicate(), 30)
    output = "".join(lines) + rest.decode()
    assert process.returncode == 0, output
    assert "assist demo stopped." in output
    assert "Traceback" not in output
    database = re.search(r"database (\S+demo\.db)", output)
    assert database and not Path(database.group(1)).exists()
