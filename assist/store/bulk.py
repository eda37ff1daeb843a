"""Bulk inserts straight to the driver: the store's hot path.

SQLAlchemy's statement compilation and per-value type processing cost ~25 µs a row, a
large share of a core at thousands of events a second. Here each table's INSERT is
built once per dialect from the models' metadata, values are converted by column type
in one pass, and the rows go to the driver's ``executemany``. The SQL stays the portable
``INSERT … ON CONFLICT`` that SQLite and PostgreSQL both speak; what differs (parameter
style, how a timestamp is sent) is decided here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from assist.store.tables import UtcDateTime

__all__ = ["CHUNK_ROWS", "WRITER_CHUNK_ROWS", "insert_rows", "statements"]

# Converts one column of a chunk (all its values at once, see ``statements``).
Converter = Callable[[Iterable[Any]], Iterable[Any]]
# Rows converted and sent per driver call from the event loop (PostgreSQL, in-memory
# SQLite): each call hands the loop back, so a due timer never waits for more than one.
CHUNK_ROWS = 100
# Rows per INSERT on the SQLite writer thread, which never holds the loop up: larger
# statements, as few per batch as before with power-of-two sizes. 512 rows of the widest
# table (11 columns) are 5,632 parameters, within SQLite's limit (32,766 since 3.32).
WRITER_CHUNK_ROWS = 512


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


# orjson writes the same compact UTF-8 text as json.dumps(ensure_ascii=False,
# separators=(",", ":")) at a fraction of the cost (the payload, state and slots of every
# row pass here). What it refuses (a lone surrogate) json would write and the driver then
# refuse: a data fault either way, never stored.
def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _json(values: Iterable[Any]) -> Iterable[str]:
    return map(_json_text, values)


def _sqlite_times(values: Iterable[datetime | None]) -> Iterable[str | None]:
    return map(_sqlite_time, values)


def _naive_utcs(values: Iterable[datetime | None]) -> Iterable[datetime | None]:
    return map(_naive_utc, values)


def _converter(dialect: str, column_type: Any) -> Converter | None:
    """How a column's values are sent, or ``None`` when they go as they are."""
    if isinstance(column_type, UtcDateTime):
        return _sqlite_times if dialect == "sqlite" else _naive_utcs
    if isinstance(column_type, JSON):
        return _json
    return None


@cache
def _statement(
    dialect: str,
    table: Table,
    columns: tuple[str, ...],
    key: str,
    update: tuple[str, ...],
    rows: int = 1,
) -> tuple[str, tuple[Converter | None, ...]]:
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


def _chunk_sizes(dialect: str, count: int, chunk_rows: int) -> Iterator[int]:
    """Chunks of ``chunk_rows`` rows; for SQLite the rest as powers of two.

    A multi-row INSERT's text depends on its row count, and compiling one of 100 rows
    costs as much as running it. With a batch's leftover split 64 + 32 + …, every
    statement is one of a few texts per table, compiled once and then taken from the
    connection's statement cache (sqlite3 keeps 128), not a new text in every batch.
    """
    full, rest = divmod(count, chunk_rows)
    yield from repeat(chunk_rows, full)
    if dialect != "sqlite":
        if rest:
            yield rest
        return
    while rest:
        size = 1 << (rest.bit_length() - 1)
        yield size
        rest -= size


def statements(
    dialect: str,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: str,
    update: tuple[str, ...] = (),
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[tuple[str, list[Any]]]:
    """``rows`` as ``(sql, parameters)`` chunks of up to ``chunk_rows`` rows.

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
    # A chunk is read a column at a time, the few columns that need it are converted as
    # they are read, and the values come out in row order: the loops run in C (map,
    # itemgetter, zip, chain) and nothing is built in between (no tuple per row for the
    # garbage collector to count); per value, Python runs only the JSON helper.
    getters = [itemgetter(column) for column in columns]
    start = 0
    for size in _chunk_sizes(dialect, len(rows), chunk_rows):
        chunk = rows[start : start + size]
        start += size
        cells: list[Iterable[Any]] = [map(get, chunk) for get in getters]
        for index, converter in enumerate(converters):
            if converter is not None:
                cells[index] = converter(cells[index])
        values = zip(*cells, strict=True)
        if dialect == "sqlite":
            many, _ = _statement(dialect, table, columns, key, update, size)
            yield many, list(chain.from_iterable(values))
        else:
            yield sql, list(values)


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
