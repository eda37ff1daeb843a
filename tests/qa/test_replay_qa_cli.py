"""`assist replay --qa`: the month's QA scores next to the stats, as the API gives them."""

from __future__ import annotations

import asyncio
import json

import pytest

from assist.assembly import build_engine, load_qa
from assist.cli import main
from assist.replay import QaRequest, replay_lines
from assist.settings import Settings
from tests.service.test_live_matches_replay import LOG


def test_replay_qa_json_holds_the_month_scores_next_to_agents_and_alerts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = LOG.read_text("utf-8").splitlines()
    qa = QaRequest(load_qa(Settings()), "Asia/Shanghai", "2026-11")
    engine = build_engine(Settings(), with_suggester=False)
    expected = asyncio.run(replay_lines(lines, engine, qa=qa))

    assert main(["replay", str(LOG), "--qa", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == ["agents", "alerts", "qa"]
    assert printed["qa"] == expected.qa
    assert printed["qa"]["month"] == "2026-11"


def test_replay_month_selects_the_month_and_a_bad_month_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", str(LOG), "--month", "2026-10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["qa"] == {"month": "2026-10", "agents": []}
    assert main(["replay", str(LOG), "--month", "2026-1x"]) == 2
    assert "is not YYYY-MM" in capsys.readouterr().err


def test_replay_qa_table_prints_points_and_bands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(LOG), "--qa"]) == 0
    out = capsys.readouterr().out
    assert "QA 2026-11: agent  points  days_lost  deduction  band" in out
    assert "  a-2  25  1  0  合格" in out
