"""The lint evaluation: our own labelled set is sound and the report returns numbers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assist.evaluation.lint import (
    blind_set_path,
    own_set_path,
    read_labelled,
    report,
    validation_set_path,
)


def test_own_set_is_big_enough_balanced_and_its_spans_are_real() -> None:
    items = read_labelled(own_set_path())
    assert len(items) >= 120
    share = sum(item.negative for item in items) / len(items)
    assert 0.35 <= share <= 0.45
    for item in items:
        assert bool(item.spans) == item.negative
        assert all(span in item.text for span in item.spans)


@pytest.mark.parametrize("path", [validation_set_path(), blind_set_path()])
def test_validation_and_blind_sets_are_big_enough_balanced_and_sound(path: Path) -> None:
    items = read_labelled(path)
    assert len(items) >= 150
    share = sum(item.negative for item in items) / len(items)
    assert 0.35 <= share <= 0.42
    for item in items:
        assert bool(item.spans) == item.negative
        assert all(span in item.text for span in item.spans)
    own = {item.text for item in read_labelled(own_set_path())}
    assert not own & {item.text for item in items}


def test_report_skips_a_missing_dev_set_and_scores_the_own_set(tmp_path: Path) -> None:
    out = io.StringIO()
    numbers = report(out, tmp_path / "missing.jsonl")
    assert "dev  skipped" in out.getvalue()
    assert "dev_precision" not in numbers
    assert numbers["own_precision"] >= 0.9 and numbers["own_recall"] >= 0.9
    assert {"blind_precision", "blind_recall", "validation_precision"} <= numbers.keys()
    assert numbers["throughput_msgs_per_s"] > 0


def test_report_scores_a_dev_file_it_is_given(tmp_path: Path) -> None:
    dev = tmp_path / "dev.jsonl"
    rows = [
        {"text": "这个不可以退哦", "negative": True, "spans": ["不可以"]},
        {"text": "不客气哦", "negative": False, "spans": []},
        {"text": "好的马上发", "negative": True, "spans": ["马上"]},
    ]
    dev.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    numbers = report(io.StringIO(), dev)
    assert numbers["dev_precision"] == 1.0
    assert numbers["dev_recall"] == 0.5
