"""How well the negative-language lint works: precision, recall and speed.

A message counts as flagged when it has at least one ``negative_phrase`` finding; the
labels are LABELS.md §B (``{"text", "negative", "spans"}``). Span figures treat a
predicted span as right when it overlaps a labelled span (labellers marked both the core
word and longer readings, 无法 / 无法修改, so exact-match would measure taste, not
function). Throughput is single-core ``lint_text`` over a few thousand messages.

``report`` is called by ``make eval`` (via the lead's ``assist eval``); it prints a
short table and returns the numbers keyed ``<set>_<measure>``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from assist.assembly import (
    load_linter,
)
from assist.core.lint.linter import NEGATIVE_PHRASE, Linter
from assist.settings import REPO_ROOT, load_settings

__all__ = [
    "Labelled",
    "Scores",
    "blind_set_path",
    "own_set_path",
    "read_labelled",
    "report",
    "score",
    "validation_set_path",
]


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    negative: bool
    spans: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scores:
    messages: int
    precision: float
    recall: float
    span_precision: float
    span_recall: float
    errors: tuple[tuple[str, Labelled], ...]  # ("FP"|"FN", item)


def own_set_path() -> Path:
    """``tests/data/lint.jsonl``: the project's own labelled agent messages."""
    return REPO_ROOT / "tests" / "data" / "lint.jsonl"


def validation_set_path() -> Path:
    """``tests/data/lint_validation.jsonl``: self-written messages the rules were tuned on."""
    return REPO_ROOT / "tests" / "data" / "lint_validation.jsonl"


def blind_set_path() -> Path:
    """``tests/data/lint_blind.jsonl``: self-written messages written before tuning and
    never tuned on, so its figures estimate how the rules do on unseen messages."""
    return REPO_ROOT / "tests" / "data" / "lint_blind.jsonl"


def read_labelled(path: Path) -> list[Labelled]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(Labelled(row["text"], bool(row["negative"]), tuple(row["spans"])))
    return items


def _gold_intervals(item: Labelled) -> list[tuple[int, int]]:
    intervals = []
    for span in item.spans:
        at = item.text.find(span)
        while at != -1:
            intervals.append((at, at + len(span)))
            at = item.text.find(span, at + 1)
    return intervals


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def score(linter: Linter, items: Iterable[Labelled]) -> Scores:
    tp = fp = fn = n = 0
    span_pred = span_pred_ok = span_gold = span_gold_found = 0
    errors: list[tuple[str, Labelled]] = []
    for item in items:
        n += 1
        found = [
            (f.start or 0, f.end or 0)
            for f in linter.lint_text(item.text)
            if f.rule == NEGATIVE_PHRASE
        ]
        flagged = bool(found)
        if flagged and item.negative:
            tp += 1
        elif flagged:
            fp += 1
            errors.append(("FP", item))
        elif item.negative:
            fn += 1
            errors.append(("FN", item))
        gold = _gold_intervals(item)
        span_pred += len(found)
        span_pred_ok += sum(any(s < ge and gs < e for gs, ge in gold) for s, e in found)
        # Distinct gold regions (overlapping alternatives like 无法/无法修改 count once).
        regions: list[tuple[int, int]] = []
        for gs, ge in sorted(gold):
            if regions and gs < regions[-1][1]:
                regions[-1] = (regions[-1][0], max(ge, regions[-1][1]))
            else:
                regions.append((gs, ge))
        span_gold += len(regions)
        span_gold_found += sum(any(s < ge and gs < e for s, e in found) for gs, ge in regions)
    return Scores(
        messages=n,
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        span_precision=_ratio(span_pred_ok, span_pred),
        span_recall=_ratio(span_gold_found, span_gold),
        errors=tuple(errors),
    )


def throughput(linter: Linter, texts: list[str], total: int = 5000) -> float:
    """Messages per second of ``lint_text`` over ``total`` messages cycled from ``texts``."""
    if not texts:
        return 0.0
    batch = [texts[i % len(texts)] for i in range(total)]
    began = time.perf_counter()
    for text in batch:
        linter.lint_text(text)
    return total / (time.perf_counter() - began)


def report(out: TextIO, dev_path: Path | None) -> dict[str, float]:
    """Print lint precision/recall on the dev set and our own, validation and blind
    sets, and throughput."""
    linter = load_linter(load_settings())
    results: dict[str, float] = {}
    texts: list[str] = []
    out.write("lint (negative_phrase): message-level P/R, span-level P/R (overlap)\n")
    sets: list[tuple[str, Path | None]] = [
        ("dev", dev_path),
        ("own", own_set_path()),
        ("validation", validation_set_path()),
        ("blind", blind_set_path()),
    ]
    for name, path in sets:
        if path is None or not path.exists():
            out.write(f"  {name:<4} skipped: no labelled file ({path})\n")
            continue
        items = read_labelled(path)
        texts.extend(item.text for item in items)
        s = score(linter, items)
        out.write(
            f"  {name:<10} n={s.messages:<4} precision={s.precision:.3f} recall={s.recall:.3f}"
            f"  span_precision={s.span_precision:.3f} span_recall={s.span_recall:.3f}\n"
        )
        results.update(
            {
                f"{name}_precision": s.precision,
                f"{name}_recall": s.recall,
                f"{name}_span_precision": s.span_precision,
                f"{name}_span_recall": s.span_recall,
            }
        )
    rate = throughput(linter, texts)
    out.write(f"  throughput: {rate:,.0f} messages/s (lint_text, one core, 5000 messages)\n")
    results["throughput_msgs_per_s"] = rate
    return results


if __name__ == "__main__":
    import sys

    report(sys.stdout, Path("/work/shared/eval/dev_lint.jsonl"))
