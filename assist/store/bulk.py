"""Bulk inserts straight to the driver: the store's hot path.

SQLAlchemy's statement compilation and per-value type processing cost ~25 µs a row, a
large share of a core at thousands of events a second. Here each table's INSERT is
built once per dialect from the models' metadata, values are converted by column type
in one pass, and the rows go to the driver's ``executemany``. The SQL stays the portable
``INSERT … ON CONFLICT`` that SQLite and PostgreSQL both speak; what differs (parameter
style, how a timestamp is sent) is decided here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from assist.store.tables import UtcDateTime

__all__ = ["CHUNK_ROWS", "insert_rows", "statements"]

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
    # orjson writes the same compact UTF-8 text as json.dumps(ensure_ascii=False,
    # separators=(",", ":")) at a fraction of the cost (the payload, state and slots of
    # every row pass here). What it refuses (a lone surrogate) json would write and the
    # driver then refuse: a data fault either way, never stored.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


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
    dialect: str,
    table: Table,
    columns: tuple[str, ...],
    key: str,
    update: tuple[str, ...],
    rows: int = 1,
) -> tuple[str, tuple[Converter, ...]]:
    """The INSERT for ``rows`` rows at once (SQLite), or one row for ``executemany``."""
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect == "sqlite":
        marks = ", ".join(["(" + ", ".join("?" for _ in columns) + ")"] * rows)
    else:
        marks = "(" + ", ".join(f"${i}" for i in range(1, len(columns) + 1)) + ")"
    if update:
        action = "DO UPDATE SET " + ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    else:
        action = "DO NOTHING"
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES {marks} ON CONFLICT ("{key}") {action}'
    converters = tuple(_converter(dialect, table.c[c].type) for c in columns)
    return sql, converters


def statements(
    dialect: str,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: str,
    update: tuple[str, ...] = (),
) -> Iterator[tuple[str, list[Any]]]:
    """``rows`` as ``(sql, parameters)`` chunks of up to :data:`CHUNK_ROWS` rows.

    SQLite gets one multi-row INSERT per chunk (flat parameters): one statement is one
    round-trip and one release of the GIL, where sqlite3's ``executemany`` gives the GIL
    up and retakes it for every row (against a busy event loop each retake waits up to
    the interpreter's switch interval). Other dialects get a one-row statement and a list
    of rows for ``executemany`` (asyncpg's is one call that does not hold the GIL).
    """
    if not rows:
        return
    columns = tuple(rows[0])
    sql, converters = _statement(dialect, table, columns, key, update)
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
            params.append(values if dialect == "sqlite" else tuple(values))
        if dialect == "sqlite":
            many, _ = _statement(dialect, table, columns, key, update, len(params))
            yield many, [value for values in params for value in values]
        else:
            yield sql, params


async def insert_rows(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: str,
    update: tuple[str, ...] = (),
) -> None:
    """Insert ``rows`` (dicts with the same keys); on a ``key`` clash skip, or ``update``."""
    driver = await _sqlite_driver(connection)
    # Each chunk's round-trip hands the event loop back, so a large batch never holds a
    # due timer up for longer than building one chunk.
    for sql, params in statements(connection.dialect.name, table, rows, key, update):
        if driver is None:
            await connection.exec_driver_sql(sql, params)
        else:
            await driver.execute(sql, params)


async def _sqlite_driver(connection: AsyncConnection) -> Any:
    """aiosqlite's own connection, for SQLite; ``None`` for other drivers.

    A chunk goes to SQLite on aiosqlite's own connection, in the transaction SQLAlchemy
    opened (the sqlite3 connection is shared): through SQLAlchemy each statement took
    three round-trips to aiosqlite's thread (open a cursor, execute, close it).
    """
    if connection.dialect.name != "sqlite":
        return None
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    return driver if driver is not None and hasattr(driver, "execute") else None
