"""Fan-out of frames to websocket subscribers through bounded per-subscriber queues.

A subscriber that stops reading fills its queue and is dropped — closed with a reason —
so a stuck browser tab can never slow ingest or other subscribers. This is the one
interface outputs travel through; running past one process swaps it for Redis pub/sub.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FRAME_TYPES", "SUPERVISOR_DEFAULT", "Hub", "Subscriber", "encode_frame"]


def encode_frame(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


FRAME_TYPES = frozenset({"timer", "alert", "suggestion", "lint", "handover"})
SUPERVISOR_DEFAULT = frozenset({"alert", "suggestion"})


@dataclass(eq=False)
class Subscriber:
    """One connected panel or board; ``agent_id`` None means the supervisor channel.

    ``types`` are the frame types it wants: an agent panel takes all of its
    conversations' frames; a supervisor board takes alerts and suggestions unless it
    asks for more (every timer change of every conversation is a lot of traffic).
    """

    agent_id: str | None
    limit: int
    types: frozenset[str] = FRAME_TYPES
    queue: asyncio.Queue[str] = field(init=False)
    dropped: asyncio.Event = field(default_factory=asyncio.Event)
    ident: int = field(default_factory=itertools.count().__next__)

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(maxsize=self.limit)

    def offer(self, text: str) -> bool:
        """Queue ``text``; False (and marked dropped) when the subscriber has fallen behind."""
        if self.dropped.is_set():
            return False
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.dropped.set()
            return False
        return True


class Hub:
    """Routes each frame to the supervisors and to the agent it concerns."""

    def __init__(self, queue_limit: int, on_drop: Callable[[Subscriber], None] | None = None):
        self.queue_limit = queue_limit
        self._supervisors: set[Subscriber] = set()
        self._agents: dict[str, set[Subscriber]] = {}
        self._on_drop = on_drop

    def subscribe(self, agent_id: str | None, types: frozenset[str] = FRAME_TYPES) -> Subscriber:
        subscriber = Subscriber(agent_id, self.queue_limit, types)
        if agent_id is None:
            self._supervisors.add(subscriber)
        else:
            self._agents.setdefault(agent_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber.agent_id is None:
            self._supervisors.discard(subscriber)
            return
        group = self._agents.get(subscriber.agent_id)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self._agents[subscriber.agent_id]

    def counts(self) -> tuple[int, int]:
        """(supervisor subscribers, agent subscribers)."""
        return len(self._supervisors), sum(len(g) for g in self._agents.values())

    def publish(self, frame: dict[str, Any], agent_id: str | None) -> None:
        """Send ``frame`` to the supervisors and ``agent_id``'s panels that want its type."""
        kind = frame["type"]
        targets = [s for s in self._supervisors if kind in s.types]
        if agent_id is not None:
            targets.extend(s for s in self._agents.get(agent_id, ()) if kind in s.types)
        if not targets:
            return
        self._offer(encode_frame(frame), targets)

    def publish_to_agents(self, frame: dict[str, Any], agent_ids: Iterable[str]) -> None:
        """Send ``frame`` to the panels of ``agent_ids`` only (no supervisor copy)."""
        kind = frame["type"]
        targets = [
            s
            for agent in dict.fromkeys(agent_ids)
            for s in self._agents.get(agent, ())
            if kind in s.types
        ]
        if targets:
            self._offer(encode_frame(frame), targets)

    def _offer(self, text: str, targets: list[Subscriber]) -> None:
        for subscriber in targets:
            if not subscriber.offer(text):
                self.unsubscribe(subscriber)
                if self._on_drop is not None:
                    self._on_drop(subscriber)
