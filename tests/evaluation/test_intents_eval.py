from __future__ import annotations

import io
import json
from pathlib import Path

from assist.assembly import (
    load_suggester,
)
from assist.evaluation.intents import (
    BLIND2_SET,
    BLIND3_SET,
    BLIND_SET,
    FAMILIES_SET,
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


def test_report_prints_the_real_dev_set_first_with_its_confusion(tmp_path: Path) -> None:
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
    text = out.getvalue()
    assert text.index("REAL dev set") < text.index("intents.jsonl")
    assert "confusion (rows: gold, columns: predicted)" in text
    assert numbers["dev_macro_f1"] == 1.0
    assert numbers["own_macro_f1"] >= 0.85
    assert numbers["own_wrong_unknown"] <= 0.1
    for name in ("validation", "families", "blind", "blind2", "blind3"):
        assert {f"{name}_macro_f1", f"{name}_wrong_unknown"} <= numbers.keys()


def test_family_and_third_blind_sets_are_separate_from_every_other_set() -> None:
    families = {text for text, _ in load_labelled(FAMILIES_SET)}
    blind3 = {text for text, _ in load_labelled(BLIND3_SET)}
    assert len(families) >= 300 and len(blind3) >= 100
    assert not families & blind3
    for other in (OWN_SET, VALIDATION_SET, BLIND_SET, BLIND2_SET):
        texts = {text for text, _ in load_labelled(other)}
        assert not texts & families
        assert not texts & blind3


def test_report_skips_a_missing_dev_set(tmp_path: Path) -> None:
    out = io.StringIO()
    numbers = report(out, tmp_path / "absent.jsonl")
    assert "skipped" in out.getvalue()
    assert "dev_macro_f1" not in numbers
