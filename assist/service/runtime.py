"""The live service's parts, put together: engine, ingest, timers, watcher, fan-out, store.

Each part has one job and its own module:

- :class:`~assist.service.ingest.Ingestor` — frames in, events applied, acks after commit;
- :class:`~assist.service.timer_driver.TimerDriver` — wakes the engine at its deadlines;
- :class:`~assist.service.watcher.RuleWatcher` — rule files and catalogue, hot-reloaded;
- :class:`~assist.service.dispatch.Dispatcher` — outputs to subscribers, views and store;
- :class:`~assist.service.nlp_pool.NlpPool` — suggestions and lint in worker processes;
- :class:`~assist.service.hub.Hub` / :class:`~assist.service.persister.Persister`.

Everything runs on one event loop, so the engine (plain synchronous code) needs no locks.
The runtime only builds the parts, restores state at start-up, and answers snapshots.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from assist.assembly import load_followup, load_linter, load_sla, load_suggester
from assist.core.engine import Engine
from assist.core.outputs import Output, Suggestion
from assist.core.views import LatestFrames, snapshot_frame
from assist.service.collector import keep_collector_small
from assist.service.dispatch import Dispatcher
from assist.service.handover import HandoverSender
from assist.service.hub import Hub, Subscriber
from assist.service.ingest import Ingestor
from assist.service.metrics import Metrics
from assist.service.nlp_pool import NlpPool
from assist.service.persister import Persister
from assist.service.recent_alerts import RecentAlerts
from assist.service.timer_driver import TimerDriver
from assist.service.watcher import RuleWatcher
from assist.settings import Settings, worker_count
from assist.store.alerts import recent_alerts
from assist.store.restore import last_customer_messages, recent_conversations, recent_event_ids

__all__ = ["Runtime", "utc_now"]

log = logging.getLogger("assist.service")
_EVICT_EVERY_S = 600.0


def utc_now() -> datetime:
    """The service's wall clock; the one place the live service reads the time."""
    return datetime.now(UTC)


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
        suggester = load_suggester(settings)
        followup = load_followup(settings)
        # The engine's own rules run NLP only where the pool cannot (no workers, or a
        # worker died); its SLA path never waits for NLP.
        self.engine = Engine(
            load_sla(settings),
            suggester=suggester,
            linter=load_linter(settings),
            defer_nlp=True,
            followup=followup,
            shifts=followup.schedule,
        )
        self.latest = LatestFrames()
        self.hub = Hub(
            settings.subscriber_queue, on_drop=self._dropped, on_shed=metrics.shed_frames.inc
        )
        self.persister = Persister(database, metrics)
        self.recent_alerts = RecentAlerts(settings.snapshot_alerts_s)
        self.dispatcher = Dispatcher(
            self.hub, self.persister, metrics, self.latest, clock, self.recent_alerts
        )
        self.nlp = NlpPool(
            settings,
            self._nlp_done,
            lambda: (self.engine.suggester, self.engine.linter),
            workers=worker_count(settings),
            limit=settings.nlp_queue,
        )
        self.nlp.metrics.listener = self._nlp_event
        self.dispatcher.nlp = self.nlp.submit
        metrics.nlp_queue.set_function(lambda: self.nlp.pending)
        self.handovers = HandoverSender(self.hub, database)
        self.dispatcher.on_shift_end = self.handovers.submit
        self.timers = TimerDriver(self.engine, self.dispatcher, clock)
        self.ingestor = Ingestor(
            self.engine,
            self.dispatcher,
            self.timers,
            metrics,
            clock,
            slice_events=settings.ingest_slice,
            room=self.nlp.wait_room,
        )
        self.watcher = RuleWatcher(settings, database, self.engine, metrics)
        self.watcher.suggester = suggester
        self.watcher.on_change = self.nlp.reload
        self._tasks: list[asyncio.Task[None]] = []
        metrics.open_conversations.set_function(lambda: len(self.engine.open_conversations()))

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self._restore()
        await self.watcher.refresh_catalog()
        await self.nlp.start(self.watcher.catalog)
        self.persister.start()
        self.timers.fire_due()
        self._spawn(self.timers.run(), "assist-timers")
        if self.settings.reload_interval_s > 0:
            self._spawn(self.watcher.run(self.settings.reload_interval_s), "assist-reload")
        self._spawn(self._evict(), "assist-evict")
        if self.settings.gc_freeze_s > 0:
            self._spawn(
                keep_collector_small(self.settings.gc_freeze_s, self.settings.gc_full_s),
                "assist-gc",
            )
        # Rules, jieba's dictionary and the restored conversations are long-lived: moved
        # out of the collector's reach, a full collection no longer walks them, which
        # would otherwise stall the loop (and every due timer) for ~100 ms at a time.
        gc.collect()
        gc.freeze()

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(work, name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.nlp.close()
        await self.handovers.close()
        await self.persister.close()

    async def _restore(self) -> None:
        """Rebuild recent conversations and the ids already applied, from the store."""
        now = self.clock()
        since = now - timedelta(seconds=self.settings.evict_closed_after_s)
        idle_since = now - timedelta(seconds=self.settings.evict_idle_after_s)
        states = await recent_conversations(
            self.database, updated_since=since, open_since=idle_since
        )
        self.engine.restore(states)
        self.engine.remember_ids(await recent_event_ids(self.database, since=since))
        open_ids = [c.id for c in self.engine.open_conversations()]
        for last in await last_customer_messages(self.database, open_ids):
            self.latest.restore(
                last.conversation_id, last.message_id, last.text, last.at, last.suggestion
            )
        # Alerts already raised stay on every board that (re)connects; those for
        # deadlines missed while down are added when the timers fire next, at start.
        for alert in await recent_alerts(self.database, now - self.recent_alerts.window):
            self.recent_alerts.add(alert, alert.at)
        log.info("restored %d conversations", len(self.engine.conversations))

    # -- the parts' entry points -----------------------------------------------------

    def ingest(self, raw: str | bytes) -> tuple[Any, asyncio.Future[None]]:
        return self.ingestor.ingest(raw)

    async def admit(self, raw: str | bytes) -> tuple[Any, asyncio.Future[None]]:
        return await self.ingestor.admit(raw)

    def _nlp_done(self, outputs: list[Output]) -> None:
        """A worker's suggestions and lint: out to the channels and into the store.

        A suggestion goes to whoever holds the conversation now: it may have been
        transferred (or first assigned) while the worker was busy."""
        for index, output in enumerate(outputs):
            if isinstance(output, Suggestion):
                conversation = self.engine.conversations.get(output.conversation_id)
                holder = conversation.agent_id if conversation is not None else None
                if holder is not None and holder != output.agent_id:
                    outputs[index] = dataclasses.replace(output, agent_id=holder)
        self.dispatcher.dispatch(outputs, None)

    def _nlp_event(self, what: str) -> None:
        if what == "failure":
            self.metrics.nlp_failures.inc()
        else:
            self.metrics.nlp_skipped.labels(what).inc()

    def snapshot(self, agent_id: str | None) -> dict[str, Any]:
        """The first frame of a channel: its open conversations, whole (see core.views)."""
        now = self.clock()
        conversations = [
            c
            for c in self.engine.open_conversations()
            if agent_id is None or c.agent_id == agent_id
        ]
        return snapshot_frame(
            conversations,
            now,
            warn_s=self.engine.config.warn_s,
            latest=self.latest,
            alerts=self.recent_alerts.frames(agent_id, now),
        )

    async def reload_rules(self) -> bool:
        return await self.watcher.reload_rules()

    async def refresh_catalog(self) -> bool:
        return await self.watcher.refresh_catalog()

    # -- housekeeping ----------------------------------------------------------------

    def _dropped(self, subscriber: Subscriber) -> None:
        self.metrics.dropped_subscribers.inc()
        log.warning("dropped a slow subscriber (agent %s)", subscriber.agent_id or "supervisor")

    async def _evict(self) -> None:
        while True:
            await asyncio.sleep(_EVICT_EVERY_S)
            now = self.clock()
            evicted = self.engine.evict(
                closed_before=now - timedelta(seconds=self.settings.evict_closed_after_s),
                idle_before=now - timedelta(seconds=self.settings.evict_idle_after_s),
            )
            self.latest.forget(evicted)
