"""The live service's heart: one engine, its timer driver, fan-out and persistence.

Everything here runs on one event loop, so the engine (plain synchronous code) needs no
locks. ``ingest`` applies events at once — timers, suggestions and lint frames go out
before the database has seen them — and returns a future for the commit that the ack
waits on. The timer driver sleeps exactly until the engine's next deadline, or until an
ingest may have brought an earlier one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from assist.assembly import build_engine, load_linter, load_sla, load_suggester, watched_files
from assist.core.errors import InvalidEvent, RulesError
from assist.core.outputs import (
    Alert,
    AlertKind,
    ConversationChange,
    Frame,
    LintReport,
    Output,
    Suggestion,
    TimerUpdate,
)
from assist.core.protocol import ack_frame, decode_frame_shaped
from assist.core.sla.conversation import Conversation
from assist.core.suggest.catalog import Catalog
from assist.core.suggest.suggester import Suggester
from assist.core.timeutil import format_ts, seconds_between
from assist.service.hub import Hub, Subscriber
from assist.service.metrics import Metrics
from assist.service.persister import Persister
from assist.settings import Settings
from assist.store.catalog import load_catalog
from assist.store.tables import (
    CatalogProductRow,
    CatalogVariantRow,
    ConversationRow,
    EventRow,
)

__all__ = ["Runtime", "conversation_view", "utc_now"]

log = logging.getLogger("assist.service")
_FRAMES = (TimerUpdate, Alert, LintReport, Suggestion, ConversationChange)
_EVICT_EVERY_S = 600.0
_TIMER_ALERTS = frozenset({AlertKind.GREETING_BREACH, AlertKind.REPLY_BREACH, AlertKind.ESCALATION})


def utc_now() -> datetime:
    return datetime.now(UTC)


def conversation_view(conversation: Conversation, now: datetime) -> dict[str, Any]:
    """How a conversation appears in a snapshot frame: who, and where its timer stands."""
    view: dict[str, Any] = {
        "conversation_id": conversation.id,
        "agent_id": conversation.agent_id,
        "customer_id": conversation.customer_id,
        "phase": conversation.phase.value,
        "timer": None,
    }
    wait = conversation.wait
    if wait is not None:
        if wait.breached:
            state = "breached"
        elif wait.warned:
            state = "warning"
        else:
            state = "running"
        view["timer"] = {
            "kind": wait.kind.value,
            "state": state,
            "started_at": format_ts(wait.started_at),
            "deadline": format_ts(wait.deadline),
            "waited_s": max(0.0, seconds_between(wait.started_at, now)),
        }
    return view


class Runtime:
    def __init__(
        self,
        settings: Settings,
        database: AsyncEngine,
        metrics: Metrics,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.database = database
        self.metrics = metrics
        self.clock = clock
        self.engine = build_engine(settings)
        self.catalog = Catalog.empty()
        self._catalog_signature: tuple[object, ...] | None = None
        self.hub = Hub(settings.subscriber_queue, on_drop=self._dropped)
        self.persister = Persister(database, metrics)
        self._timer_wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._rule_signature = self._signature()
        metrics.open_conversations.set_function(lambda: len(self.engine.open_conversations()))

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self._restore()
        await self.refresh_catalog()
        self.persister.start()
        self._dispatch(self.engine.advance(self.clock()), None)
        self._tasks = [asyncio.create_task(self._drive_timers(), name="assist-timers")]
        if self.settings.reload_interval_s > 0:
            self._tasks.append(asyncio.create_task(self._watch_rules(), name="assist-reload"))
        self._tasks.append(asyncio.create_task(self._evict(), name="assist-evict"))
        # Rules, jieba's dictionary and the restored conversations are long-lived: moved
        # out of the collector's reach, a full collection no longer walks them, which
        # would otherwise stall the loop (and every due timer) for ~100 ms at a time.
        gc.collect()
        gc.freeze()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.persister.close()

    async def _restore(self) -> None:
        """Rebuild recent conversations and the ids already applied, from the store."""
        now = self.clock()
        since = now - timedelta(seconds=self.settings.evict_closed_after_s)
        idle_since = now - timedelta(seconds=self.settings.evict_idle_after_s)
        async with self.database.connect() as connection:
            rows = await connection.execute(
                select(ConversationRow.id, ConversationRow.state).where(
                    (ConversationRow.updated_at >= since)
                    | (
                        ConversationRow.is_open.is_(True)
                        & (ConversationRow.updated_at >= idle_since)
                    )
                )
            )
            self.engine.restore((row.id, row.state) for row in rows)
            ids = await connection.execute(
                select(EventRow.id)
                .where(EventRow.ts >= since - timedelta(days=1))
                .order_by(EventRow.ts.desc())
                .limit(500_000)
            )
            self.engine.remember_ids(row.id for row in ids)
        log.info("restored %d conversations", len(self.engine.conversations))

    # -- ingest ----------------------------------------------------------------------

    def ingest(self, raw: str | bytes) -> tuple[Any, asyncio.Future[None]]:
        """Apply one frame; return its reply and the future of its commit.

        The reply is one object for an object frame and an array (one element per event,
        in order) for an array frame; a frame that is not JSON at all gets one error.
        """
        received_at = self.clock()
        replies: list[dict[str, Any]] = []
        outputs: list[Output] = []
        before = self.engine.next_deadline()
        items, is_batch = decode_frame_shaped(raw, received_at)
        for item in items:
            if isinstance(item, InvalidEvent):
                self.metrics.errors.labels(item.code).inc()
                replies.append(item.to_frame())
                continue
            result = self.engine.handle(item, received_at)
            if result.duplicate:
                self.metrics.duplicates.inc()
            else:
                self.metrics.events.labels(item.type.value).inc()
            replies.append(ack_frame(item.id, duplicate=result.duplicate))
            outputs.extend(result.outputs)
        done = self._dispatch(outputs, received_at)
        after = self.engine.next_deadline()
        if after is not None and (before is None or after < before):
            self._timer_wake.set()
        return (replies if is_batch else replies[0]), done

    def _dispatch(
        self, outputs: Iterable[Output], received_at: datetime | None
    ) -> asyncio.Future[None]:
        outputs = list(outputs)
        for output in outputs:
            if isinstance(output, _FRAMES):
                self._publish(output)
        return self.persister.submit(outputs, received_at)

    def _publish(self, frame: Frame) -> None:
        if isinstance(frame, Alert):
            self.metrics.alerts.labels(frame.kind.value).inc()
            if frame.kind in _TIMER_ALERTS:
                late = (self.clock() - frame.at).total_seconds()
                self.metrics.alert_lateness.observe(max(0.0, late))
        self.hub.publish(frame.to_frame(), frame.agent_id)

    # -- timers ----------------------------------------------------------------------

    async def _drive_timers(self) -> None:
        while True:
            deadline = self.engine.next_deadline()
            timeout = None
            if deadline is not None:
                timeout = (deadline - self.clock()).total_seconds()
            if timeout is None or timeout > 0:
                self._timer_wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._timer_wake.wait(), timeout)
            outputs = self.engine.advance(self.clock())
            if outputs:
                self._dispatch(outputs, None)
            elif timeout is not None and timeout <= 0:
                # Exactly at the deadline nothing is due yet (it must pass first).
                await asyncio.sleep(0.001)

    # -- subscribers -----------------------------------------------------------------

    def snapshot(self, agent_id: str | None) -> dict[str, Any]:
        now = self.clock()
        conversations = [
            conversation_view(c, now)
            for c in self.engine.open_conversations()
            if agent_id is None or c.agent_id == agent_id
        ]
        return {"type": "snapshot", "at": format_ts(now), "conversations": conversations}

    def _dropped(self, subscriber: Subscriber) -> None:
        self.metrics.dropped_subscribers.inc()
        log.warning("dropped a slow subscriber (agent %s)", subscriber.agent_id or "supervisor")

    # -- housekeeping ----------------------------------------------------------------

    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        signature = []
        for path in watched_files(self.settings):
            try:
                stat = path.stat()
            except OSError:
                signature.append((str(path), -1, -1))
            else:
                signature.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(signature)

    def reload_rules(self) -> bool:
        """Swap in freshly loaded rules; on any error keep the old ones and say why."""
        try:
            sla = load_sla(self.settings)
            suggester = load_suggester(self.settings, self.catalog)
            linter = load_linter(self.settings)
        except RulesError as exc:
            self.metrics.rule_reloads.labels("error").inc()
            log.error("rules not reloaded, keeping the previous ones:\n%s", exc)
            return False
        self.engine.config = sla
        self.engine.suggester = suggester
        self.engine.linter = linter
        self.metrics.rule_reloads.labels("ok").inc()
        log.info("rules reloaded")
        return True

    async def refresh_catalog(self) -> bool:
        """Reload the catalogue if ``assist catalog import`` changed it since last time."""
        async with self.database.connect() as connection:
            signature = tuple(
                (
                    await connection.execute(
                        select(
                            func.count(CatalogVariantRow.sku),
                            func.coalesce(func.sum(CatalogVariantRow.stock), 0),
                            func.count(func.distinct(CatalogVariantRow.sku)),
                        )
                    )
                ).one()
            ) + tuple(
                (
                    await connection.execute(
                        select(
                            func.count(CatalogProductRow.sku),
                            func.coalesce(func.sum(CatalogProductRow.price), 0),
                        )
                    )
                ).one()
            )
        if signature == self._catalog_signature:
            return False
        self._catalog_signature = signature
        self.catalog = await load_catalog(self.database)
        if isinstance(self.engine.suggester, Suggester):
            self.engine.suggester = self.engine.suggester.with_catalog(self.catalog)
        log.info("catalogue loaded: %d products", len(self.catalog))
        return True

    async def _watch_rules(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reload_interval_s)
            signature = self._signature()
            if signature != self._rule_signature:
                self._rule_signature = signature
                self.reload_rules()
            try:
                await self.refresh_catalog()
            except Exception:
                log.exception("catalogue not refreshed")

    async def _evict(self) -> None:
        while True:
            await asyncio.sleep(_EVICT_EVERY_S)
            now = self.clock()
            self.engine.evict(
                closed_before=now - timedelta(seconds=self.settings.evict_closed_after_s),
                idle_before=now - timedelta(seconds=self.settings.evict_idle_after_s),
            )
