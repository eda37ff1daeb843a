"""Lint alternatives are copied into the chat by one click on the panel: each must be a
whole sentence an agent can send as it is — no "……" to fill in — and pass the lint itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from assist.assembly import load_linter
from assist.settings import load_settings


def alternatives(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "alternatives":
                yield from value
            else:
                yield from alternatives(value)
    elif isinstance(node, list):
        for value in node:
            yield from alternatives(value)


def all_alternatives() -> list[str]:
    rules = load_settings().rules_dir / "lint.yaml"
    return list(alternatives(yaml.safe_load(Path(rules).read_text(encoding="utf-8"))))


def test_no_lint_alternative_has_a_placeholder_to_fill_in() -> None:
    texts = all_alternatives()
    assert len(texts) >= 10
    assert [text for text in texts if "……" in text or "..." in text or "XX" in text] == []


def test_no_lint_alternative_is_itself_flagged_as_negative() -> None:
    linter = load_linter(load_settings())
    flagged = {
        text: [f.phrase for f in linter.lint_text(text) if f.rule == "negative_phrase"]
        for text in all_alternatives()
    }
    assert {text: phrases for text, phrases in flagged.items() if phrases} == {}
