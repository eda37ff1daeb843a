"""The in-process cost measurement runs the real service parts and accounts every event."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assist.bench_cost import measure


async def test_every_event_is_ingested_and_its_cpu_is_split_by_where_it_went(
    tmp_path: Path,
) -> None:
    cost = await measure(frames=3, workdir=tmp_path)
    assert cost.events == 300
    assert cost.events_per_s > 0
    assert cost.loop_us > 0
    assert cost.rest_of_process_us >= 0
    assert cost.gc_us <= cost.loop_us + cost.rest_of_process_us
    assert "events/s" in cost.line()
    with sqlite3.connect(tmp_path / "cost.db") as db:
        assert db.execute("SELECT count(*) FROM events").fetchone() == (300,)
