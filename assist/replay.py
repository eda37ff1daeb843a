"""Offline replay: a log of events through the same core and the same SQL stats.

Replay runs the engine on event time and writes into a private in-memory SQLite store,
then asks it the same :func:`assist.store.stats.agent_stats` question the live service
answers — one code path, so a replayed log and the live service agree on the numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assist.core.engine import Engine
from assist.core.errors import ErrorCode, InvalidEvent
from assist.core.events import parse_event
from assist.core.outputs import Alert, Output
from assist.core.timeutil import format_ts
from assist.store.database import migrate, open_database
from assist.store.stats import agent_stats
from assist.store.writer import Batch, write_batch

__all__ = ["ReplayReport", "alert_row", "replay_lines"]

_FLUSH_EVERY = 5000


@dataclass(slots=True)
class ReplayReport:
    agents: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    rejected: list[tuple[int, InvalidEvent]] = field(default_factory=list)
    events: int = 0
    duplicates: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"agents": self.agents, "alerts": self.alerts}


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind.value,
        "conversation_id": alert.conversation_id,
        "agent_id": alert.agent_id,
        "at": format_ts(alert.at),
        "waited_s": alert.waited_s,
    }


async def replay_lines(
    lines: Iterable[str], engine: Engine, db_url: str = "sqlite+aiosqlite://"
) -> ReplayReport:
    """Replay JSONL ``lines``; bad lines are reported in ``rejected`` and skipped."""
    database = open_database(db_url)
    try:
        await migrate(database)
        report = ReplayReport(agents=[], alerts=[])
        batch = Batch()

        def collect(outputs: list[Output]) -> None:
            batch.add(outputs)
            report.alerts.extend(alert_row(o) for o in outputs if isinstance(o, Alert))

        last_ts = None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as exc:
                report.rejected.append((number, InvalidEvent(ErrorCode.INVALID_JSON, str(exc))))
                continue
            try:
                event = parse_event(raw)
            except InvalidEvent as exc:
                report.rejected.append((number, exc))
                continue
            result = engine.handle(event, event.ts)
            report.events += 1
            report.duplicates += result.duplicate
            collect(result.outputs)
            last_ts = event.ts if last_ts is None else max(last_ts, event.ts)
            if len(batch.events) >= _FLUSH_EVERY:
                await write_batch(database, batch)
                batch = Batch()
        if last_ts is not None:
            collect(engine.advance(last_ts))
        await write_batch(database, batch)
        report.agents = await agent_stats(database)
        return report
    finally:
        await database.dispose()
