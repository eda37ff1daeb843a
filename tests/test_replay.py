"""``assist replay`` over the 40-conversation fixture equals the worked example.

The expected file gives ``at`` in seconds since 2026-11-23T20:00:00+08:00 and only a
subset of each agent's keys; the program prints ISO UTC strings and every key.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assist.cli import main
from assist.core.engine import Engine
from assist.core.timeutil import parse_ts
from assist.exports import STAT_HEADERS
from assist.replay import replay_lines
from assist.store.stats import STAT_KEYS

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).with_name("data")
LOG = DATA / "sla_log_40_conversations.jsonl"
EXPECTED: dict[str, Any] = json.loads((DATA / "sla_expected_replay.json").read_text("utf-8"))
BASE = parse_ts("2026-11-23T20:00:00+08:00")


def as_expected_alerts(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**alert, "at": round((parse_ts(alert["at"]) - BASE).total_seconds(), 3)}
        for alert in alerts
    ]


def expected_subset(agents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = EXPECTED["agents"][0].keys()
    return [{key: agent[key] for key in keys} for agent in agents]


def run_cli_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assist.cli", "replay", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


async def test_replay_lines_gives_the_worked_example() -> None:
    lines = LOG.read_text("utf-8").splitlines()
    report = await replay_lines(lines, Engine())
    assert report.rejected == []
    assert report.events == 449 and report.duplicates > 0
    assert len(report.alerts) == 110
    assert as_expected_alerts(report.alerts) == EXPECTED["alerts"]
    assert expected_subset(report.agents) == EXPECTED["agents"]
    assert [list(agent) for agent in report.agents] == [list(STAT_KEYS)] * 5


def test_the_cli_prints_the_worked_example_as_json() -> None:
    done = run_cli_subprocess(str(LOG), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    printed = json.loads(done.stdout)
    assert set(printed) == {"agents", "alerts"}
    assert as_expected_alerts(printed["alerts"]) == EXPECTED["alerts"]
    assert expected_subset(printed["agents"]) == EXPECTED["agents"]
    assert printed["alerts"][0] == {
        "kind": "greeting_breach",
        "conversation_id": "c-1-10",
        "agent_id": "a-1",
        "at": "2026-11-23T12:00:36.281Z",
        "waited_s": 15.0,
    }


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """The console script in-process (faster than a subprocess; same ``main``)."""

    def run(*args: str) -> Ran:
        code = main(["replay", *args])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def test_the_cli_prints_csv_for_excel_with_chinese_headers_percentages_and_the_alerts(
    run_cli: Callable[..., Ran],
) -> None:
    done = run_cli(str(LOG), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeff客服,接待会话数,")
    rows = list(csv.reader(io.StringIO(done.stdout.removeprefix("\ufeff"))))
    assert rows[0] == [STAT_HEADERS[key] for key in STAT_KEYS]
    blank = rows.index([])
    assert [row[0] for row in rows[1:blank]] == ["a-1", "a-2", "a-3", "a-4", "a-5"]
    by_agent = {row[0]: dict(zip(STAT_KEYS, row, strict=True)) for row in rows[1:blank]}
    for expected in EXPECTED["agents"]:
        got = by_agent[expected["agent_id"]]
        assert int(got["conversations"]) == expected["conversations"]
        assert float(got["sales"]) == expected["sales"]
        assert int(got["reply_breaches"]) == expected["reply_breaches"]
        if expected["reply_rate"] is not None:
            assert got["reply_rate"] == f"{expected['reply_rate'] * 100:.2f}%"
    alerts = rows[blank + 1 :]
    assert alerts[0] == ["时间", "告警", "会话", "客服", "顾客等待(秒)"]
    assert len(alerts) - 1 == len(EXPECTED["alerts"]) == 110
    # The log's first breach, 36.281 s after 20:00 Beijing time, reads on the shop's clock.
    assert ["2026-11-23 20:00:36", "欢迎语超时", "c-1-10", "a-1", "15.0"] in alerts


def test_the_table_format_counts_the_alerts(run_cli: Callable[..., Ran]) -> None:
    done = run_cli(str(LOG))
    assert done.returncode == 0, done.stderr
    assert "110 alerts" in done.stdout
    header = done.stdout.splitlines()[0].split()
    assert header == list(STAT_KEYS)
    assert "greeting_breach  c-1-10  agent a-1 after 15.0s" in done.stdout


def test_bad_lines_are_reported_with_line_numbers_and_the_rest_still_counts(
    tmp_path: Path, run_cli: Callable[..., Ran]
) -> None:
    lines = LOG.read_text("utf-8").splitlines()
    bad_json = "{not json"
    unknown = json.dumps(
        {
            "id": "x-1",
            "type": "telepathy",
            "conversation_id": "c-x",
            "ts": "2026-11-23T20:00:22+08:00",
        }
    )
    no_ts = json.dumps({"id": "x-2", "type": "conversation_opened", "conversation_id": "c-x"})
    mixed = [*lines[:2], bad_json, lines[2], unknown, *lines[3:10], no_ts, *lines[10:]]
    log = tmp_path / "mixed.jsonl"
    log.write_text("\n".join(mixed) + "\n", encoding="utf-8")

    done = run_cli(str(log), "--format", "json")

    assert done.returncode == 1
    errors = done.stderr.splitlines()
    assert errors[0].startswith(f"{log}:3: invalid_json: ")
    assert errors[1] == f"{log}:5: unknown_type: unknown event type 'telepathy'"
    assert errors[2] == f"{log}:13: invalid_ts: ts is required"
    assert len(errors) == 3
    printed = json.loads(done.stdout)
    assert as_expected_alerts(printed["alerts"]) == EXPECTED["alerts"]
    assert expected_subset(printed["agents"]) == EXPECTED["agents"]


def test_a_missing_log_file_is_exit_code_2(run_cli: Callable[..., Ran]) -> None:
    done = run_cli(str(ROOT / "no-such-file.jsonl"))
    assert done.returncode == 2
    assert "cannot read" in done.stderr and done.stdout == ""
