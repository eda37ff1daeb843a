"""The timer driver: sleeps exactly until the engine's next deadline, then advances it.

The only code that turns the service's clock into :meth:`Engine.advance` calls. Ingest
calls :meth:`TimerDriver.wake` when an event may have brought an earlier deadline; tests
with an injected clock call it after moving their clock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from assist.core.engine import Engine
from assist.service.dispatch import Dispatcher

__all__ = ["TimerDriver"]


class TimerDriver:
    def __init__(
        self, engine: Engine, dispatcher: Dispatcher, clock: Callable[[], datetime]
    ) -> None:
        self._engine = engine
        self._dispatcher = dispatcher
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Re-read the next deadline now (an earlier one may have arrived)."""
        self._wake.set()

    def fire_due(self) -> None:
        """Fire whatever is due at this instant (at start-up: deadlines missed while down)."""
        outputs = self._engine.advance(self._clock())
        if outputs:
            self._dispatcher.dispatch(outputs, None)

    async def run(self) -> None:
        while True:
            deadline = self._engine.next_deadline()
            timeout = None
            if deadline is not None:
                timeout = (deadline - self._clock()).total_seconds()
            if timeout is None or timeout > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            outputs = self._engine.advance(self._clock())
            if outputs:
                self._dispatcher.dispatch(outputs, None)
            elif timeout is not None and timeout <= 0:
                # Exactly at the deadline nothing is due yet (it must pass first).
                await asyncio.sleep(0.001)
