"""The ``Origin`` allow-list for websockets and pages (cross-site websocket hijacking).

A browser always says where a page came from; a page on another site must not open
``/ws/supervisor`` or post events to a service on ``localhost`` with the user's network
position. The service's own origin is always allowed, plus ``ASSIST_ALLOWED_ORIGINS``
(comma list of ``scheme://host[:port]``, ``*`` for any). A request without ``Origin`` is
not from a web page's script and is judged by its token alone.
"""

from __future__ import annotations

__all__ = ["origin_allowed", "parse_origins"]


def _normal(origin: str) -> str:
    origin = origin.strip().rstrip("/").lower()
    for scheme, port in (("http://", ":80"), ("https://", ":443")):
        if origin.startswith(scheme) and origin.endswith(port):
            return origin[: -len(port)]
    return origin


def parse_origins(text: str) -> frozenset[str]:
    return frozenset(_normal(o) for o in text.split(",") if o.strip())


def origin_allowed(
    origin: str | None, host: str | None, scheme: str, allowed: frozenset[str]
) -> bool:
    """Whether a request with ``Origin: origin`` to ``Host: host`` may proceed.

    ``scheme`` is ``http`` or ``https`` (``ws``/``wss`` are mapped) for the own origin.
    """
    if origin is None:
        return True
    seen = _normal(origin)
    if "*" in allowed or seen in allowed:
        return True
    if host:
        web_scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
        return seen == _normal(f"{web_scheme}://{host}")
    return False
