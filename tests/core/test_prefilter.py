"""The keyword prefilter only ever skips patterns that cannot match (never changes a result)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assist.assembly import read_phrasebook
from assist.core.suggest.matcher import normalize
from assist.core.suggest.model import ngram_features
from assist.core.suggest.prefilter import required, split_branches
from assist.evaluation.intents import BLIND2_SET, FAMILIES_SET, OWN_SET, load_labelled
from assist.settings import load_settings


def _phrasebook_patterns() -> list[str]:
    book = read_phrasebook(load_settings().phrasebook)
    sources: list[str] = [*book.out_of_scope.keywords]
    for spec in book.intents.values():
        sources += [*spec.keywords, *spec.statement_keywords]
        for patterns in spec.subtypes.values():
            sources += [*patterns]
    return sources


PATTERNS = _phrasebook_patterns()
BRANCHES = [re.compile(b) for source in PATTERNS for b in split_branches(source)]
TEXTS = [
    normalize(text)
    for path in (OWN_SET, FAMILIES_SET, BLIND2_SET)
    for text, _ in load_labelled(path)
]


def test_a_pattern_that_matches_always_passes_the_filter() -> None:
    checked = 0
    for regex in BRANCHES:
        needs = required(regex)
        if needs is None:
            continue
        for text in TEXTS:
            if regex.search(text):
                checked += 1
                assert needs & set(ngram_features(text)), (regex.pattern, text)
    assert checked > 1000


def test_most_patterns_can_be_filtered() -> None:
    filtered = sum(required(regex) is not None for regex in BRANCHES)
    assert filtered / len(BRANCHES) > 0.95


def test_pairs_are_required_where_literals_stand_together() -> None:
    assert required(re.compile("退货|退款")) == {"退货", "退款"}
    assert required(re.compile("发票")) == {"发票"}
    assert required(re.compile("[0-9]+斤")) == {"9斤"}
    assert required(re.compile(".*")) is None
    assert required(re.compile("(?:)?吗?")) is None


def test_alternatives_split_only_at_the_top_level() -> None:
    assert split_branches("a|b(c|d)|e") == ["a", "b(c|d)", "e"]
    assert split_branches("[|]x|y") == ["[|]x", "y"]
    assert split_branches(r"\|a|b") == [r"\|a", "b"]
    assert split_branches("(a|b)") == ["(a|b)"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="退货款换码吗了有没不|()?[]", max_size=12))
def test_splitting_keeps_what_a_pattern_matches(text: str) -> None:
    for source in ("退货|退(款|换)吗?|没有?货", "(退|换)了?|[有没]码", "不(退|换)|^有"):
        whole = re.search(source, text) is not None
        parts = any(re.search(branch, text) for branch in split_branches(source))
        assert whole == parts
