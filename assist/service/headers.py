"""Response headers that keep tokens and pages from leaking: a small pure ASGI middleware.

Pages are opened with ``?token=`` in their URL; ``Referrer-Policy: no-referrer`` keeps the
browser from sending that URL to any site a page links to or loads from.
``X-Content-Type-Options: nosniff`` stops a browser from running a JSON or CSV answer as
a script. No ``X-Frame-Options``: the agent panel is meant to sit in Chatwoot's iframe.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders"]

_HEADERS = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
