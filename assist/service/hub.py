"""Fan-out of frames to websocket subscribers through bounded per-subscriber queues.

Each frame is encoded once, whatever the number of subscribers, and only if someone
wants it. A subscriber's queue is bounded (``limit`` frames), and what happens when it is
full depends on *why* it is full:

- the subscriber's socket has stopped taking data (a send has been pending for
  :data:`STALLED_S`: a stuck browser tab) — it is dropped, closed with a reason, so it can
  never slow ingest or other subscribers;
- the subscriber reads, but the server is saturated and behind on it — its oldest
  non-alert frame is shed instead (counted), and alerts are sent ahead of other frames,
  so a supervisor keeps receiving alerts on time and is never dropped for the server's
  own slowness. Only a queue holding nothing but ``limit`` alerts drops it.

This is the one interface outputs travel through; running past one process swaps it for
Redis pub/sub.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["FRAME_TYPES", "STALLED_S", "SUPERVISOR_DEFAULT", "Hub", "Subscriber", "encode_frame"]


def encode_frame(frame: Any) -> str:
    """A frame (or a frame's list of acks) as compact JSON text.

    orjson writes the same text as ``json.dumps(ensure_ascii=False, separators=(",",
    ":"))`` several times faster — every ack of every ingested event passes here. What
    orjson refuses (an integer beyond 64 bits, a non-string key) falls back to the
    standard library, so no frame is lost to the choice of encoder."""
    try:
        return orjson.dumps(frame).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


FRAME_TYPES = frozenset({"timer", "alert", "suggestion", "lint", "handover", "conversation"})
SUPERVISOR_DEFAULT = frozenset({"alert", "suggestion"})
# A send pending this long means the client is not reading.
STALLED_S = 5.0


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
    clock: Callable[[], float] = time.monotonic
    alerts: deque[str] = field(default_factory=deque)
    others: deque[str] = field(default_factory=deque)
    dropped: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    shed: int = 0
    sending_since: float | None = None
    ident: int = field(default_factory=itertools.count().__next__)

    @property
    def pending(self) -> int:
        return len(self.alerts) + len(self.others)

    def stalled(self) -> bool:
        since = self.sending_since
        return since is not None and self.clock() - since >= STALLED_S

    def offer(self, text: str, kind: str) -> bool:
        """Queue ``text``; False (and marked dropped) when the subscriber must go."""
        if self.dropped.is_set():
            return False
        if self.pending >= self.limit:
            if self.stalled() or (kind == "alert" and not self.others):
                self.dropped.set()
                return False
            self.shed += 1
            if not self.others:
                return True  # full of alerts: this non-alert frame is the one shed
            self.others.popleft()
        (self.alerts if kind == "alert" else self.others).append(text)
        self.ready.set()
        return True

    def take_nowait(self) -> str | None:
        """The next frame to send (alerts first), or None."""
        if self.alerts:
            return self.alerts.popleft()
        if self.others:
            return self.others.popleft()
        return None

    async def next(self) -> str:
        while (text := self.take_nowait()) is None:
            self.ready.clear()
            await self.ready.wait()
        return text

    async def forward(self, send: Callable[[str], Awaitable[None]]) -> None:
        """Send queued frames for ever, noting when a send hangs (see :meth:`stalled`)."""
        while True:
            text = await self.next()
            self.sending_since = self.clock()
            await send(text)
            self.sending_since = None


class Hub:
    """Routes each frame to the supervisors and to the agent it concerns."""

    def __init__(
        self,
        queue_limit: int,
        on_drop: Callable[[Subscriber], None] | None = None,
        on_shed: Callable[[int], None] | None = None,
    ) -> None:
        self.queue_limit = queue_limit
        self._supervisors: set[Subscriber] = set()
        self._agents: dict[str, set[Subscriber]] = {}
        self._on_drop = on_drop
        self._on_shed = on_shed

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

    def _targets(self, kind: str, agent_id: str | None) -> list[Subscriber]:
        targets = [s for s in self._supervisors if kind in s.types]
        if agent_id is not None:
            group = self._agents.get(agent_id)
            if group:
                targets.extend(s for s in group if kind in s.types)
        return targets

    def wants(self, kind: str, agent_id: str | None) -> bool:
        """Whether any subscriber takes a ``kind`` frame about ``agent_id``'s conversation
        (so the caller need not even build a frame nobody reads)."""
        return bool(self._targets(kind, agent_id))

    def publish(self, frame: dict[str, Any], agent_id: str | None) -> None:
        """Send ``frame`` to the supervisors and ``agent_id``'s panels that want its type."""
        self.publish_lazily(frame["type"], agent_id, lambda: frame)

    def publish_lazily(
        self, kind: str, agent_id: str | None, build: Callable[[], dict[str, Any]]
    ) -> None:
        """:meth:`publish` a ``kind`` frame that ``build`` makes only if someone takes it:
        one scan of the subscribers, no frame built or encoded for nobody."""
        targets = self._targets(kind, agent_id)
        if targets:
            self._offer(encode_frame(build()), targets, kind)

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
            self._offer(encode_frame(frame), targets, kind)

    def _offer(self, text: str, targets: list[Subscriber], kind: str) -> None:
        for subscriber in targets:
            shed = subscriber.shed
            if not subscriber.offer(text, kind):
                self.unsubscribe(subscriber)
                if self._on_drop is not None:
                    self._on_drop(subscriber)
            elif subscriber.shed != shed and self._on_shed is not None:
                self._on_shed(subscriber.shed - shed)
