"""The composition root: settings in, a wired engine out (SLA, suggester, linter).

Suggester and linter come from the phrasebook and rule files; loading them is pure and
may be repeated, which is how the service reloads rules without a restart.
"""

from __future__ import annotations

from pathlib import Path

from assist.core.catalog import Catalog
from assist.core.engine import Engine
from assist.core.lint import Linter
from assist.core.suggest import Suggester
from assist.settings import Settings, load_sla

__all__ = ["build_engine", "load_linter", "load_suggester", "watched_files"]


def load_linter(settings: Settings) -> Linter:
    """The agent-message linter from ``<rules_dir>/lint.yaml``; raises ``RulesError``."""
    return Linter.load(settings.rules_dir / "lint.yaml")


def load_suggester(settings: Settings, catalog: Catalog | None = None) -> Suggester:
    """The reply suggester from the phrasebook and shop rules; raises ``RulesError``."""
    return Suggester.load(settings.phrasebook, settings.rules_dir, catalog)


def build_engine(
    settings: Settings,
    *,
    with_suggester: bool = True,
    with_linter: bool = True,
    catalog: Catalog | None = None,
) -> Engine:
    return Engine(
        load_sla(settings),
        suggester=load_suggester(settings, catalog) if with_suggester else None,
        linter=load_linter(settings) if with_linter else None,
    )


def watched_files(settings: Settings) -> list[Path]:
    """The files whose change makes the service reload its rules."""
    return [settings.phrasebook, *sorted(settings.rules_dir.glob("*.yaml"))]
