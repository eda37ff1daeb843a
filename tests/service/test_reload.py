"""Rules reload without a restart; a broken edit keeps the previous rules in force."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from assist.settings import REPO_ROOT
from tests.service.server import receive_json, receive_until, run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e


async def lint_of(ws_base: str, panel_url: str, event_id: str, text: str) -> list[str]:
    async with connect(ws_base + panel_url) as panel, connect(ws_base + "/ws/ingest") as ingest:
        await receive_json(panel)
        await ingest.send(event(event_id, "agent_message", text=text))
        await receive_json(ingest)
        frame = await receive_until(panel, lambda f: f["type"] == "lint")
        return [finding["rule"] for finding in frame["findings"]]


async def test_an_edited_rule_file_takes_effect_and_a_broken_one_is_refused(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO_ROOT / "rules", rules)
    lint_yaml = rules / "lint.yaml"
    settings = fast_settings(tmp_path, rules_dir=rules, reload_interval_s=0.05)
    text = "您好，这款真是绝绝子"
    async with run_server(settings) as server:
        assert "impolite" not in await lint_of(server.ws, "/ws/agent/a-1", "r-1", text)

        original = lint_yaml.read_text(encoding="utf-8")
        lint_yaml.write_text(
            original.replace("  words:\n", "  words:\n    - 绝绝子\n", 1), encoding="utf-8"
        )
        await asyncio.sleep(0.5)
        assert "impolite" in await lint_of(server.ws, "/ws/agent/a-1", "r-2", text)

        lint_yaml.write_text("negative_phrase: [this is not a rule\n", encoding="utf-8")
        await asyncio.sleep(0.5)
        assert "impolite" in await lint_of(server.ws, "/ws/agent/a-1", "r-3", text)
        async with httpx.AsyncClient(base_url=server.base) as http:
            metrics = (await http.get("/metrics")).text
        assert 'assist_rule_reloads_total{result="ok"} 1.0' in metrics
        assert 'assist_rule_reloads_total{result="error"} 1.0' in metrics


async def test_the_event_loop_keeps_turning_while_rules_load(tmp_path: Path) -> None:
    """Loading the rules takes a few hundred ms; a due alert must not wait for it."""
    settings = fast_settings(tmp_path, reload_interval_s=0)
    async with run_server(settings) as server:
        runtime = server.app.state.runtime
        turns = 0
        reload = asyncio.ensure_future(runtime.reload_rules())
        while not reload.done():
            await asyncio.sleep(0)
            turns += 1
        assert await reload
        # Loaded on the loop, the reload would finish before this task ran again.
        assert turns > 1
