"""The HTTP and websocket routes, one router per concern; ``create_app`` includes them."""

from __future__ import annotations

from assist.service.routes import board, channels, chatwoot, health, ingest, pages, qa, stats

__all__ = ["ROUTERS"]

ROUTERS = (
    ingest.router,
    channels.router,
    stats.router,
    board.router,
    qa.router,
    pages.router,
    health.router,
    chatwoot.router,
)
