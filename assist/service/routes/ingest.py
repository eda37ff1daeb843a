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

# Frames waiting for their commit per ingest connection; beyond this the reader pauses,
# which pushes back on the sender instead of growing memory.
_INGEST_PIPELINE = 256


@router.post("/api/events")
async def post_events(request: Request, runtime: RuntimeDep, metrics: MetricsDep) -> Response:
    """One event or a JSON array; answered after the accepted events are stored."""
    started = time.perf_counter()
    body = await request.body()
    replies, committed = runtime.ingest(body)
    await committed
    metrics.ack_latency.observe(time.perf_counter() - started)
    answers = replies if isinstance(replies, list) else [replies]
    failed = any("error" in answer for answer in answers)
    return JSONResponse(replies, status_code=422 if failed else 200)


@router.websocket("/ws/ingest")
async def ws_ingest(websocket: WebSocket, runtime: RuntimeDep, metrics: MetricsDep) -> None:
    """Frames in; per frame one reply (an array for an array), after the commit."""
    await websocket.accept()
    pipeline: asyncio.Queue[tuple[Any, asyncio.Future[None], float] | None] = asyncio.Queue(
        _INGEST_PIPELINE
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
            replies, committed = runtime.ingest(raw)
            await pipeline.put((replies, committed, started))
    except WebSocketDisconnect:
        pass
    finally:
        with contextlib.suppress(asyncio.QueueFull):
            pipeline.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sender, 30)
