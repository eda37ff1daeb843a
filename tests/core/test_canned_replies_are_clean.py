"""The shop's own canned replies must pass the shop's own lint: suggesting a reply that
the lint then flags would teach agents to ignore both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from assist.assembly import (
    load_linter,
)
from assist.settings import load_settings


def texts_under(node: Any, inside: bool = False) -> Iterator[str]:
    """Every string below a ``replies`` or ``phrases`` key, at any depth."""
    if isinstance(node, str):
        if inside:
            yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from texts_under(value, inside or key in ("replies", "phrases"))
    elif isinstance(node, list):
        for value in node:
            yield from texts_under(value, inside)


def test_no_canned_reply_contains_negative_language() -> None:
    phrasebook = load_settings().phrasebook
    book = yaml.safe_load(Path(phrasebook).read_text(encoding="utf-8"))
    texts = list(texts_under(book))
    assert len(texts) > 40
    linter = load_linter(load_settings())
    flagged = {
        text: [f.phrase for f in linter.lint_text(text) if f.rule == "negative_phrase"]
        for text in texts
    }
    assert {text: phrases for text, phrases in flagged.items() if phrases} == {}
