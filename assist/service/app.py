"""The FastAPI application, assembled: settings, store, runtime, routers, error handlers.

``create_app`` only puts parts together; the routes live in :mod:`assist.service.routes`
and reach the runtime through the typed dependencies of :mod:`assist.service.deps`.
Settings are passed in, never read at import, so every test builds its own app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assist import __version__
from assist.assembly import load_tokens
from assist.core.errors import AccessDenied
from assist.service.auth import Gate, access_denied_response
from assist.service.errors import install_error_handlers
from assist.service.headers import SecurityHeaders
from assist.service.metrics import Metrics
from assist.service.routes import ROUTERS
from assist.service.routes.pages import STATIC
from assist.service.runtime import Runtime, utc_now
from assist.settings import Settings, load_settings
from assist.store.database import migrate, open_database

__all__ = ["create_app"]

log = logging.getLogger("assist.service")


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
        docs_url=None,  # routes/pages.py serves /docs from vendored assets, not a CDN
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.gate = Gate(settings, load_tokens(settings), metrics)
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    # More specific than the AssistError handler, and for websockets too (Starlette
    # types the two connection kinds apart, hence the ignore).
    app.add_exception_handler(AccessDenied, access_denied_response)  # type: ignore[arg-type]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    return app
