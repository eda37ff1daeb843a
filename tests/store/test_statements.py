"""SQLite statements come in a few texts whatever the batch size (each compiled once),
covering every row in order; PostgreSQL gets one text and a chunk of rows per call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assist.core.events import Event, EventType
from assist.core.outputs import EventRecord
from assist.store.bulk import CHUNK_ROWS, WRITER_CHUNK_ROWS, statements
from assist.store.tables import EventRow
from assist.store.writer import Batch, _table, batch_statements

AT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def event(event_id: str, conversation_id: str) -> EventRecord:
    return EventRecord(
        Event(event_id, EventType.CUSTOMER_MESSAGE, conversation_id, AT, text="在吗"), "a-1"
    )


def event_rows(n: int) -> list[dict[str, Any]]:
    batch = Batch()
    batch.add([event(f"e-{i}", f"c-{i % 7}") for i in range(n)], AT)
    return batch.events


def test_sqlite_statements_are_a_few_texts_that_cover_every_row_in_order() -> None:
    table = _table(EventRow)
    texts: set[str] = set()
    for n in [*range(1, 140), 511, 512, 513, 1000, 1500]:
        rows = event_rows(n)
        chunks = list(statements("sqlite", table, rows, "id", (), WRITER_CHUNK_ROWS))
        sizes = [len(params) // len(rows[0]) for _, params in chunks]
        assert sum(sizes) == n
        # Full chunks first, then ever smaller powers of two: at most one of each.
        rest = sizes[n // WRITER_CHUNK_ROWS :]
        assert all(size == WRITER_CHUNK_ROWS for size in sizes[: n // WRITER_CHUNK_ROWS])
        assert rest == sorted(set(rest), reverse=True)
        assert all(size & (size - 1) == 0 for size in rest)
        ids = [params[i] for _, params in chunks for i in range(0, len(params), len(rows[0]))]
        assert ids == [row["id"] for row in rows]
        texts.update(sql for sql, _ in chunks)
    assert len(texts) == WRITER_CHUNK_ROWS.bit_length()  # 512, 256, … 1: ten texts


def test_postgresql_gets_one_statement_and_a_chunk_of_rows_per_call() -> None:
    rows = event_rows(CHUNK_ROWS * 2 + 37)
    chunks = list(statements("postgresql", _table(EventRow), rows, "id"))
    assert len({sql for sql, _ in chunks}) == 1
    assert [len(params) for _, params in chunks] == [CHUNK_ROWS, CHUNK_ROWS, 37]
    assert chunks[0][1][0][:3] == ("e-0", "c-0", "customer_message")


def test_a_batch_is_written_by_the_writer_in_chunks_of_writer_size() -> None:
    batch = Batch()
    batch.add([event(f"e-{i}", f"c-{i}") for i in range(WRITER_CHUNK_ROWS + 3)], AT)
    sizes = [sql.count("(?") for sql, _ in batch_statements("sqlite", batch) if '"events"' in sql]
    assert sizes == [WRITER_CHUNK_ROWS, 2, 1]
