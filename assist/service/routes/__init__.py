"""The HTTP and websocket routes, one router per concern; ``create_app`` includes them."""

from __future__ import annotations

from assist.service.routes import channels, health, ingest, pages, qa, stats

__all__ = ["ROUTERS"]

ROUTERS = (
    ingest.router,
    channels.router,
    stats.router,
    qa.router,
    pages.router,
    health.router,
)
