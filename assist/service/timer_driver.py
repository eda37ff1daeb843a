"""The timer driver: a loop timer set for the engine's next deadline, which advances it.

The only code that turns the service's clock into :meth:`Engine.advance` calls. It is a
plain callback at the deadline (``loop.call_later``), not a task woken through events and
``wait_for``: a task needs two or three turns of the event loop to run after its
timeout, and under saturated ingest each turn runs a slice of every connection's work
first. Ingest also calls :meth:`TimerDriver.fire_if_due` between its slices, so a due
deadline fires ahead of queued ingest work. Ingest calls :meth:`TimerDriver.wake` when an
event may have brought an earlier deadline; tests with an injected clock call it after
moving their clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from assist.core.engine import Engine
from assist.service.dispatch import Dispatcher

log = logging.getLogger("assist.service")

__all__ = ["TimerDriver"]

# Exactly at the deadline nothing is due yet (it must pass first): look again this soon.
_RETRY_S = 0.001


class TimerDriver:
    def __init__(
        self, engine: Engine, dispatcher: Dispatcher, clock: Callable[[], datetime]
    ) -> None:
        self._engine = engine
        self._dispatcher = dispatcher
        self._clock = clock
        self._handle: asyncio.TimerHandle | None = None
        self._armed_for: datetime | None = None
        self._running = False

    def wake(self) -> None:
        """Re-read the next deadline now (an earlier one may have arrived, or the clock moved)."""
        if self._running:
            self._arm(force=True)

    def fire_due(self) -> None:
        """Fire whatever is due at this instant (at start-up: deadlines missed while down)."""
        outputs = self._engine.advance(self._clock())
        if outputs:
            self._dispatcher.dispatch(outputs, None)

    def fire_if_due(self) -> None:
        """:meth:`fire_due` if a deadline has passed — cheap enough to call between slices."""
        deadline = self._engine.next_deadline()
        if deadline is not None and deadline < self._clock():
            self.fire_due()
            self._arm()

    async def run(self) -> None:
        """Keep the timer set until cancelled."""
        self._running = True
        self._arm(force=True)
        try:
            await asyncio.Future()
        finally:
            self._running = False
            if self._handle is not None:
                self._handle.cancel()
                self._handle = None

    def _arm(self, *, force: bool = False, at_least: float = 0.0) -> None:
        deadline = self._engine.next_deadline()
        if not force and deadline == self._armed_for and self._handle is not None:
            return
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._armed_for = deadline
        if deadline is None:
            return
        delay = max((deadline - self._clock()).total_seconds(), at_least)
        self._handle = asyncio.get_running_loop().call_later(delay, self._due)

    def _due(self) -> None:
        self._handle = None
        fired = False
        try:
            outputs = self._engine.advance(self._clock())
            if outputs:
                fired = True
                self._dispatcher.dispatch(outputs, None)
        except Exception:
            # A loop callback that raised would never re-arm: every timer would stop.
            log.exception("firing due timers failed; the driver carries on")
        finally:
            if fired:
                self._arm(force=True)
            else:
                self._arm(force=True, at_least=_RETRY_S)
