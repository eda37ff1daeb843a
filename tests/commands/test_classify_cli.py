from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _assist(args: list[str], stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("ASSIST_DB_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "assist.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def test_classify_reads_jsonl_and_writes_one_line_per_input(tmp_path: Path) -> None:
    csv = tmp_path / "catalog.csv"
    csv.write_text(
        "sku,name,price,category,color,size,stock\n"
        "P1,直筒牛仔裤,129,牛仔裤,黑色,L,0\n"
        "P2,修身牛仔裤,119,牛仔裤,黑色,L,4\n",
        encoding="utf-8",
    )
    db = f"sqlite+aiosqlite:///{tmp_path / 'assist.db'}"
    imported = _assist(["catalog", "import", str(csv), "--db", db])
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 products, 2 variants" in imported.stdout

    lines = [
        json.dumps({"text": "170 130斤穿多大"}, ensure_ascii=False),
        "not json",
        json.dumps({"text": "黑色L有货吗", "product_id": "P1"}, ensure_ascii=False),
        json.dumps({"product_id": "P1"}),
        json.dumps({"text": "发票怎么开"}, ensure_ascii=False),
    ]
    done = _assist(["classify", "--db", db], "\n".join(lines) + "\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["intent"] == "sizing" and out[0]["slots"]["size"] == "L"
    assert set(out[0]) == {"text", "intent", "confidence", "slots", "replies"}
    assert out[1]["error"]["code"] == "invalid_json"
    assert out[2]["slots"]["in_stock"] is False and "修身牛仔裤" in out[2]["replies"][0]
    assert out[3]["error"] == {"code": "invalid_event", "message": "text: required string"}
    assert out[4]["intent"] == "unknown" and out[4]["replies"] == []


def test_classify_reports_a_broken_phrasebook_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "phrasebook.yaml"
    bad.write_text("threshold: 2\nintents: {}\n", encoding="utf-8")
    done = _assist(["classify", "--phrasebook", str(bad)], "")
    assert done.returncode == 2
    assert f"{bad}:1: threshold" in done.stderr


def test_catalog_import_rejects_bad_rows(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("sku,name,price\nP1,x,cheap\n", encoding="utf-8")
    done = _assist(["catalog", "import", str(csv), "--db", f"sqlite+aiosqlite:///{tmp_path}/x.db"])
    assert done.returncode == 1
    assert f"{csv}:2: price" in done.stderr
