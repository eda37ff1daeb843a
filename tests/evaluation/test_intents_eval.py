from __future__ import annotations

import io
import json
from pathlib import Path

from assist.assembly import (
    load_suggester,
)
from assist.evaluation.intents import (
    BLIND2_SET,
    BLIND_SET,
    OWN_SET,
    VALIDATION_SET,
    evaluate,
    load_labelled,
    report,
)
from assist.settings import load_settings


def test_own_set_is_large_varied_and_labelled_with_contract_ids() -> None:
    rows = load_labelled(OWN_SET)
    assert len(rows) >= 300
    labels = {label for _, label in rows}
    assert labels == {
        "greeting", "stock", "sizing", "logistics", "bargaining", "returns",
        "color_difference", "authenticity", "complaint", "thanks_bye", "unknown",
    }  # fmt: skip
    assert sum(1 for _, label in rows if label == "unknown") / len(rows) >= 0.2
    assert len({text for text, _ in rows}) == len(rows)


def test_validation_set_is_separate_varied_and_labelled_with_contract_ids() -> None:
    rows = load_labelled(VALIDATION_SET)
    assert len(rows) >= 200
    assert {label for _, label in rows} == {label for _, label in load_labelled(OWN_SET)}
    assert sum(1 for _, label in rows if label == "unknown") / len(rows) >= 0.25
    texts = {text for text, _ in rows}
    assert len(texts) == len(rows)
    assert not texts & {text for text, _ in load_labelled(OWN_SET)}


def test_second_blind_set_is_separate_varied_and_labelled_with_contract_ids() -> None:
    rows = load_labelled(BLIND2_SET)
    assert len(rows) >= 200
    assert {label for _, label in rows} == {label for _, label in load_labelled(OWN_SET)}
    assert sum(1 for _, label in rows if label == "unknown") / len(rows) >= 0.25
    texts = {text for text, _ in rows}
    assert len(texts) == len(rows)
    for other in (OWN_SET, VALIDATION_SET, BLIND_SET):
        assert not texts & {text for text, _ in load_labelled(other)}


def test_evaluate_counts_precision_recall_and_wrong_guesses(tmp_path: Path) -> None:
    suggester = load_suggester(load_settings())
    rows = [("在吗", "greeting"), ("开发票", "unknown"), ("有货吗", "unknown")]
    scores = evaluate(suggester, rows)
    assert scores.wrong_on_unknown == 0.5
    assert scores.per_intent["greeting"][:2] == (1.0, 1.0)
    assert scores.per_intent["stock"][:2] == (0.0, 0.0)


def test_report_prints_both_sets_and_throughput(tmp_path: Path) -> None:
    dev = tmp_path / "dev.jsonl"
    dev.write_text(
        "\n".join(
            json.dumps({"text": t, "intent": i}, ensure_ascii=False)
            for t, i in [("你好", "greeting"), ("怎么退货", "returns"), ("税号填错", "unknown")]
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    numbers = report(out, dev)
    assert numbers["own_macro_f1"] >= 0.85
    assert numbers["own_wrong_unknown"] <= 0.1
    assert numbers["dev_macro_f1"] == 1.0
    assert {"validation_macro_f1", "validation_wrong_unknown"} <= numbers.keys()
    assert "validation set" in out.getvalue()
    assert {"blind2_macro_f1", "blind2_wrong_unknown"} <= numbers.keys()
    assert "blind2 set" in out.getvalue()
    assert numbers["messages_per_s"] > 0
    assert "macro-F1" in out.getvalue() and "messages/s" in out.getvalue()


def test_report_skips_a_missing_dev_set(tmp_path: Path) -> None:
    out = io.StringIO()
    numbers = report(out, tmp_path / "absent.jsonl")
    assert "skipped" in out.getvalue()
    assert "dev_macro_f1" not in numbers
