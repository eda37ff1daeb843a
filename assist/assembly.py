"""The composition root: settings in, a wired engine out (SLA, suggester, linter).

Suggester and linter come from the phrasebook and rule files; loading them is pure and
may be repeated, which is how the service reloads rules without a restart.
"""

from __future__ import annotations

from pathlib import Path

from assist.core.engine import Engine, Linter, Suggester
from assist.settings import Settings, load_sla

__all__ = ["build_engine", "load_linter", "load_suggester", "watched_files"]


def load_linter(settings: Settings) -> Linter | None:
    """The agent-message linter, or ``None`` when this build has none yet."""
    return None


def load_suggester(settings: Settings) -> Suggester | None:
    """The reply suggester, or ``None`` when this build has none yet."""
    return None


def build_engine(
    settings: Settings, *, with_suggester: bool = True, with_linter: bool = True
) -> Engine:
    return Engine(
        load_sla(settings),
        suggester=load_suggester(settings) if with_suggester else None,
        linter=load_linter(settings) if with_linter else None,
    )


def watched_files(settings: Settings) -> list[Path]:
    """The files whose change makes the service reload its rules."""
    return [settings.phrasebook, *sorted(settings.rules_dir.glob("*.yaml"))]
