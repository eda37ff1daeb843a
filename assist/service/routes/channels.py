"""Frames out: ``ws /ws/agent/{agent_id}`` (that agent's conversations) and
``ws /ws/supervisor`` (all). Each opens with a snapshot, then streams live frames."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from assist.core.errors import ErrorCode, error_frame
from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.deps import MetricsDep, RuntimeDep
from assist.service.hub import FRAME_TYPES, SUPERVISOR_DEFAULT, encode_frame
from assist.service.metrics import Metrics
from assist.service.runtime import Runtime

__all__ = ["router"]

router = APIRouter()


def _wanted_types(query: str | None, default: frozenset[str]) -> frozenset[str] | None:
    """The frame types a channel asked for with ``?frames=``; ``None`` if malformed."""
    if query is None:
        return default
    if query == "all":
        return FRAME_TYPES
    types = frozenset(filter(None, query.split(",")))
    return types if types and types <= FRAME_TYPES else None


async def _serve_channel(
    websocket: WebSocket, runtime: Runtime, metrics: Metrics, agent_id: str | None
) -> None:
    await websocket.accept()
    default = FRAME_TYPES if agent_id else SUPERVISOR_DEFAULT
    types = _wanted_types(websocket.query_params.get("frames"), default)
    if types is None:
        message = f"frames must be 'all' or a comma list of {', '.join(sorted(FRAME_TYPES))}"
        await websocket.send_text(encode_frame(error_frame(ErrorCode.INVALID_QUERY, message)))
        await websocket.close(code=1008, reason="invalid frames parameter")
        return
    subscriber = runtime.hub.subscribe(agent_id, types)
    channel = "agent" if agent_id else "supervisor"
    metrics.subscribers.labels(channel).inc()

    async def watch_client() -> None:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass

    async def forward() -> None:
        await websocket.send_text(encode_frame(runtime.snapshot(agent_id)))
        await subscriber.forward(websocket.send_text)

    watcher = asyncio.create_task(watch_client())
    dropped = asyncio.create_task(subscriber.dropped.wait())
    sender = asyncio.create_task(forward())
    try:
        await asyncio.wait({watcher, dropped, sender}, return_when=asyncio.FIRST_COMPLETED)
        if dropped.done():
            await websocket.close(code=1013, reason="subscriber too slow; reconnect")
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        runtime.hub.unsubscribe(subscriber)
        metrics.subscribers.labels(channel).dec()
        for task in (watcher, dropped, sender):
            task.cancel()


@router.websocket("/ws/agent/{agent_id}", dependencies=[require(NeedKind.AGENT)])
async def ws_agent(
    websocket: WebSocket, agent_id: str, runtime: RuntimeDep, metrics: MetricsDep
) -> None:
    await _serve_channel(websocket, runtime, metrics, agent_id)


@router.websocket("/ws/supervisor", dependencies=[require(NeedKind.SUPERVISOR)])
async def ws_supervisor(websocket: WebSocket, runtime: RuntimeDep, metrics: MetricsDep) -> None:
    await _serve_channel(websocket, runtime, metrics, None)
