"""Turning core outputs into rows, one transaction per batch.

Every row has a natural key (events by id, suggestions by message id, conversation state
by conversation id, waits, alerts and findings by a ``key`` built from what identifies
them), so writing the same batch twice — say, after a commit whose reply was lost —
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.outputs import (
    Alert,
    ConversationSnapshot,
    EventRecord,
    LintReport,
    Output,
    Suggestion,
    WaitRecord,
)
from assist.core.timeutil import format_ts
from assist.store.bulk import WRITER_CHUNK_ROWS, insert_rows, statements
from assist.store.tables import (
    AlertRow,
    Base,
    ConversationRow,
    EventRow,
    FindingRow,
    SuggestionRow,
    WaitRow,
)

if TYPE_CHECKING:
    from assist.store.sqlite_writer import SqliteWriter

__all__ = ["Batch", "batch_statements", "write_batch"]

_LISTS = ("events", "waits", "alerts", "findings", "suggestions")


class Batch:
    """Rows gathered from outputs, ready to write; the latest snapshot per conversation wins.

    The engine hands over a snapshot of the conversation's whole state with every event,
    and an upsert keeps only the last: a snapshot is kept as it is until the batch is
    written, replaced by the next one of its conversation, and only the one left is ever
    turned into a row (on the writer's thread, see :attr:`conversations`).
    """

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._conversations: dict[str, dict[str, Any]] = {}
        self._snapshots: dict[str, ConversationSnapshot] = {}
        self.waits: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []
        self.suggestions: list[dict[str, Any]] = []
        # Findings and suggestions are stamped with their message's event time, so that a
        # stats range counts a message and its findings alike.
        self._event_times: dict[str, datetime] = {}

    @property
    def conversations(self) -> dict[str, dict[str, Any]]:
        """The latest row of each conversation, by id (snapshots become rows here)."""
        if self._snapshots:
            for conversation_id, snapshot in self._snapshots.items():
                self._conversations[conversation_id] = _conversation_row(snapshot)
            self._snapshots.clear()
        return self._conversations

    def __len__(self) -> int:
        # Counted without turning snapshots into rows (the event loop asks before writing).
        conversations = (
            len(self._conversations.keys() | self._snapshots.keys())
            if self._conversations
            else len(self._snapshots)
        )
        return (
            len(self.events)
            + conversations
            + len(self.waits)
            + len(self.alerts)
            + len(self.findings)
            + len(self.suggestions)
        )

    def rows(self) -> list[tuple[str, dict[str, Any]]]:
        """Every row as ``(table attribute, row)``, in write order."""
        rows = [("events", row) for row in self.events]
        rows.extend(("conversations", row) for row in self.conversations.values())
        for name in _LISTS[1:]:
            rows.extend((name, row) for row in getattr(self, name))
        return rows

    @classmethod
    def of_rows(cls, rows: Iterable[tuple[str, dict[str, Any]]]) -> Batch:
        batch = cls()
        for name, row in rows:
            if name == "conversations":
                batch.conversations[row["id"]] = row
            else:
                getattr(batch, name).append(row)
        return batch

    def halves(self) -> tuple[Batch, Batch]:
        """Two batches sharing this one's rows, to find the row a transaction refuses.

        Each conversation has one row here (its latest state), so whichever half holds
        it writes the newest state, and no half can overwrite it with an older one."""
        rows = self.rows()
        middle = len(rows) // 2
        return Batch.of_rows(rows[:middle]), Batch.of_rows(rows[middle:])

    def describe(self) -> str:
        """Which rows these are, by table and natural key (ids, never text)."""
        names = []
        for name, row in self.rows()[:5]:
            key = row.get("id") or row.get("key") or row.get("message_id")
            names.append(f"{name} {ascii(key)[:120]}")
        return ", ".join(names) + (" ..." if len(self) > 5 else "")

    def add(self, outputs: Iterable[Output], received_at: datetime | None = None) -> None:
        # By exact type, one lookup an output: about half of what the engine hands over
        # (timer updates, NLP requests) is not stored, and an isinstance chain made each
        # of those fail six tests. The store's outputs are final (slotted) dataclasses.
        for output in outputs:
            adder = _ADDERS.get(type(output))
            if adder is not None:
                adder(self, output, received_at)

    def _add_event(self, output: EventRecord, received_at: datetime | None) -> None:
        event = output.event
        self._event_times[event.id] = event.ts
        self.events.append(
            {
                "id": event.id,
                "conversation_id": event.conversation_id,
                "type": event.type.value,
                "ts": event.ts,
                "received_at": received_at,
                "agent_id": output.agent_id,
                "customer_id": event.customer_id,
                "text": event.text,
                "amount": event.amount,
                "typing_s": output.typing_s,
                "payload": event.to_dict(),
            }
        )

    def _add_snapshot(self, output: ConversationSnapshot, received_at: datetime | None) -> None:
        self._snapshots[output.conversation_id] = output

    def _add_wait(self, output: WaitRecord, received_at: datetime | None) -> None:
        self.waits.append(
            {
                "key": "|".join(
                    (output.conversation_id, output.kind.value, format_ts(output.started_at))
                ),
                "conversation_id": output.conversation_id,
                "kind": output.kind.value,
                "agent_id": output.agent_id,
                "started_at": output.started_at,
                "ended_at": output.ended_at,
                "outcome": output.outcome.value,
                "breached": output.breached,
                "escalated": output.escalated,
                "waited_s": output.waited_s,
                "answer_id": output.answer_id,
            }
        )

    def _add_alert(self, output: Alert, received_at: datetime | None) -> None:
        self.alerts.append(
            {
                "key": "|".join(
                    (
                        output.kind.value,
                        output.conversation_id,
                        format_ts(output.at),
                        output.message_id or "",
                    )
                ),
                "kind": output.kind.value,
                "conversation_id": output.conversation_id,
                "agent_id": output.agent_id,
                "at": output.at,
                "waited_s": output.waited_s,
                "message_id": output.message_id,
                "detail": output.detail,
            }
        )

    def _add_lint(self, output: LintReport, received_at: datetime | None) -> None:
        at = output.at or self._event_times.get(output.message_id, received_at)
        for finding in output.findings:
            self.findings.append(
                {
                    "key": f"{output.message_id}|{finding.rule}|{finding.start}",
                    "message_id": output.message_id,
                    "conversation_id": output.conversation_id,
                    "agent_id": output.agent_id,
                    "at": at,
                    "rule": finding.rule,
                    "severity": finding.severity,
                    "phrase": finding.phrase,
                    "start": finding.start,
                    "end": finding.end,
                }
            )

    def _add_suggestion(self, output: Suggestion, received_at: datetime | None) -> None:
        result = output.result
        self.suggestions.append(
            {
                "message_id": output.message_id,
                "conversation_id": output.conversation_id,
                "agent_id": output.agent_id,
                "at": output.at or self._event_times.get(output.message_id, received_at),
                "intent": result.intent,
                "confidence": result.confidence,
                "slots": result.slots,
                "replies": list(result.replies),
            }
        )


_ADDERS: dict[type, Callable[[Batch, Any, datetime | None], None]] = {
    EventRecord: Batch._add_event,
    ConversationSnapshot: Batch._add_snapshot,
    WaitRecord: Batch._add_wait,
    Alert: Batch._add_alert,
    LintReport: Batch._add_lint,
    Suggestion: Batch._add_suggestion,
}


def _conversation_row(snapshot: ConversationSnapshot) -> dict[str, Any]:
    state = snapshot.state
    return {
        "id": snapshot.conversation_id,
        "agent_id": state.get("agent_id"),
        "customer_id": state.get("customer_id"),
        "is_open": snapshot.open,
        "updated_at": snapshot.updated_at,
        "state": state,
    }


def _tables(batch: Batch) -> list[tuple[Table, list[dict[str, Any]], str, tuple[str, ...]]]:
    """The batch's rows per table, in write order: (table, rows, key, columns to update)."""
    return [
        (_table(EventRow), batch.events, "id", ()),
        (
            _table(ConversationRow),
            list(batch.conversations.values()),
            "id",
            ("agent_id", "customer_id", "is_open", "updated_at", "state"),
        ),
        (_table(WaitRow), batch.waits, "key", ()),
        (_table(AlertRow), batch.alerts, "key", ()),
        (_table(FindingRow), [r for r in batch.findings if r["at"] is not None], "key", ()),
        (
            _table(SuggestionRow),
            [r for r in batch.suggestions if r["at"] is not None],
            "message_id",
            (),
        ),
    ]


def batch_statements(dialect: str, batch: Batch) -> Iterator[tuple[str, list[Any]]]:
    """Every statement that writes ``batch``, in order (for a writer that owns its
    connection in a thread of its own: :class:`~assist.store.sqlite_writer.SqliteWriter`)."""
    for table, rows, key, update in _tables(batch):
        yield from statements(dialect, table, rows, key, update, WRITER_CHUNK_ROWS)


async def write_batch(
    database: AsyncEngine, batch: Batch, writer: SqliteWriter | None = None
) -> None:
    """Write ``batch`` in one transaction (all of it or none); through ``writer`` (one
    call to its thread) when given, else statement by statement through ``database``."""
    if not len(batch):
        return
    if writer is not None:
        await writer.write(batch)
        return
    async with database.begin() as connection:
        for table, rows, key, update in _tables(batch):
            await insert_rows(connection, table, rows, key, update=update)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table
