"""The composition root: the one place that knows where rule files live and reads them.

Settings (environment over defaults) name the files; this module reads and validates them
into models (:mod:`assist.rulesfile` gives line-precise errors) and wires the pure core
objects from those models. The core itself never opens a file or reads the environment.
Loading is repeatable, which is how the service reloads rules without a restart.
"""

from __future__ import annotations

import json
from pathlib import Path

from assist.core.engine import Engine
from assist.core.errors import RulesError
from assist.core.lint.linter import Linter
from assist.core.lint.rules import LintRules
from assist.core.qa.followup import FollowUpConfig
from assist.core.qa.rules import KpiRules, QaRules, ShiftRules
from assist.core.qa.shifts import ShiftSchedule
from assist.core.sla.hours import ServiceHours, ServiceWindow, SlaConfig
from assist.core.suggest.catalog import Catalog
from assist.core.suggest.model import IntentModel
from assist.core.suggest.phrasebook import Phrasebook, ShopRules, SizeChart, template_fields
from assist.core.suggest.suggester import Suggester
from assist.rulesfile import load_yaml_model, parse_yaml_model
from assist.security.tokens import TokenTable, parse_token_list
from assist.settings import (
    DEFAULT_INTENT_MODEL,
    WEEKDAYS,
    Settings,
    SlaRules,
    TokensFile,
    clock_time,
)

__all__ = [
    "build_engine",
    "load_followup",
    "load_kpi",
    "load_qa",
    "load_shifts",
    "linter_from_yaml",
    "load_linter",
    "load_sla",
    "load_suggester",
    "load_tokens",
    "read_intent_model",
    "read_linter",
    "read_phrasebook",
    "read_shop",
    "read_size_chart",
    "read_suggester",
    "watched_files",
]


def read_linter(path: Path) -> Linter:
    """The linter from one ``lint.yaml``; raises ``RulesError`` naming file and line."""
    return Linter(load_yaml_model(path, LintRules))


def linter_from_yaml(text: str, path: str = "<string>") -> Linter:
    """Like :func:`read_linter` for YAML already in memory (tests, uploads)."""
    return Linter(parse_yaml_model(text, LintRules, path))


def read_phrasebook(path: Path) -> Phrasebook:
    return load_yaml_model(path, Phrasebook)


def read_shop(rules_dir: Path) -> ShopRules:
    return load_yaml_model(rules_dir / "shop.yaml", ShopRules)


def read_size_chart(rules_dir: Path) -> SizeChart:
    return load_yaml_model(rules_dir / "size_chart.yaml", SizeChart)


def read_intent_model(path: Path) -> IntentModel:
    """The trained intent model (``make model``); raises ``RulesError`` naming the file."""
    try:
        return IntentModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        problem = f"cannot read the intent model: {exc.strerror}"
        raise RulesError(str(path), [(None, problem)]) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise RulesError(str(path), [(None, f"not a usable intent model: {exc}")]) from None


def read_suggester(
    phrasebook: Path,
    rules_dir: Path,
    catalog: Catalog | None = None,
    model: Path | None = None,
) -> Suggester:
    """The suggester from a phrasebook, a rules directory and the trained model (default:
    the repository's ``intent_model.json``); raises ``RulesError``."""
    book = read_phrasebook(phrasebook)
    model = model or DEFAULT_INTENT_MODEL
    intent_model = read_intent_model(model)
    try:
        return Suggester.build(
            book, read_shop(rules_dir), read_size_chart(rules_dir), catalog, intent_model
        )
    except ValueError as exc:
        raise RulesError(str(model), [(None, str(exc))]) from None


def load_linter(settings: Settings) -> Linter:
    """The agent-message linter from ``<rules_dir>/lint.yaml``; raises ``RulesError``."""
    return read_linter(settings.rules_dir / "lint.yaml")


def load_suggester(settings: Settings, catalog: Catalog | None = None) -> Suggester:
    """The reply suggester from the phrasebook and shop rules; raises ``RulesError``."""
    return read_suggester(settings.phrasebook, settings.rules_dir, catalog, settings.intent_model)


def load_sla(settings: Settings) -> SlaConfig:
    """The SLA numbers: ``<rules_dir>/sla.yaml``, then any ``ASSIST_*`` override."""
    path = settings.rules_dir / "sla.yaml"
    rules = load_yaml_model(path, SlaRules) if path.exists() else SlaRules()
    windows = tuple(
        ServiceWindow(WEEKDAYS.index(day), clock_time(window.start), clock_time(window.end))
        for window in rules.service_hours.windows
        for day in window.days
    )
    return SlaConfig(
        greeting_s=settings.greeting_s or rules.greeting_s,
        reply_s=settings.reply_s or rules.reply_s,
        warn_s=settings.warn_s if settings.warn_s is not None else rules.warn_s,
        escalate_s=settings.escalate_s or rules.escalate_s,
        service_hours=ServiceHours(windows, rules.service_hours.timezone),
    )


def load_qa(settings: Settings) -> QaRules:
    """``<rules_dir>/qa.yaml`` (seed 003's numbers when the file is absent)."""
    path = settings.rules_dir / "qa.yaml"
    return load_yaml_model(path, QaRules) if path.exists() else QaRules()


def load_kpi(settings: Settings) -> KpiRules:
    """``<rules_dir>/kpi.yaml``; required (a KPI model has no sensible default)."""
    return load_yaml_model(settings.rules_dir / "kpi.yaml", KpiRules)


def load_shifts(settings: Settings) -> ShiftSchedule | None:
    """The rota of ``<rules_dir>/shifts.yaml``; ``None`` while no shift names an agent
    (no handovers and no duty agent to send anything to)."""
    path = settings.rules_dir / "shifts.yaml"
    rules = load_yaml_model(path, ShiftRules) if path.exists() else ShiftRules()
    if not any(shift.agents for shift in rules.shifts):
        return None
    return ShiftSchedule(rules)


def load_followup(settings: Settings) -> FollowUpConfig:
    """The unpaid-order reminder: ``qa.yaml``'s delay, the phrasebook's
    ``unpaid_follow_up`` replies filled in with the shop's words, the rota's duty agent."""
    variables = read_shop(settings.rules_dir).variables()
    templates = read_phrasebook(settings.phrasebook).phrases.get("unpaid_follow_up", [])
    replies = tuple(
        t.format_map(variables) for t in templates if set(template_fields(t)) <= variables.keys()
    )
    return FollowUpConfig(load_qa(settings).unpaid_after_s, replies, load_shifts(settings))


def build_engine(
    settings: Settings,
    *,
    with_suggester: bool = True,
    with_linter: bool = True,
    catalog: Catalog | None = None,
) -> Engine:
    followup = load_followup(settings)
    return Engine(
        load_sla(settings),
        suggester=load_suggester(settings, catalog) if with_suggester else None,
        linter=load_linter(settings) if with_linter else None,
        followup=followup,
        shifts=followup.schedule,
    )


def watched_files(settings: Settings) -> list[Path]:
    """The files whose change makes the service reload its rules."""
    return [
        settings.phrasebook,
        settings.intent_model,
        *sorted(settings.rules_dir.glob("*.yaml")),
    ]


def load_tokens(settings: Settings) -> TokenTable:
    """Tokens from ``ASSIST_TOKENS``, else ``<rules_dir>/tokens.yaml``, else none.

    Raises :class:`RulesError` naming the entry or file line, never the token itself.
    """
    text = settings.tokens.get_secret_value()
    if text.strip():
        try:
            return TokenTable(parse_token_list(text))
        except ValueError as exc:
            raise RulesError("ASSIST_TOKENS", [(None, str(exc))]) from None
    path = settings.rules_dir / "tokens.yaml"
    if not path.exists():
        return TokenTable()
    model = load_yaml_model(path, TokensFile)
    try:
        return TokenTable.from_mapping(model.tokens)
    except ValueError as exc:
        raise RulesError(str(path), [(None, str(exc))]) from None
