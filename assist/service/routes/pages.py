"""The pages people open: landing, agent side panel, supervisor board, and ``/docs``.

Every asset is served by assist itself (``/static``, Swagger UI vendored under
``static/vendor``), so the pages work on a shop's offline network. Pages get the shop's
time zone in a ``<meta>`` tag: times are shown as the shop reads its clock, not UTC.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.deps import RuntimeDep
from assist.service.runtime import Runtime

__all__ = ["STATIC", "router"]

STATIC = Path(__file__).resolve().parents[2] / "static"
_SWAGGER = "/static/vendor/swagger-ui"

router = APIRouter(include_in_schema=False)


def _page(name: str, runtime: Runtime, **values: str) -> HTMLResponse:
    """A page from ``static/`` with ``{{name}}`` placeholders filled in (HTML-escaped)."""
    text = (STATIC / name).read_text(encoding="utf-8")
    values = {"timezone": runtime.engine.config.service_hours.timezone, **values}
    for key, value in values.items():
        text = text.replace(
            "{{" + key + "}}", value if key.endswith("_html") else html.escape(value)
        )
    return HTMLResponse(text, headers={"Cache-Control": "no-cache"})


def _active_agents(runtime: Runtime) -> list[str]:
    return sorted({c.agent_id for c in runtime.engine.open_conversations() if c.agent_id})


@router.get("/", dependencies=[require(NeedKind.OPEN)])
async def landing(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """Links to the board, each active agent's panel, the QA page and the API docs.

    With tokens configured the page is still open, so it names no agents: each agent
    opens the panel address (with its token) the shop gave them."""
    if request.app.state.gate.tokens:
        note = '<p class="empty">已启用令牌：请用带 ?token= 的地址打开自己的侧边栏。</p>'
        return _page("index.html", runtime, agents_html=note)
    agents = _active_agents(runtime)
    items = "".join(
        f'<li><a class="page-link" href="/panel/{quote(agent, safe="")}" data-keep-token>'
        f"{html.escape(agent)}</a></li>"
        for agent in agents
    )
    listing = (
        f'<ul class="agents">{items}</ul>'
        if agents
        else '<p class="empty">暂无进行中的会话。客服收到顾客消息后，这里会列出他的侧边栏。</p>'
    )
    return _page("index.html", runtime, agents_html=listing)


@router.get("/panel/{agent_id}", dependencies=[require(NeedKind.AGENT)])
async def agent_panel(agent_id: str, runtime: RuntimeDep) -> HTMLResponse:
    """The agent side panel: countdowns, the customer's words, suggestions and lint."""
    return _page("panel.html", runtime)


@router.get("/supervisor", dependencies=[require(NeedKind.SUPERVISOR)])
async def supervisor_board(runtime: RuntimeDep) -> HTMLResponse:
    """The supervisor board: waiting customers, live alerts, waiting times of the hour."""
    return _page("supervisor.html", runtime)


@router.get("/docs")
async def swagger_docs(request: Request) -> HTMLResponse:
    """Swagger UI from the vendored copy (no CDN: shops often run assist offline)."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="assist — 坐席助手 · API",
        swagger_js_url=f"{_SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{_SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{_SWAGGER}/favicon-32x32.png",
    )
