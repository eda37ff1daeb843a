"""The pages assist serves itself (no CDN): the agent side panel and the supervisor board."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from assist.security.roles import NeedKind
from assist.service.auth import require

__all__ = ["STATIC", "router"]

STATIC = Path(__file__).resolve().parents[2] / "static"

router = APIRouter(include_in_schema=False)


@router.get("/panel/{agent_id}", dependencies=[require(NeedKind.AGENT)])
async def agent_panel(agent_id: str) -> FileResponse:
    """The agent side panel: countdowns, suggestions and lint for one agent."""
    return FileResponse(STATIC / "panel.html")


@router.get("/supervisor", dependencies=[require(NeedKind.SUPERVISOR)])
async def supervisor_board() -> FileResponse:
    """The supervisor board: waiting customers and live alerts."""
    return FileResponse(STATIC / "supervisor.html")
