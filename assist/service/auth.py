"""Who may use a route: the gate every router and websocket passes, as FastAPI dependencies.

One :class:`Gate` per app holds the token table, the origin allow-list and the rate
limiter. ``Depends(require(NeedKind.READ))`` on a router checks, in order: the ``Origin``
(403), the token (401 missing or unknown, 403 wrong role), the rate (429). A refusal is
an :class:`AccessDenied` that :func:`access_denied_response` answers with the usual error
body — or, on a websocket, by accepting it and closing with 4401/4403/4429 after one
error frame, so a browser learns why (a handshake refused before accept reaches scripts
as a bare 1006).

Without tokens (loopback-only mode, see :mod:`assist.security.bind`) only the origin and
the rate are checked. Tokens are read from ``Authorization: Bearer`` or ``?token=``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from fastapi import Depends
from fastapi.requests import HTTPConnection
from fastapi.responses import JSONResponse, Response
from starlette.websockets import WebSocket, WebSocketState

from assist.core.errors import AccessDenied, ErrorCode, error_frame
from assist.security.bind import is_loopback
from assist.security.origins import origin_allowed, parse_origins
from assist.security.ratelimit import RateLimiter
from assist.security.roles import Need, NeedKind, Role, permits
from assist.security.tokens import TokenTable
from assist.service.metrics import Metrics
from assist.settings import Settings

__all__ = [
    "Gate",
    "access_denied_response",
    "presented_token",
    "require",
]


def presented_token(conn: HTTPConnection) -> str | None:
    """The bearer token of a request: the ``Authorization`` header, else ``?token=``."""
    header = conn.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return conn.query_params.get("token") or None


class Gate:
    """The app's access policy, built once from settings and the token table."""

    def __init__(
        self,
        settings: Settings,
        tokens: TokenTable,
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tokens = tokens
        self.allowed_origins = parse_origins(settings.allowed_origins)
        self.limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
        self.metrics = metrics
        self.clock = clock

    def _refuse(self, code: ErrorCode, message: str) -> AccessDenied:
        self.metrics.auth_refusals.labels(str(code)).inc()
        return AccessDenied(code, message)

    def admit(self, conn: HTTPConnection, need: Need) -> Role | None:
        """The caller's role (``None`` in no-token mode); raises :class:`AccessDenied`."""
        origin = conn.headers.get("origin")
        if not origin_allowed(
            origin, conn.headers.get("host"), conn.url.scheme, self.allowed_origins
        ):
            raise self._refuse(
                ErrorCode.FORBIDDEN,
                "this web origin may not use assist (add it to ASSIST_ALLOWED_ORIGINS)",
            )
        role: Role | None = None
        peer = conn.client.host if conn.client else None
        key = f"address:{peer or '?'}"
        if not self.tokens and peer is not None and not is_loopback(peer):
            # No tokens means this machine only, however the app came to be served
            # (`assist serve` refuses such a bind; `assist demo` or another server might not).
            raise self._refuse(
                ErrorCode.FORBIDDEN,
                "without ASSIST_TOKENS only this machine may use assist; set tokens to open it",
            )
        if self.tokens and need.kind is not NeedKind.OPEN:
            token = presented_token(conn)
            role = self.tokens.lookup(token)
            if role is None:
                message = "a token is required" if token is None else "unknown token"
                raise self._refuse(ErrorCode.UNAUTHORIZED, message)
            if not permits(role, need):
                raise self._refuse(ErrorCode.FORBIDDEN, f"role {role} may not use this")
            key = "token:" + hashlib.sha256((token or "").encode()).hexdigest()[:24]
        conn.state.rate_key = key
        self.check_rate(conn)
        return role

    def check_rate(self, conn: HTTPConnection) -> None:
        """Charge one request or frame to the caller; raises ``rate_limited`` when over."""
        key = getattr(conn.state, "rate_key", None) or "address:?"
        if not self.limiter.allow(key, self.clock()):
            self.metrics.rate_limited.inc()
            raise AccessDenied(ErrorCode.RATE_LIMITED, "too many requests; slow down")


def require(kind: NeedKind) -> Any:
    """A dependency admitting callers that may do ``kind``; for an agent's own resource
    the agent id comes from the path (``/panel/{agent_id}``) or the query (``?agent_id=``).
    """

    async def check(conn: HTTPConnection) -> Role | None:
        gate: Gate = conn.app.state.gate
        agent_id = None
        if kind is NeedKind.AGENT:
            agent_id = conn.path_params.get("agent_id") or conn.query_params.get("agent_id")
        return gate.admit(conn, Need(kind, agent_id))

    return Depends(check)


async def access_denied_response(conn: HTTPConnection, exc: Exception) -> Response | None:
    """The exception handler for :class:`AccessDenied`, HTTP and websocket alike."""
    assert isinstance(exc, AccessDenied)
    body = error_frame(exc.code, exc.message)
    if isinstance(conn, WebSocket):
        if conn.application_state is WebSocketState.CONNECTING:
            await conn.accept()
        if conn.application_state is WebSocketState.CONNECTED:
            await conn.send_json(body)
            await conn.close(code=exc.close_code, reason=exc.code.value)
        return None
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if exc.status == 429:
        headers = {"Retry-After": "1"}
    return JSONResponse(body, status_code=exc.status, headers=headers)
