"""Rules and catalogue, kept current while the service runs.

A shop edits ``rules/*.yaml`` or ``phrasebook.yaml``, or runs ``assist catalog import``;
the watcher notices (file size/mtime, a cheap catalogue fingerprint), loads the new
version through the composition root and swaps it into the engine. A broken edit keeps
the previous rules and says why in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from assist.assembly import load_followup, load_linter, load_sla, load_suggester, watched_files
from assist.core.engine import Engine
from assist.core.errors import RulesError
from assist.core.lint.linter import Linter
from assist.core.qa.followup import FollowUpConfig
from assist.core.sla.hours import SlaConfig
from assist.core.suggest.catalog import Catalog
from assist.core.suggest.suggester import Suggester
from assist.service.metrics import Metrics
from assist.settings import Settings
from assist.store.catalog import catalog_signature, load_catalog

__all__ = ["RuleWatcher"]

Rules = tuple[SlaConfig, Suggester, Linter, FollowUpConfig]

log = logging.getLogger("assist.service")


def _load_rules(settings: Settings, catalog: Catalog) -> Rules:
    return (
        load_sla(settings),
        load_suggester(settings, catalog),
        load_linter(settings),
        load_followup(settings),
    )


class RuleWatcher:
    def __init__(
        self, settings: Settings, database: AsyncEngine, engine: Engine, metrics: Metrics
    ) -> None:
        self._settings = settings
        self._database = database
        self._engine = engine
        self._metrics = metrics
        self.catalog = Catalog.empty()
        # The suggester in use, kept here so a catalogue change can be applied to it.
        self.suggester: Suggester | None = None
        self._catalog_signature: tuple[object, ...] | None = None
        # Told of every successful reload (new rules or catalogue): the NLP workers.
        self.on_change: Callable[[Catalog], None] | None = None
        self._rule_signature = self._signature()

    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        signature = []
        for path in watched_files(self._settings):
            try:
                stat = path.stat()
            except OSError:
                signature.append((str(path), -1, -1))
            else:
                signature.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(signature)

    async def reload_rules(self) -> bool:
        """Swap in freshly loaded rules; on any error keep the old ones and say why.

        Loading takes ~0.4 s (the suggester's model and phrasebook, the lint rules, the
        follow-up rules): done on the event loop it held every due alert back that long.
        It runs in a thread; the loop only swaps the finished rules in."""
        try:
            sla, suggester, linter, followup = await asyncio.to_thread(
                _load_rules, self._settings, self.catalog
            )
        except RulesError as exc:
            self._metrics.rule_reloads.labels("error").inc()
            log.error("rules not reloaded, keeping the previous ones:\n%s", exc)
            return False
        self.suggester = suggester
        self._engine.use_rules(sla, suggester, linter)
        self._engine.use_followup(followup)
        self._metrics.rule_reloads.labels("ok").inc()
        if self.on_change is not None:
            self.on_change(self.catalog)
        log.info("rules reloaded")
        return True

    async def refresh_catalog(self) -> bool:
        """Reload the catalogue if ``assist catalog import`` changed it since last time."""
        signature = await catalog_signature(self._database)
        if signature == self._catalog_signature:
            return False
        self.catalog = await load_catalog(self._database)
        # Remembered only once loaded, so a failed load is tried again next round.
        self._catalog_signature = signature
        if self.suggester is not None:
            self.suggester = self.suggester.with_catalog(self.catalog)
            self._engine.use_rules(self._engine.config, self.suggester, self._engine.linter)
        if self.on_change is not None:
            self.on_change(self.catalog)
        log.info("catalogue loaded: %d products", len(self.catalog))
        return True

    async def run(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            signature = self._signature()
            try:
                if signature != self._rule_signature:
                    self._rule_signature = signature
                    await self.reload_rules()
            except Exception:  # e.g. a file that is not UTF-8: keep watching, keep rules
                log.exception("rules not reloaded, keeping the previous ones")
            try:
                await self.refresh_catalog()
            except Exception:
                log.exception("catalogue not refreshed")
