"""Optional write-back: the top suggestion for a Chatwoot conversation, as a private note.

Listens on the hub like a supervisor board that wants suggestion frames only, so it needs
no hook in the engine or the runtime, and takes the suggestions however they are made
(inline or in the NLP worker pool). Reading frames never waits on Chatwoot: each note is
posted by its own short task (a few at a time), the limiter caps the rate, and any failure
is logged and counted — never raised into the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from prometheus_client import Counter

from assist.integrations.chatwoot.notes import Note, NoteLimiter, note_for
from assist.service.hub import Hub
from assist.service.metrics import Metrics
from assist.settings import Settings

__all__ = ["NoteWriter"]

log = logging.getLogger("assist.chatwoot")
_TIMEOUT_S = 5.0
_MAX_IN_FLIGHT = 4
_WANTED = frozenset({"suggestion"})


class NoteWriter:
    def __init__(
        self,
        base_url: str,
        api_token: str,
        hub: Hub,
        limiter: NoteLimiter,
        clock: Callable[[], datetime],
        outcomes: Counter,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._token = api_token
        self._hub = hub
        self._limiter = limiter
        self._clock = clock
        self._outcomes = outcomes
        self._client = httpx.AsyncClient(timeout=_TIMEOUT_S, follow_redirects=False)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, hub: Hub, clock: Callable[[], datetime], metrics: Metrics
    ) -> NoteWriter | None:
        """A writer if both ``ASSIST_CHATWOOT_URL`` and ``ASSIST_CHATWOOT_API_TOKEN`` are set."""
        if not settings.chatwoot_url or settings.chatwoot_api_token is None:
            return None
        limiter = NoteLimiter(
            timedelta(seconds=settings.chatwoot_note_interval_s),
            settings.chatwoot_notes_per_minute,
        )
        outcomes = Counter(
            "assist_chatwoot_notes",
            "Suggestions written back to Chatwoot as private notes, by outcome",
            ["outcome"],
            registry=metrics.registry,
        )
        token = settings.chatwoot_api_token.get_secret_value()
        return cls(settings.chatwoot_url, token, hub, limiter, clock, outcomes)

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="assist-chatwoot-notes")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._in_flight) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._client.aclose()

    async def _listen(self) -> None:
        # A reading subscriber is never dropped by the hub; when this one falls behind,
        # its oldest suggestions are shed — skipped notes, never a stalled service.
        subscriber = self._hub.subscribe(None, _WANTED)
        try:
            while True:
                frame = json.loads(await subscriber.next())
                try:
                    self._consider(frame)
                except Exception:  # one odd frame must not end the write-back
                    log.exception("no Chatwoot note for this suggestion")
        finally:
            self._hub.unsubscribe(subscriber)

    def _consider(self, frame: dict[str, object]) -> None:
        note = note_for(frame)
        if note is None:
            return
        if len(self._in_flight) >= _MAX_IN_FLIGHT or not self._limiter.allow(
            note.assist_conversation_id, self._clock()
        ):
            self._outcomes.labels("limited").inc()
            return
        task = asyncio.create_task(self._post(note))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _post(self, note: Note) -> None:
        url = self._base + note.path()
        try:
            response = await self._client.post(
                url, json=note.body(), headers={"api_access_token": self._token}
            )
        except httpx.HTTPError as exc:
            self._outcomes.labels("failed").inc()
            log.warning("chatwoot note for %s not posted: %r", note.assist_conversation_id, exc)
            return
        if response.is_success:
            self._outcomes.labels("sent").inc()
            return
        self._outcomes.labels("failed").inc()
        log.warning(
            "chatwoot note for %s refused: HTTP %d %s",
            note.assist_conversation_id,
            response.status_code,
            response.text[:200],
        )
