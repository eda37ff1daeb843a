"""Skip a regular expression without running it when the text cannot hold a match.

The phrasebook has about sixty keyword patterns; running each over every message cost more
than segmenting the message with jieba. Most patterns can only match where one of a few
characters occurs (退货|退款|换货 needs 退 or 换), so each pattern is analysed once, at load
time, for a set of characters or character pairs at least one of which every match must
contain (pairs where it can: 退货 is rarer than 退). The strings are spelt as the intent
model's n-gram features spell the message (:func:`assist.core.suggest.model.ngram_features`:
digits as 9, no punctuation), so the n-grams computed once per message serve both the model
and this filter. At run time a pattern whose set shares nothing with the message's n-grams
is not run at all.

The analysis walks the parsed pattern (``re._parser``): a literal requires itself, two
literals in a row require their pair; a sequence requires what its most selective element
requires; an alternation requires the
union of its branches (nothing if any branch requires nothing); a repeat requires its body
only if it must occur at least once; look-arounds, wildcards and negated classes require
nothing. "Requires nothing" means the pattern is always run, so the filter can only skip
work, never change a result.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["Need", "required", "split_branches"]

# The standard library's regular-expression parser (named so since Python 3.11; the old
# sre_parse alias warns). Private, hence untyped: imported by name.
_p: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

# A character class larger than this is not worth filtering on.
_MAX_CLASS = 24
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
if hasattr(_c, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_c.POSSESSIVE_REPEAT)
# What a single character costs in a requirement compared with a pair of characters:
# 了 or 不 is in half the messages, a pair like 退货 in few.
_CHAR_COST = 8

Need = frozenset[str] | None


def _fold(code: int) -> str | None:
    """A literal as the n-gram features spell it (digits are 9); None for punctuation
    and space, which the features collapse and so cannot be required."""
    char = chr(code)
    if "0" <= char <= "9":
        return "9"
    return char if char.isalnum() else None


def _cost(need: frozenset[str]) -> int:
    return sum(1 if len(gram) == 2 else _CHAR_COST for gram in need)


def _in_class(items: list[tuple[Any, Any]]) -> Need:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            folded = _fold(av)
        elif op is _c.RANGE and av[1] - av[0] < _MAX_CLASS:
            folded = None
            for code in range(av[0], av[1] + 1):
                folded = _fold(code)
                if folded is None:
                    return None
                chars.add(folded)
            continue
        else:  # NEGATE, CATEGORY, a wide range: anything goes
            return None
        if folded is None:
            return None
        chars.add(folded)
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _item(op: Any, av: Any) -> Need:
    if op is _c.LITERAL or op is _c.IN:
        return _charset(op, av)
    if op is _c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            need = _sequence(branch)
            if need is None:
                return None
            union |= need
        return frozenset(union)
    if op is _c.SUBPATTERN:
        return _sequence(av[-1])
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(av)
    if op in _REPEATS:
        low, _, body = av
        return _sequence(body) if low >= 1 else None
    return None


def _charset(op: Any, av: Any) -> frozenset[str] | None:
    """The (folded) characters an element always starts and ends with, when it is one
    character wide (a literal, a class, an alternation of those) or a repeat of one."""
    if op is _c.LITERAL:
        folded = _fold(av)
        return frozenset((folded,)) if folded is not None else None
    if op is _c.IN:
        return _in_class(av)
    if op is _c.BRANCH:
        chars: set[str] = set()
        for branch in av[1]:
            if len(branch) != 1:
                return None
            one = _charset(*branch[0])
            if one is None:
                return None
            chars |= one
        return frozenset(chars)
    if op is _c.SUBPATTERN and len(av[-1]) == 1:
        return _charset(*av[-1][0])
    if op in _REPEATS and av[0] >= 1 and len(av[2]) == 1:
        return _charset(*av[2][0])
    return None


def _sequence(items: Any) -> Need:
    best: Need = None
    previous: frozenset[str] | None = None  # what the element just before ends with
    for op, av in items:
        need = _item(op, av)
        chars = _charset(op, av)
        if chars is not None and previous is not None and len(chars) * len(previous) <= 24:
            # Two neighbours: one of their pairs is in every match (退(货|款) → 退货, 退款).
            need = frozenset(a + b for a in previous for b in chars)
        previous = chars
        if need is not None and (best is None or _cost(need) < _cost(best)):
            best = need
    return best


def required(pattern: re.Pattern[str]) -> Need:
    """Strings (characters or character pairs) of which every match of ``pattern`` holds
    at least one; ``None`` if none can be named (then the pattern must always run)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        return _sequence(_p.parse(pattern.pattern, pattern.flags))
    except (re.error, RecursionError):  # pragma: no cover - validated patterns parse
        return None


def split_branches(source: str) -> list[str]:
    """The top-level alternatives of a pattern (``a|b(c|d)|e`` → ``a``, ``b(c|d)``,
    ``e``); the pattern itself when it has none or cannot be split safely.

    A long alternation needs one of many strings; its branches each need one of a few,
    so split apart most of them are skipped by the filter instead of all being run.
    """
    branches: list[str] = []
    depth = 0
    in_class = False
    start = 0
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source.startswith("]", index + 1) or source.startswith("^]", index + 1):
                index += 2 if source[index + 1] == "]" else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(source[start:index])
            start = index + 1
        index += 1
    branches.append(source[start:])
    if len(branches) == 1 or depth != 0 or in_class:
        return [source]
    try:
        for branch in branches:
            re.compile(branch)
    except re.error:
        return [source]
    if any(not branch for branch in branches):
        return [source]
    return branches
