"""Admission of ingest: frames applied in bounded slices, timers first, NLP back-pressure.

The ingestor is driven directly (no server): an engine on an injected clock, the real
dispatcher, hub and persister (never started — acks are not what these tests are about).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from assist.core.engine import Engine
from assist.core.sla.hours import SlaConfig
from assist.core.views import LatestFrames
from assist.service.dispatch import Dispatcher
from assist.service.hub import Hub, Subscriber
from assist.service.ingest import Ingestor
from assist.service.metrics import Metrics
from assist.service.persister import Persister
from assist.service.timer_driver import TimerDriver
from assist.store.database import open_database
from tests.service.server import FakeClock, events_frame


@dataclass
class Parts:
    engine: Engine
    ingestor: Ingestor
    board: Subscriber
    clock: FakeClock


class Recorder(asyncio.Event):
    """A subscriber's ready event that notes the moment a frame was queued for it."""

    def __init__(self, note: Callable[[], None]) -> None:
        super().__init__()
        self._note = note

    def set(self) -> None:
        self._note()
        super().set()


def frame(prefix: str, count: int) -> str:
    return events_frame(prefix, f"{prefix}-c", count, "agent_message", "您好")


async def build(room: asyncio.Event | None = None) -> AsyncIterator[Parts]:
    clock = FakeClock()
    engine = Engine(SlaConfig(greeting_s=1.0, reply_s=30.0, warn_s=0.0, escalate_s=600.0))
    database = open_database("sqlite+aiosqlite://")
    metrics = Metrics()
    hub = Hub(100)
    board = hub.subscribe(None, frozenset({"alert"}))
    dispatcher = Dispatcher(hub, Persister(database, metrics), metrics, LatestFrames(), clock)
    timers = TimerDriver(engine, dispatcher, clock)

    async def wait_room() -> None:
        if room is not None:
            await room.wait()

    ingestor = Ingestor(engine, dispatcher, timers, metrics, clock, slice_events=10, room=wait_room)
    try:
        yield Parts(engine, ingestor, board, clock)
    finally:
        await database.dispose()


@pytest.fixture
async def parts() -> AsyncIterator[Parts]:
    async for built in build():
        yield built


async def test_a_large_frame_is_applied_in_slices_that_let_other_work_run_between(
    parts: Parts,
) -> None:
    seen_between: list[int] = []
    admitting = asyncio.create_task(parts.ingestor.admit(frame("big", 100)))
    while not admitting.done():
        seen_between.append(len(parts.engine.conversations))
        await asyncio.sleep(0)
    replies, _ = admitting.result()
    assert len(replies) == 100 and all("ack" in reply for reply in replies)
    # Other work ran after each slice of 10 events, not once after the whole frame.
    assert {10, 50, 90} <= set(seen_between)


async def test_a_deadline_that_passed_fires_before_the_next_slice_of_ingest(
    parts: Parts,
) -> None:
    parts.ingestor.ingest(
        json.dumps(
            {
                "id": "s-1",
                "type": "customer_message",
                "conversation_id": "sentinel",
                "agent_id": "a-1",
                "text": "在吗",
            },
            ensure_ascii=False,
        )
    )
    parts.clock.advance(2)  # the greeting deadline passes; no timer task is running
    applied_when_alerted: list[int] = []
    parts.board.ready = Recorder(
        lambda: applied_when_alerted.append(len(parts.engine.conversations))
    )
    admitting = asyncio.create_task(parts.ingestor.admit(frame("late", 30)))
    await asyncio.sleep(0)  # the first slice only
    alert = json.loads(parts.board.take_nowait() or "{}")
    assert (alert["kind"], alert["conversation_id"]) == ("greeting_breach", "sentinel")
    # Fired ahead of the slice: none of the frame's events was applied yet.
    assert applied_when_alerted == [1]
    await admitting


async def test_ingest_waits_while_the_nlp_queue_is_full_and_applies_nothing_meanwhile() -> None:
    room = asyncio.Event()
    async for parts in build(room):
        admitting = asyncio.create_task(parts.ingestor.admit(frame("held", 20)))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not admitting.done() and parts.engine.conversations == {}
        room.set()
        replies, _ = await admitting
        assert len(replies) == 20 and len(parts.engine.conversations) == 20
