"""Which decoded JSON values the store can hold as given, decided before anything is applied.

A value SQLite or PostgreSQL cannot take — a lone UTF-16 surrogate (``"\\ud800"``), a NUL
character, ``NaN``/``Infinity`` (``1e309`` decodes to infinity), a structure nested a
thousand deep — used to reach the batch writer, fail its transaction and block every other
event behind it. Refusing it here, with a typed :class:`InvalidEvent` naming the field,
keeps the fault with the sender: the frame is answered at once and nothing bad is ever
acknowledged. Nothing is silently rewritten: every case below is a refusal.

The walk is iterative, so checking a deep value cannot itself overflow the stack.
"""

from __future__ import annotations

import math
from typing import Any

from assist.core.errors import ErrorCode, InvalidEvent

__all__ = [
    "MAX_DEPTH",
    "MAX_KEY_LENGTH",
    "MAX_STRING_LENGTH",
    "MAX_VALUES",
    "check_storable",
    "storable_text_problem",
]

# Events are flat; platform payloads carried in unknown fields nest a few levels at most.
MAX_DEPTH = 16
MAX_KEY_LENGTH = 200
# The frame limit (64 KiB) bounds the total; this bounds one string in an unknown field.
MAX_STRING_LENGTH = 20_000
MAX_VALUES = 2_000


def storable_text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as given (``None`` when it can)."""
    if text.isascii():
        return "contains a NUL character" if "\x00" in text else None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate (not valid Unicode)"
    if "\x00" in text:
        return "contains a NUL character"
    return None


def _refuse(where: str, problem: str, event_id: str | None) -> InvalidEvent:
    return InvalidEvent(ErrorCode.INVALID_EVENT, f"{where} {problem}", event_id)


def _name(parent: str, step: str | int | None) -> str:
    if step is None:
        return parent
    return f"{parent}[{step}]" if isinstance(step, int) else f"{parent}.{step}"


# Value types a flat event can hold that need no check of their own (a bool is an int).
_PLAIN = (int, type(None))


def _flat_and_clean(value: dict[Any, Any]) -> bool:
    """True when ``value`` is one level of string keys and string/int/None values that
    all pass — almost every event. One joined string is checked instead of each part:
    NUL and lone surrogates survive joining (Python never pairs surrogates), so the
    joined text is clean exactly when every part is. Anything else (a float, a nested
    value, a long or odd string) is left to the full walk, which names the culprit."""
    parts: list[str] = []
    for key, child in value.items():
        if type(key) is not str or len(key) > MAX_KEY_LENGTH:
            return False
        parts.append(key)
        if type(child) is str:
            if len(child) > MAX_STRING_LENGTH:
                return False
            parts.append(child)
        elif not isinstance(child, _PLAIN):
            return False
    return len(parts) < MAX_VALUES and storable_text_problem("".join(parts)) is None


def check_storable(value: Any, event_id: str | None = None, *, root: str = "event") -> None:
    """Raise :class:`InvalidEvent` unless every part of ``value`` can be stored as JSON.

    ``root`` names the value in messages; nested parts are named by their path
    (``event.extra.items[3]``) so the sender can find the culprit. A part's path is only
    spelled out when it is refused or has parts of its own: every event passes through
    here, and building a path string per field was a measurable share of ingest.
    """
    if type(value) is dict and _flat_and_clean(value):
        return
    # (value, the path of its container, its key or index there (None: the root), depth)
    stack: list[tuple[Any, str, str | int | None, int]] = [(value, root, None, 0)]
    seen = 0
    while stack:
        item, parent, step, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise _refuse(root, f"has more than {MAX_VALUES} values", event_id)
        if isinstance(item, str):
            if len(item) > MAX_STRING_LENGTH:
                where = _name(parent, step)
                raise _refuse(where, f"is longer than {MAX_STRING_LENGTH} characters", event_id)
            problem = storable_text_problem(item)
            if problem is not None:
                raise _refuse(_name(parent, step), problem, event_id)
        elif isinstance(item, float):
            if not math.isfinite(item):
                problem = "is not a finite number (NaN, Infinity or too large)"
                raise _refuse(_name(parent, step), problem, event_id)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise _refuse(root, f"is nested deeper than {MAX_DEPTH} levels", event_id)
            where = _name(parent, step)
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise _refuse(where, "has a key that is not a string", event_id)
                    problem = storable_text_problem(key)
                    if problem is None and len(key) > MAX_KEY_LENGTH:
                        problem = f"is longer than {MAX_KEY_LENGTH} characters"
                    if problem is not None:
                        raise _refuse(f"a key of {where}", problem, event_id)
                    stack.append((child, where, key, depth + 1))
            else:
                stack.extend((child, where, i, depth + 1) for i, child in enumerate(item))
