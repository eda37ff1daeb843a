"""End-to-end: a flood of customer messages does not hold a due alert back.

Before ingest was admitted in slices and NLP moved to workers, the event loop applied
every frame a connection had sent (up to 256 each) with its suggestions before the timer
driver ran again: under a flood, breach alerts came seconds late. The bound here is
generous on purpose — ``make bench`` measures the real figure (milliseconds); this test
shows only that the alert does not queue behind the flood.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect

from assist.core.timeutil import parse_ts
from tests.service.server import events_frame, receive_json, receive_until, run_server
from tests.service.test_live import event, fast_settings

pytestmark = pytest.mark.e2e

FRAMES_PER_SOCKET = 40
EVENTS_PER_FRAME = 100
GENEROUS_S = 1.0


def flood_frame(socket_no: int, frame_no: int) -> str:
    return events_frame(
        f"f{socket_no}-{frame_no}",
        f"flood-{socket_no}",
        EVENTS_PER_FRAME,
        "customer_message",
        "我170cm 130斤穿什么码",
        agent_id="a-flood",
    )


async def flood(socket: ClientConnection, socket_no: int) -> int:
    """Send every frame without waiting, then read every reply; the number acked."""
    frames = [flood_frame(socket_no, n) for n in range(FRAMES_PER_SOCKET)]
    for text in frames:
        await socket.send(text)
    acked = 0
    for _ in frames:
        replies = await receive_json(socket, timeout=120)
        acked += sum(1 for reply in replies if "ack" in reply)
    return acked


async def test_a_flood_of_customer_messages_does_not_hold_back_a_due_alert(
    tmp_path: Path,
) -> None:
    settings = fast_settings(tmp_path, greeting_s=1.0, reply_s=30, escalate_s=600, workers=1)
    async with (
        run_server(settings) as server,
        connect(server.ws + "/ws/supervisor?frames=alert") as board,
        connect(server.ws + "/ws/ingest") as sentinel,
        connect(server.ws + "/ws/ingest", max_size=None) as first,
        connect(server.ws + "/ws/ingest", max_size=None) as second,
    ):
        await receive_json(board)  # snapshot
        await sentinel.send(event("s-1", "customer_message", "sentinel", text="在吗"))
        assert await receive_json(sentinel) == {"ack": "s-1"}
        flooding = asyncio.gather(flood(first, 1), flood(second, 2))
        alert = await receive_until(
            board, lambda f: f.get("conversation_id") == "sentinel", timeout=60
        )
        received = datetime.now(UTC)
        acked = sum(await flooding)

    assert alert["kind"] == "greeting_breach"
    assert (received - parse_ts(alert["at"])).total_seconds() < GENEROUS_S
    assert acked == 2 * FRAMES_PER_SOCKET * EVENTS_PER_FRAME
