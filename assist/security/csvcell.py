"""CSV cells a spreadsheet will not execute (CSV/formula injection).

Excel, LibreOffice and Google Sheets treat a cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula; an agent id like ``=HYPERLINK(...)`` in
``stats.csv`` would run on the supervisor's machine. Such text cells get a leading
apostrophe (OWASP's advice), which spreadsheets show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["safe_cell", "safe_row"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: safe_cell(value) for key, value in row.items()}
