"""The FastAPI application: ingest, channels, stats and health, built by ``create_app``.

Routes are thin: they parse and answer; the :class:`Runtime` does the work. Settings are
passed in, never read at import, so every test builds its own app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from assist import __version__
from assist.service.hub import FRAME_TYPES, SUPERVISOR_DEFAULT, encode_frame
from assist.service.ingest_schema import INGEST_OPENAPI
from assist.service.metrics import Metrics
from assist.service.routes_board import router as board_router
from assist.service.routes_pages import STATIC
from assist.service.routes_pages import router as pages_router
from assist.service.routes_stats import QueryError, query_error_response
from assist.service.routes_stats import router as stats_router
from assist.service.runtime import Runtime, utc_now
from assist.settings import Settings, load_settings
from assist.store.database import migrate, open_database

__all__ = ["create_app"]

log = logging.getLogger("assist.service")
# Frames waiting for their commit per ingest connection; beyond this the reader pauses,
# which pushes back on the sender instead of growing memory.
_INGEST_PIPELINE = 256


def create_app(
    settings: Settings | None = None, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    """Build the app; ``clock`` is the service's notion of now (tests pass their own)."""
    settings = settings or load_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = open_database(settings.db_url)
        await migrate(database)
        runtime = Runtime(settings, database, metrics, clock)
        await runtime.start()
        app.state.runtime = runtime
        app.state.database = database
        log.info("assist %s serving on %s", __version__, settings.db_url.split("@")[-1])
        try:
            yield
        finally:
            await runtime.stop()
            await database.dispose()

    app = FastAPI(
        title="assist — 坐席助手",
        version=__version__,
        description="Real-time chat assist for shop customer service: SLA timers, "
        "reply suggestions, agent-message lint, per-agent statistics.",
        lifespan=lifespan,
        docs_url=None,  # served by routes_pages from vendored assets, not a CDN
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.include_router(stats_router)
    app.include_router(pages_router)
    app.include_router(board_router)
    app.add_exception_handler(QueryError, query_error_response)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        healthy = runtime.persister.healthy
        body = {
            "status": "ok" if healthy else "degraded",
            "store": "ok" if healthy else "failing",
            "open_conversations": len(runtime.engine.open_conversations()),
            "pending_rows": runtime.persister.pending,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/api/events", openapi_extra=INGEST_OPENAPI)
    async def post_events(request: Request) -> Response:
        """One event or a JSON array; answered after the accepted events are stored."""
        runtime: Runtime = request.app.state.runtime
        started = time.perf_counter()
        body = await request.body()
        replies, committed = runtime.ingest(body)
        await committed
        metrics.ack_latency.observe(time.perf_counter() - started)
        answers = replies if isinstance(replies, list) else [replies]
        failed = any("error" in answer for answer in answers)
        return JSONResponse(replies, status_code=422 if failed else 200)

    @app.websocket("/ws/ingest")
    async def ws_ingest(websocket: WebSocket) -> None:
        """Frames in; per frame one reply (an array for an array), after the commit."""
        runtime: Runtime = websocket.app.state.runtime
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

    async def serve_channel(websocket: WebSocket, agent_id: str | None) -> None:
        runtime: Runtime = websocket.app.state.runtime
        await websocket.accept()
        default = FRAME_TYPES if agent_id else SUPERVISOR_DEFAULT
        wanted = websocket.query_params.get("frames")
        types = default if wanted is None else frozenset(filter(None, wanted.split(",")))
        if wanted == "all":
            types = FRAME_TYPES
        if not types or not types <= FRAME_TYPES:
            message = f"frames must be 'all' or a comma list of {', '.join(sorted(FRAME_TYPES))}"
            error = {"error": {"code": "invalid_query", "message": message}}
            await websocket.send_text(encode_frame(error))
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
            queue = subscriber.queue
            while True:
                await websocket.send_text(await queue.get())

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

    @app.websocket("/ws/agent/{agent_id}")
    async def ws_agent(websocket: WebSocket, agent_id: str) -> None:
        await serve_channel(websocket, agent_id)

    @app.websocket("/ws/supervisor")
    async def ws_supervisor(websocket: WebSocket) -> None:
        await serve_channel(websocket, None)

    return app
