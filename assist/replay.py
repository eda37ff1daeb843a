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
from assist.core.qa.rules import QaRules
from assist.core.qa.scoring import local_day
from assist.core.timeutil import format_ts
from assist.store.database import migrate, open_database
from assist.store.qa import month_scores
from assist.store.stats import agent_stats
from assist.store.writer import Batch, write_batch

__all__ = ["QaRequest", "ReplayReport", "alert_row", "replay_lines"]

_FLUSH_EVERY = 5000


@dataclass(slots=True)
class ReplayReport:
    agents: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    rejected: list[tuple[int, InvalidEvent]] = field(default_factory=list)
    events: int = 0
    duplicates: int = 0
    qa: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"agents": self.agents, "alerts": self.alerts}
        if self.qa is not None:
            body["qa"] = self.qa
        return body


@dataclass(frozen=True, slots=True)
class QaRequest:
    """Ask replay for the month's QA scores too (``month`` None: the month of the log's
    first event, in ``timezone``)."""

    rules: QaRules
    timezone: str
    month: str | None = None


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind.value,
        "conversation_id": alert.conversation_id,
        "agent_id": alert.agent_id,
        "at": format_ts(alert.at),
        "waited_s": alert.waited_s,
    }


async def replay_lines(
    lines: Iterable[str],
    engine: Engine,
    db_url: str = "sqlite+aiosqlite://",
    qa: QaRequest | None = None,
) -> ReplayReport:
    """Replay JSONL ``lines``; bad lines are reported in ``rejected`` and skipped.

    With ``qa`` the report also holds the month's QA scores, asked of the replay's store
    with the same query ``GET /api/qa/scores`` uses.
    """
    database = open_database(db_url)
    try:
        await migrate(database)
        report = ReplayReport(agents=[], alerts=[])
        batch = Batch()

        def collect(outputs: list[Output]) -> None:
            batch.add(outputs)
            report.alerts.extend(alert_row(o) for o in outputs if isinstance(o, Alert))

        last_ts = None
        first_ts = None
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
            first_ts = event.ts if first_ts is None else min(first_ts, event.ts)
            if len(batch.events) >= _FLUSH_EVERY:
                await write_batch(database, batch)
                batch = Batch()
        if last_ts is not None:
            collect(engine.advance(last_ts))
        await write_batch(database, batch)
        report.agents = await agent_stats(database)
        if qa is not None:
            month = qa.month
            if month is None:
                month = local_day(first_ts, qa.timezone).strftime("%Y-%m") if first_ts else ""
            if month:
                report.qa = await month_scores(database, qa.rules, qa.timezone, month)
            else:
                report.qa = {"month": None, "agents": []}
        return report
    finally:
        await database.dispose()
