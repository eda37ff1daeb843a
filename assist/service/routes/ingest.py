"""Events in: ``POST /api/events`` and ``ws /ws/ingest``; acknowledged after the commit."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response

from assist.service.deps import MetricsDep, RuntimeDep
from assist.service.hub import encode_frame

__all__ = ["router"]

router = APIRouter()


@router.post("/api/events")
async def post_events(request: Request, runtime: RuntimeDep, metrics: MetricsDep) -> Response:
    """One event or a JSON array; answered after the accepted events are stored."""
    started = time.perf_counter()
    body = await request.body()
    replies, committed = await runtime.admit(body)
    await committed
    metrics.ack_latency.observe(time.perf_counter() - started)
    answers = replies if isinstance(replies, list) else [replies]
    failed = any("error" in answer for answer in answers)
    return JSONResponse(replies, status_code=422 if failed else 200)


@router.websocket("/ws/ingest")
async def ws_ingest(websocket: WebSocket, runtime: RuntimeDep, metrics: MetricsDep) -> None:
    """Frames in; per frame one reply (an array for an array), after the commit.

    At most ``ingest_in_flight`` frames per connection wait for their commit; beyond that
    the connection is not read, which slows the sender down (TCP back-pressure). Each
    wait lasts about one commit, well inside the keepalive timeout, so the paused
    connection's pings are still answered in time and it is never closed for it.
    """
    await websocket.accept()
    pipeline: asyncio.Queue[tuple[Any, asyncio.Future[None], float] | None] = asyncio.Queue(
        runtime.settings.ingest_in_flight
    )

    async def send_replies() -> None:
        while (item := await pipeline.get()) is not None:
            content, committed, started = item
            await committed
            metrics.ack_latency.observe(time.perf_counter() - started)
            await websocket.send_text(encode_frame(content))

    sender = asyncio.create_task(send_replies())
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            raw = message.get("text")
            if raw is None:
                raw = message.get("bytes") or b""
            started = time.perf_counter()
            replies, committed = await runtime.admit(raw)
            await pipeline.put((replies, committed, started))
    except WebSocketDisconnect:
        pass
    finally:
        with contextlib.suppress(asyncio.QueueFull):
            pipeline.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sender, 30)
