"""Seed 002 ch.4's composite KPI: indicators, absolute or relative scoring, weights.

A sales total alone rewards whoever the router sends the most customers (seed 002 says
so itself), so the model mixes indicators of service quality and sales, each scored 0–100
and weighted; the weights sum to 100 % (checked when ``rules/kpi.yaml`` is read).
Absolute scoring maps a value to points through thresholds; relative scoring ranks the
agents (best 100, worst 0, ties share their average rank). An agent with no value for an
indicator (no orders, so no order value) scores 0 on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assist.core.qa.rules import IndicatorRule, KpiRules

__all__ = ["score_agents"]


def _absolute(value: float, rule: IndicatorRule) -> float:
    earned = [
        t.points
        for t in rule.thresholds
        if (t.min is not None and value >= t.min) or (t.max is not None and value <= t.max)
    ]
    return max(earned, default=0.0)


def _relative(values: Mapping[str, float], rule: IndicatorRule) -> dict[str, float]:
    """Rank points: the best 100, the worst 0, linear between, ties averaged."""
    if not values:
        return {}
    if len(values) == 1:
        return dict.fromkeys(values, 100.0)
    reverse = rule.better == "higher"
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=reverse)
    positions: dict[float, list[int]] = {}
    for position, (_, value) in enumerate(ordered):
        positions.setdefault(value, []).append(position)
    last = len(ordered) - 1
    return {
        agent: round(100.0 * (last - sum(positions[v]) / len(positions[v])) / last, 2)
        for agent, v in values.items()
    }


def score_agents(
    values: Mapping[str, Mapping[str, float | int | None]], rules: KpiRules
) -> list[dict[str, Any]]:
    """Per agent (sorted by id): the composite score and each indicator's share.

    ``values[agent][indicator]`` is the indicator's raw value (``None``: not measured).
    """
    points: dict[str, dict[str, float]] = {agent: {} for agent in values}
    for rule in rules.indicators:
        measured = {
            agent: float(v)
            for agent, row in values.items()
            if (v := row.get(rule.name)) is not None
        }
        if rule.scoring == "relative":
            ranked = _relative(measured, rule)
            for agent in values:
                points[agent][rule.name] = ranked.get(agent, 0.0)
        else:
            for agent in values:
                value = measured.get(agent)
                points[agent][rule.name] = _absolute(value, rule) if value is not None else 0.0
    report = []
    for agent in sorted(values):
        indicators = []
        total = 0.0
        for rule in rules.indicators:
            earned = points[agent][rule.name]
            weighted = earned * rule.weight / 100.0
            total += weighted
            indicators.append(
                {
                    "name": rule.name,
                    "label": rule.label or rule.name,
                    "value": values[agent].get(rule.name),
                    "scoring": rule.scoring,
                    "points": round(earned, 2),
                    "weight": rule.weight,
                    "weighted": round(weighted, 2),
                }
            )
        report.append({"agent_id": agent, "score": round(total, 2), "indicators": indicators})
    return report
