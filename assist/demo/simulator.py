"""The demo's simulator: plays :data:`assist.demo.script.SCRIPT` into a running service.

It is an ordinary client of the public ingest websocket (``/ws/ingest``), exactly as a
chat platform's connector would be, so the demo shows the real service at work. Rounds
repeat with fresh conversation ids until cancelled; ``speed`` compresses time (the demo
divides the SLA deadlines by the same factor, so breaches still happen where scripted).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from assist.demo.script import SCRIPT, Scripted, Step

__all__ = ["ROUND_S", "Simulator", "event_for"]

log = logging.getLogger("assist.demo")
# A new round starts this long (script seconds) after the previous one, so rounds overlap
# and a panel opened at any moment has conversations on it.
ROUND_S = 45.0


def event_for(conversation: Scripted, step: Step, round_no: int, serial: int) -> dict[str, Any]:
    """The event a platform would send for one scripted step (no ``ts``: receive time)."""
    event: dict[str, Any] = {
        "id": f"demo-{round_no}-{conversation.key}-{serial}",
        "type": step.type,
        "conversation_id": f"demo-{round_no}-{conversation.key}",
        "customer_id": f"{conversation.customer_id}-{round_no}",
        "agent_id": conversation.agent_id,
    }
    if conversation.product_id:
        event["product_id"] = conversation.product_id
    if step.text is not None:
        event["text"] = step.text
    for key, value in step.extra.items():
        event[key] = value.format(round=round_no) if isinstance(value, str) else value
    return event


@dataclass
class Simulator:
    ws_url: str
    speed: float = 1.0
    rounds: int | None = None  # None: until cancelled
    script: Sequence[Scripted] = SCRIPT
    sent: int = 0
    rejected: int = 0

    async def run(self) -> None:
        """Play rounds until cancelled (or ``rounds`` are done); stops quietly if the
        service goes away (the demo is shutting down)."""
        try:
            async with connect(self.ws_url + "/ws/ingest") as socket:
                await self._play(socket)
        except (ConnectionClosed, OSError) as exc:
            log.info("simulator stopped: %s", exc)

    async def _play(self, socket: ClientConnection) -> None:
        """Play until the rounds are done or the service closes the connection."""
        reader = asyncio.create_task(self._read(socket))
        player = asyncio.create_task(self._rounds(socket))
        try:
            done, _ = await asyncio.wait({reader, player}, return_when=asyncio.FIRST_COMPLETED)
            if player in done:
                player.result()
        finally:
            for task in (reader, player):
                task.cancel()
            await asyncio.gather(reader, player, return_exceptions=True)

    async def _rounds(self, socket: ClientConnection) -> None:
        lock = asyncio.Lock()
        tasks: set[asyncio.Task[None]] = set()
        try:
            rounds = itertools.count(1) if self.rounds is None else range(1, self.rounds + 1)
            for round_no in rounds:
                for conversation in self.script:
                    task = asyncio.create_task(self._converse(socket, lock, conversation, round_no))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                if self.rounds is not None and round_no == self.rounds:
                    break
                await asyncio.sleep(ROUND_S / self.speed)
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _converse(
        self, socket: ClientConnection, lock: asyncio.Lock, conversation: Scripted, round_no: int
    ) -> None:
        loop = asyncio.get_running_loop()
        begin = loop.time() + conversation.start_s / self.speed
        for serial, step in enumerate(conversation.steps, 1):
            delay = begin + step.at_s / self.speed - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            frame = json.dumps(event_for(conversation, step, round_no, serial), ensure_ascii=False)
            async with lock:
                try:
                    await socket.send(frame)
                except ConnectionClosed:
                    return  # the service is stopping; _play ends with the reader
                self.sent += 1

    async def _read(self, socket: ClientConnection) -> None:
        """Count rejections; returning (the service closed the socket) ends the play."""
        async for message in socket:
            reply = json.loads(message)
            if "error" in reply:
                self.rejected += 1
                log.warning("the service rejected a demo event: %s", reply["error"])
