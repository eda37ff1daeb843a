"""``assist lint`` as a user runs it: a subprocess reading JSONL on stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_lint(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assist.cli", "lint", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_each_line_gets_its_findings_or_an_error_and_the_stream_goes_on() -> None:
    lines = [
        json.dumps({"text": "亲，L码我们不能退哦"}, ensure_ascii=False),
        "{not json",
        "[1, 2]",
        json.dumps({"text": 5}),
        "",
        json.dumps({"text": "您好，欢迎光临"}, ensure_ascii=False),
    ]
    result = run_lint("\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    first = out[0]
    assert first["text"] == "亲，L码我们不能退哦"
    (finding,) = first["findings"]
    assert finding["rule"] == "negative_phrase"
    assert (finding["phrase"], finding["start"], finding["end"]) == ("我们不能", 4, 8)
    assert finding["advice"] and finding["alternatives"]
    assert out[1]["error"]["code"] == "invalid_json"
    assert out[2]["error"]["code"] == "invalid_event"
    assert out[3]["error"]["code"] == "invalid_event" and "text" in out[3]["error"]["message"]
    assert out[4] == {"text": "您好，欢迎光临", "findings": []}


def test_a_broken_rules_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    rules = tmp_path / "lint.yaml"
    rules.write_text("version: 1\nnegative_phrase:\n  advice: [oops\n", encoding="utf-8")
    result = run_lint('{"text": "好的"}\n', "--rules", str(rules))
    assert result.returncode == 2
    assert f"{rules}:" in result.stderr and result.stdout == ""
