"""Events in: ``POST /api/events`` and ``ws /ws/ingest``; acknowledged after the commit."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response

from assist.core.errors import AccessDenied, InvalidEvent, error_frame
from assist.core.events import EventType
from assist.security.roles import NeedKind
from assist.service.auth import Gate, require
from assist.service.body import body_refusal, read_json_body
from assist.service.deps import MetricsDep, RuntimeDep, SettingsDep
from assist.service.hub import encode_frame

__all__ = ["router"]

router = APIRouter(dependencies=[require(NeedKind.INGEST)])

# The body is read raw (streamed, size-checked) rather than through a model, so that every
# event of an array gets its own answer; this describes it for the OpenAPI document.
_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "type", "conversation_id"],
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string", "enum": [kind.value for kind in EventType]},
        "conversation_id": {"type": "string"},
        "customer_id": {"type": "string"},
        "agent_id": {"type": "string"},
        "ts": {"type": "string", "description": "ISO-8601 with offset, or epoch ms"},
        "text": {"type": "string"},
        "product_id": {"type": "string"},
        "order_id": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
    },
}
_INGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [_EVENT_SCHEMA, {"type": "array", "items": _EVENT_SCHEMA}]}
            }
        },
    }
}


@router.post("/api/events", openapi_extra=_INGEST_BODY)
async def post_events(
    request: Request, runtime: RuntimeDep, metrics: MetricsDep, settings: SettingsDep
) -> Response:
    """One event or a JSON array; answered after the accepted events are stored."""
    started = time.perf_counter()
    try:
        body = await read_json_body(request, settings.max_body_bytes)
    except InvalidEvent as exc:
        metrics.errors.labels(exc.code).inc()
        return body_refusal(exc)
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

    Each frame is charged to the sender's rate limit; one over it is answered with a
    ``rate_limited`` error (nothing of it applied) and the socket stays up.
    """
    gate: Gate = websocket.app.state.gate
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
            try:
                gate.check_rate(websocket)
            except AccessDenied as exc:
                metrics.errors.labels(exc.code).inc()
                refused = asyncio.get_running_loop().create_future()
                refused.set_result(None)
                await pipeline.put((error_frame(exc.code, exc.message), refused, started))
                continue
            replies, committed = await runtime.admit(raw)
            await pipeline.put((replies, committed, started))
    except WebSocketDisconnect:
        pass
    finally:
        with contextlib.suppress(asyncio.QueueFull):
            pipeline.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sender, 30)
