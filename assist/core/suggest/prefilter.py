"""Skip a regular expression without running it when the text cannot hold a match.

The phrasebook has about sixty keyword patterns; running each over every message cost more
than segmenting the message with jieba. Most patterns can only match where one of a few
characters occurs (退货|退款|换货 needs 退 or 换), so each pattern is analysed once, at load
time, for a set of characters at least one of which every match must contain. At run time a
pattern whose set shares nothing with the message's characters is not run at all.

The analysis walks the parsed pattern (``re._parser``): a literal requires itself; a
sequence requires what its most selective element requires; an alternation requires the
union of its branches (nothing if any branch requires nothing); a repeat requires its body
only if it must occur at least once; look-arounds, wildcards and negated classes require
nothing. "Requires nothing" means the pattern is always run, so the filter can only skip
work, never change a result.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["required_chars"]

try:  # Python ≥ 3.11 names it re._parser; keep the old name working for tools.
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

# A character class larger than this is not worth filtering on.
_MAX_CLASS = 24
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
if hasattr(_c, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_c.POSSESSIVE_REPEAT)


def _in_class(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.update(chr(code) for code in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY, a wide range: anything goes
            return None
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _item(op: Any, av: Any) -> frozenset[str] | None:
    if op is _c.LITERAL:
        return frozenset(chr(av))
    if op is _c.IN:
        return _in_class(av)
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


def _sequence(items: Any) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    for op, av in items:
        need = _item(op, av)
        if need is not None and (best is None or len(need) < len(best)):
            best = need
    return best


def required_chars(pattern: str | re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which every match of ``pattern`` holds at least one; ``None`` if the
    pattern could match without any particular character (then it must always run)."""
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0
    if flags & re.IGNORECASE:
        return None
    try:
        return _sequence(_p.parse(source, flags))
    except (re.error, RecursionError):  # pragma: no cover - validated patterns parse
        return None
