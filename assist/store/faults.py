"""Telling a row the store will never take from a store that is unavailable for now.

The persister retries a failed write while the database is away (nothing accepted may be
lost), but retrying a row the database refuses for its content would block every other
event behind it for ever. The two look alike from outside — both raise — so the cause is
read from the exception chain: SQLSTATE classes 22 (data exception) and 23 (integrity
constraint), and the driver failing to encode a value (a ``UnicodeError``, a
``ValueError``) mean the data is at fault; anything else (connection refused, a missing
table, a locked file, a timeout) is treated as the store's fault and retried.
"""

from __future__ import annotations

import re
import sqlite3

from sqlalchemy import exc as sa_exc

__all__ = ["describe_fault", "is_data_fault"]

_DATA_SQLSTATE_CLASSES = ("22", "23")
_DATA_TYPES: tuple[type[BaseException], ...] = (
    UnicodeError,
    OverflowError,
    TypeError,
    sqlite3.DataError,
    sqlite3.IntegrityError,
    sa_exc.DataError,
    sa_exc.IntegrityError,
)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        item = pending.pop()
        if item is None or any(item is s for s in seen) or len(seen) > 20:
            continue
        seen.append(item)
        orig = getattr(item, "orig", None)
        pending.extend(
            (item.__cause__, item.__context__, orig if isinstance(orig, BaseException) else None)
        )
    return seen


def is_data_fault(error: BaseException) -> bool:
    """Whether ``error`` says the rows themselves cannot be stored (retrying cannot help)."""
    for item in _chain(error):
        if isinstance(item, OSError | TimeoutError | ConnectionError):
            return False
        if isinstance(item, _DATA_TYPES):
            return True
        if isinstance(item, ValueError) and not isinstance(item, sa_exc.SQLAlchemyError):
            return True
        state = getattr(item, "sqlstate", None) or getattr(item, "pgcode", None)
        if isinstance(state, str) and state[:2] in _DATA_SQLSTATE_CLASSES:
            return True
    return False


# Drivers quote the offending value in some messages ("invalid input for query argument
# $8: '...'"); what is quoted may be customer text.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def describe_fault(error: BaseException) -> str:
    """One line naming the error without the statement or its parameters (customer text).

    The engine is opened with ``hide_parameters=True`` so SQLAlchemy's own message holds
    no values; only the first line is kept (the rest is ``[SQL: ...]``), quoted values
    are blanked, and the line is cut to 300 characters.
    """
    lines = str(error).splitlines()
    message = _QUOTED.sub("'…'", lines[0] if lines else "")
    return f"{type(error).__name__}: {message[:300]}"
