"""Handover frames at a shift's end (seed 000 §四: 交接本记录当班时间的客户疑问、待处理事宜).

The engine says when a shift ended for whom (:class:`~assist.core.outputs.ShiftEnd`);
this builds each leaving agent's handover from the store — the same body
``GET /api/handover`` answers — and sends it to that agent's panel, to the panels of
the agents taking over, and to supervisors who asked for ``handover`` frames.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from assist.core.outputs import ShiftEnd
from assist.core.timeutil import format_ts
from assist.service.hub import Hub
from assist.store.qa import handover_for

__all__ = ["HandoverSender"]

log = logging.getLogger("assist.service")


class HandoverSender:
    """Turns shift ends into ``handover`` frames, off the ingest path."""

    def __init__(self, hub: Hub, database: AsyncEngine, settle_s: float = 0.2) -> None:
        self.hub = hub
        self.database = database
        # Lets the batch writer commit the last events of the shift before they are read.
        self.settle_s = settle_s
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, end: ShiftEnd) -> None:
        task = asyncio.create_task(self._send(end), name=f"assist-handover-{end.shift}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, end: ShiftEnd) -> None:
        await asyncio.sleep(self.settle_s)
        for agent in end.agents:
            try:
                body = await handover_for(self.database, agent, end.at)
            except Exception:
                log.exception("handover of %s not built", agent)
                continue
            frame: dict[str, Any] = {
                "type": "handover",
                "shift": end.shift,
                "label": end.label,
                "ended_at": format_ts(end.at),
                "to_agents": list(end.next_agents),
                **body,
            }
            self.hub.publish(frame, agent)
            self.hub.publish_to_agents(frame, end.next_agents)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
