"""The no-token rule: without tokens the service listens on loopback only.

A service holding every customer conversation must not be reachable from the network
without authentication. Starting with tokens configured, any address is allowed; without
them, only a loopback address, and asking for another one is refused with a message
that says what to do.
"""

from __future__ import annotations

import ipaddress

__all__ = ["bind_refusal", "is_loopback"]


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, has_tokens: bool) -> str | None:
    """Why binding ``host`` must be refused (``None`` when it may go ahead)."""
    if has_tokens or is_loopback(host):
        return None
    return (
        f"refusing to listen on {host} without tokens: anyone who can reach it would read "
        "every conversation. Set ASSIST_TOKENS='TOKEN=ROLE,...' (roles: ingest, supervisor, "
        "qa, agent:<id>) or rules/tokens.yaml, or bind to 127.0.0.1."
    )
