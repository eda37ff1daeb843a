"""Seed 003 §七's arithmetic: a daily sample per agent, a point per day, a month's band.

Each working day a QA lead reads ``sample_size`` (20) chats per agent; a day with
``fail_limit`` (4) failing chats loses its point; a month has ``working_days`` (26)
points; below 20 the bonus loses 50 元, below 15 100 元, below 12 all of it. Which 20
chats are read must not change between two runs on the same data (an agent who asks
"why did I lose that day?" must see the same chats), so the sample is the first
``sample_size`` by a hash of (seed, agent, day, conversation) — deterministic, spread
evenly, independent of the order the chats were stored in. Days are local days in the
shop's time zone (``rules/sla.yaml``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from assist.core.qa.rubric import ChatScore
from assist.core.qa.rules import ComplaintStep, QaRules

__all__ = [
    "AgentPeriod",
    "DayResult",
    "complaint_consequence",
    "local_day",
    "month_bounds",
    "period_report",
    "sample",
    "sample_ids",
]


def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """``YYYY-MM`` as the UTC instants of its first and the next month's first local
    midnight; ``ValueError`` for anything else."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ValueError(f"month {month!r} is not YYYY-MM") from None
    if len(month) != 7:
        raise ValueError(f"month {month!r} is not YYYY-MM")
    following = date(year + number // 12, number % 12 + 1, 1)
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(following, datetime.min.time(), zone).astimezone(UTC)
    return start, end


def local_day(instant: datetime, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def _rank(seed: str, agent_id: str, day: date, conversation_id: str) -> str:
    key = f"{seed}\x1f{agent_id}\x1f{day.isoformat()}\x1f{conversation_id}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def sample_ids(
    conversation_ids: Iterable[str], agent_id: str, day: date, rules: QaRules
) -> list[str]:
    """The ids of the day's ``sample_size`` chats of ``agent_id`` (all when fewer), in
    sample order. Any superset of the sample samples to the same ids, so the store can
    pick the sample first and fetch only the chats it has to judge."""
    ranked = sorted(
        conversation_ids, key=lambda cid: (_rank(rules.sample_seed, agent_id, day, cid), cid)
    )
    return ranked[: rules.sample_size]


def sample(
    scores: Iterable[ChatScore], agent_id: str, day: date, rules: QaRules
) -> list[ChatScore]:
    """The day's ``sample_size`` chats of ``agent_id`` (all of them when fewer)."""
    by_id = {s.conversation_id: s for s in scores}
    return [by_id[cid] for cid in sample_ids(by_id, agent_id, day, rules)]


@dataclass(frozen=True, slots=True)
class DayResult:
    date: date
    sampled: tuple[ChatScore, ...]

    @property
    def failed(self) -> int:
        return sum(1 for s in self.sampled if not s.passed)

    def point_lost(self, rules: QaRules) -> bool:
        return self.failed >= rules.fail_limit

    def to_dict(self, rules: QaRules) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "sampled": len(self.sampled),
            "failed": self.failed,
            "point_lost": self.point_lost(rules),
            "failures": [
                {"conversation_id": s.conversation_id, "reasons": s.reasons()}
                for s in self.sampled
                if not s.passed
            ],
        }


def complaint_consequence(count: int, steps: Iterable[ComplaintStep]) -> dict[str, Any]:
    """Seed 000 §四.3(5) as data: what ``count`` complaints in a month cost.

    ``fines`` adds every step reached (30 + 60 after the second); ``action`` and
    ``label`` are those of the highest step reached; past the last step it still applies.
    """
    reached = [step for step in steps if step.count <= count]
    fines = sum(step.fine for step in reached)
    actions = [step.action for step in reached if step.action]
    return {
        "count": count,
        "fines": round(fines, 2),
        "action": actions[-1] if actions else None,
        "label": reached[-1].label if reached else "",
    }


@dataclass(frozen=True, slots=True)
class AgentPeriod:
    """One agent's days in a period, and the month's verdict on them."""

    agent_id: str
    days: tuple[DayResult, ...]

    def days_lost(self, rules: QaRules) -> int:
        return sum(1 for day in self.days if day.point_lost(rules))

    def to_dict(self, rules: QaRules, complaints: int = 0) -> dict[str, Any]:
        lost = self.days_lost(rules)
        points = max(0, rules.working_days - lost)
        band = rules.band_for(points)
        full = points >= rules.working_days
        sampled = sum(len(day.sampled) for day in self.days)
        failed = sum(day.failed for day in self.days)
        return {
            "agent_id": self.agent_id,
            "points": points,
            "days_lost": lost,
            "deduction": band.deduction if band is not None else 0,
            "full_marks": full,
            "band": rules.full_label if full else (band.label if band else rules.pass_label),
            "sampled": sampled,
            "failed": failed,
            "failure_rate": round(failed / sampled, 4) if sampled else None,
            "complaints": complaint_consequence(complaints, rules.complaints),
            "days": [day.to_dict(rules) for day in self.days],
        }


def period_report(
    scores: Iterable[ChatScore],
    rules: QaRules,
    timezone: str,
    complaints: Mapping[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Per agent (sorted by id): the sampled days of closed chats in ``scores``.

    A chat counts for the agent who had it when it closed, on the local day it closed.
    Agents with complaints but no scored chat still appear (with no days).
    """
    by_agent_day: dict[str, dict[date, list[ChatScore]]] = defaultdict(lambda: defaultdict(list))
    for chat in scores:
        if chat.agent_id is None or chat.closed_at is None:
            continue
        by_agent_day[chat.agent_id][local_day(chat.closed_at, timezone)].append(chat)
    complaints = complaints or {}
    agents = sorted(set(by_agent_day) | {a for a, n in complaints.items() if n})
    report = []
    for agent in agents:
        days = tuple(
            DayResult(day, tuple(sample(chats, agent, day, rules)))
            for day, chats in sorted(by_agent_day.get(agent, {}).items())
        )
        report.append(AgentPeriod(agent, days).to_dict(rules, complaints.get(agent, 0)))
    return report
