"""``POST /webhooks/chatwoot``: Chatwoot deliveries in, through the same ingest as the websocket.

The delivery is its own credential: with ``ASSIST_CHATWOOT_SECRET`` set it must carry a
valid, fresh signature over the raw body (401 otherwise); without a secret only loopback
peers are heard. A repeated ``X-Chatwoot-Delivery`` is answered without applying anything.
The mapped events are applied by the runtime at once — timers, suggestions and lint go out
before the answer — and the answer waits (briefly: Chatwoot gives up after 5 s) for them
to be stored. Kinds assist does not use are answered 200 ``{"ignored": why}`` so Chatwoot
never counts them as failures.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from starlette.requests import HTTPConnection

from assist.core.errors import ErrorCode, InvalidEvent, error_frame
from assist.integrations.chatwoot import DeliveryLog, SignatureError, map_payload, verify
from assist.security.bind import is_loopback
from assist.security.roles import NeedKind
from assist.service.auth import require
from assist.service.body import body_refusal, read_json_body
from assist.service.chatwoot_notes import NoteWriter
from assist.service.deps import RuntimeDep
from assist.service.metrics import Metrics
from assist.service.runtime import Runtime
from assist.settings import Settings

__all__ = ["MAX_BODY_BYTES", "ChatwootWebhook", "router"]

log = logging.getLogger("assist.chatwoot")

# Real deliveries are a few kB (a message plus its conversation); this is ample headroom.
MAX_BODY_BYTES = 1024 * 1024
# Below Chatwoot's own 5 s timeout, so a slow store never turns an accepted delivery
# into a failure on Chatwoot's side; the events are applied and queued by then anyway.
_STORE_WAIT_S = 3.0
_MAX_DELIVERY_ID = 100


def _is_loopback(request: Request) -> bool:
    return request.client is not None and is_loopback(request.client.host)


def _delivery_id(request: Request) -> str | None:
    value = request.headers.get("x-chatwoot-delivery", "").strip()
    if not value or len(value) > _MAX_DELIVERY_ID or not value.isascii() or not value.isprintable():
        return None
    return value


class ChatwootWebhook:
    """Per-app state of the webhook: the delivery log and its outcome counter."""

    def __init__(self, settings: Settings, metrics: Metrics, clock: Callable[[], datetime]):
        self._settings = settings
        self._clock = clock
        self._deliveries = DeliveryLog()
        self._outcomes = Counter(
            "assist_chatwoot_deliveries",
            "Chatwoot webhook deliveries, by outcome",
            ["outcome"],
            registry=metrics.registry,
        )

    def _answer(self, outcome: str, status: int, body: dict[str, Any]) -> JSONResponse:
        self._outcomes.labels(outcome).inc()
        return JSONResponse(body, status_code=status)

    def _refuse(self, status: int, code: ErrorCode, message: str) -> JSONResponse:
        outcome = "unauthorized" if status == 401 else "invalid"
        log.warning("chatwoot delivery refused (%d): %s", status, message)
        return self._answer(outcome, status, error_frame(code, message))

    def _authenticate(self, request: Request, body: bytes) -> JSONResponse | None:
        secret = self._settings.chatwoot_secret
        if secret is None:
            if _is_loopback(request):
                return None
            message = "ASSIST_CHATWOOT_SECRET is not set: only loopback peers may post"
            return self._refuse(401, ErrorCode.UNAUTHORIZED, message)
        try:
            verify(
                secret.get_secret_value(),
                body,
                signature=request.headers.get("x-chatwoot-signature"),
                timestamp=request.headers.get("x-chatwoot-timestamp"),
                now=self._clock(),
            )
        except SignatureError as exc:
            return self._refuse(401, exc.code, exc.message)
        return None

    async def receive(self, request: Request, runtime: Runtime) -> JSONResponse:
        """Verify, de-duplicate, map and apply one Chatwoot delivery."""
        try:
            body = await read_json_body(request, MAX_BODY_BYTES)
        except InvalidEvent as exc:
            self._outcomes.labels("invalid").inc()
            return body_refusal(exc)
        refused = self._authenticate(request, body)
        if refused is not None:
            return refused
        delivery = _delivery_id(request)
        if delivery is not None and delivery in self._deliveries:
            return self._answer("duplicate", 200, {"duplicate": True, "delivery": delivery})
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return self._refuse(422, ErrorCode.INVALID_JSON, f"not valid JSON: {exc}")
        try:
            mapped = map_payload(
                payload,
                delivery_id=delivery,
                default_account_id=self._settings.chatwoot_account_id,
                product_attribute=self._settings.chatwoot_product_attribute,
            )
        except InvalidEvent as exc:
            return self._refuse(422, exc.code, exc.message)
        if not mapped.events:
            if delivery is not None:
                self._deliveries.add(delivery)
            return self._answer("ignored", 200, {"ignored": mapped.ignored})
        return await self._apply(runtime, mapped.events, delivery)

    async def _apply(
        self, runtime: Runtime, events: list[dict[str, Any]], delivery: str | None
    ) -> JSONResponse:
        """Hand the events, as one array frame, to the ingest the websocket uses.

        The delivery id is recorded before the first wait (ingest may wait for room in
        the NLP queue), so a retry arriving meanwhile is a duplicate, not a second copy.
        """
        if delivery is not None:
            self._deliveries.add(delivery)
        replies, committed = await runtime.admit(json.dumps(events, ensure_ascii=False))
        errors = [reply for reply in replies if "error" in reply]
        if errors:
            if delivery is not None:
                self._deliveries.discard(delivery)
            log.error("chatwoot delivery mapped to events ingest refused: %s", errors)
            return self._answer("invalid", 422, errors[0])
        try:
            await asyncio.wait_for(asyncio.shield(committed), _STORE_WAIT_S)
        except TimeoutError:
            log.warning("chatwoot delivery applied; the store has not confirmed it yet")
            return self._answer("accepted", 202, {"events": replies, "stored": False})
        return self._answer("accepted", 200, {"events": replies, "stored": True})


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs inside the app's own lifespan, so the runtime exists by now."""
    runtime: Runtime = app.state.runtime
    settings: Settings = app.state.settings
    metrics: Metrics = app.state.metrics
    app.state.chatwoot = ChatwootWebhook(settings, metrics, runtime.clock)
    writer = NoteWriter.from_settings(settings, runtime.hub, runtime.clock, metrics)
    if writer is not None:
        writer.start()
        log.info("chatwoot write-back on: suggestions become private notes")
    try:
        yield
    finally:
        if writer is not None:
            await writer.stop()


def _get_webhook(connection: HTTPConnection) -> ChatwootWebhook:
    webhook: ChatwootWebhook = connection.app.state.chatwoot
    return webhook


WebhookDep = Annotated[ChatwootWebhook, Depends(_get_webhook)]

# Open (the signature is the credential), but under the gate's origin check — a web page
# cannot post here from a browser — and its per-address rate limit.
router = APIRouter(lifespan=_lifespan, dependencies=[require(NeedKind.OPEN)])


@router.post("/webhooks/chatwoot", summary="Chatwoot webhook (signed with ASSIST_CHATWOOT_SECRET)")
async def chatwoot_webhook(
    request: Request, runtime: RuntimeDep, webhook: WebhookDep
) -> JSONResponse:
    """A Chatwoot delivery: 200 applied or ignored, 401 bad signature, 413/422 bad body."""
    return await webhook.receive(request, runtime)
