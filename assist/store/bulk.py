"""Bulk inserts straight to the driver: the store's hot path.

SQLAlchemy's statement compilation and per-value type processing cost ~25 µs a row, a
large share of a core at thousands of events a second. Here each table's INSERT is
built once per dialect from the models' metadata, values are converted by column type
in one pass, and the rows go to the driver's ``executemany``. The SQL stays the portable
``INSERT … ON CONFLICT`` that SQLite and PostgreSQL both speak; what differs (parameter
style, how a timestamp is sent) is decided here and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from assist.store.tables import UtcDateTime

__all__ = ["CHUNK_ROWS", "insert_rows"]

Converter = Callable[[Any], Any]
# Rows converted and sent per driver call.
CHUNK_ROWS = 100


@lru_cache(maxsize=4096)
def _sqlite_time(value: datetime | None) -> str | None:
    # Exactly the text SQLAlchemy's SQLite DATETIME type writes, so range queries made
    # through SQLAlchemy compare like with like. Cached: the events of one frame share
    # their receive time (and usually their ts), so most calls repeat the last one.
    if value is None:
        return None
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"


def _naive_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _keep(value: Any) -> Any:
    return value


def _converter(dialect: str, column_type: Any) -> Converter:
    if isinstance(column_type, UtcDateTime):
        return _sqlite_time if dialect == "sqlite" else _naive_utc
    if isinstance(column_type, JSON):
        return _json
    return _keep


@cache
def _statement(
    dialect: str, table: Table, columns: tuple[str, ...], key: str, update: tuple[str, ...]
) -> tuple[str, tuple[Converter, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect == "sqlite":
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    if update:
        action = "DO UPDATE SET " + ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    else:
        action = "DO NOTHING"
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) ON CONFLICT ("{key}") {action}'
    converters = tuple(_converter(dialect, table.c[c].type) for c in columns)
    return sql, converters


async def insert_rows(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: str,
    update: tuple[str, ...] = (),
) -> None:
    """Insert ``rows`` (dicts with the same keys); on a ``key`` clash skip, or ``update``."""
    if not rows:
        return
    columns = tuple(rows[0])
    sql, converters = _statement(connection.dialect.name, table, columns, key, update)
    # Only the columns that need converting are touched; the rest are taken as they are
    # by one C-level itemgetter per row.
    take = itemgetter(*columns)
    convert = [(i, c) for i, c in enumerate(converters) if c is not _keep]
    for start in range(0, len(rows), CHUNK_ROWS):
        params: list[Any] = []
        for row in rows[start : start + CHUNK_ROWS]:
            values = list(take(row)) if len(columns) > 1 else [take(row)]
            for index, converter in convert:
                values[index] = converter(values[index])
            params.append(tuple(values))
        # Each chunk's round-trip hands the event loop back, so a large batch never
        # holds a due timer up for longer than building one chunk.
        await connection.exec_driver_sql(sql, params)
