"""The KPI model (seed 002 ch.4) and the three QA rule files as shipped and as broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.assembly import load_followup, load_kpi, load_qa, load_shifts
from assist.core.errors import RulesError
from assist.core.qa.kpi import score_agents
from assist.core.qa.rules import KpiRules, QaRules, ShiftRules
from assist.rulesfile import parse_yaml_model
from assist.settings import REPO_ROOT, Settings

KPI = """\
indicators:
  - name: sales
    weight: 60
    scoring: relative
  - name: first_response_avg_s
    weight: 40
    scoring: absolute
    thresholds:
      - {max: 15, points: 100}
      - {max: 30, points: 50}
"""


def test_the_shipped_rule_files_load() -> None:
    settings = Settings()
    assert load_qa(settings).sample_size == 20
    assert sum(i.weight for i in load_kpi(settings).indicators) == 100
    assert load_shifts(settings) is None  # the shipped rota names no agents yet
    follow = load_followup(settings)
    assert follow.unpaid_after_s == 1800 and follow.replies
    assert "{" not in follow.replies[0]  # shop words filled in


def test_weights_not_summing_to_100_are_refused_on_the_indicators_line() -> None:
    text = "# KPI\n" + KPI.replace("weight: 40", "weight: 30")
    with pytest.raises(RulesError) as caught:
        parse_yaml_model(text, KpiRules, "rules/kpi.yaml")
    assert str(caught.value) == (
        "rules/kpi.yaml:2: indicators: Value error, weights sum to 90%, they must sum to 100%"
    )


def test_an_absolute_indicator_without_thresholds_is_refused_with_its_line() -> None:
    text = KPI.replace(
        "    thresholds:\n      - {max: 15, points: 100}\n      - {max: 30, points: 50}\n", ""
    )
    with pytest.raises(RulesError, match=r"kpi.yaml:5: indicators.1: .*needs 'thresholds'"):
        parse_yaml_model(text, KpiRules, "kpi.yaml")


def test_a_bad_band_and_a_bad_shift_name_their_lines() -> None:
    with pytest.raises(RulesError, match=r"qa.yaml:3: bands: .*same 'below'"):
        parse_yaml_model(
            "sample_size: 20\n\nbands:\n"
            "  - {below: 20, deduction: 50}\n  - {below: 20, deduction: all}\n",
            QaRules,
            "qa.yaml",
        )
    with pytest.raises(RulesError, match=r"shifts.yaml:3: shifts.0.end: .*not a time of day"):
        parse_yaml_model(
            "timezone: Asia/Shanghai\nshifts:\n  - {name: day, start: '08:00', end: '25:00'}\n",
            ShiftRules,
            "shifts.yaml",
        )


def test_relative_scoring_ranks_agents_and_absolute_scoring_uses_thresholds() -> None:
    rules = parse_yaml_model(KPI, KpiRules)
    values = {
        "a-1": {"sales": 300.0, "first_response_avg_s": 10.0},
        "a-2": {"sales": 100.0, "first_response_avg_s": 20.0},
        "a-3": {"sales": 200.0, "first_response_avg_s": 45.0},
        "a-4": {"sales": None, "first_response_avg_s": None},
    }
    report = {row["agent_id"]: row for row in score_agents(values, rules)}
    points = {a: [i["points"] for i in row["indicators"]] for a, row in report.items()}
    assert points == {
        "a-1": [100.0, 100.0],
        "a-2": [0.0, 50.0],
        "a-3": [50.0, 0.0],
        "a-4": [0.0, 0.0],
    }
    assert [report[a]["score"] for a in ("a-1", "a-2", "a-3", "a-4")] == [100.0, 20.0, 30.0, 0.0]


def test_relative_scoring_shares_ties_and_honours_lower_is_better() -> None:
    rules = KpiRules.model_validate(
        {
            "indicators": [
                {"name": "response_avg_s", "weight": 100, "scoring": "relative", "better": "lower"}
            ]
        }
    )
    values = {
        "a": {"response_avg_s": 5.0},
        "b": {"response_avg_s": 5.0},
        "c": {"response_avg_s": 9.0},
    }
    assert [r["score"] for r in score_agents(values, rules)] == [75.0, 75.0, 0.0]


def test_a_rules_dir_without_qa_yaml_uses_the_seed_numbers(tmp_path: Path) -> None:
    for name in ("sla.yaml", "shop.yaml", "size_chart.yaml", "lint.yaml"):
        (tmp_path / name).write_text((REPO_ROOT / "rules" / name).read_text("utf-8"), "utf-8")
    settings = Settings(rules_dir=tmp_path)
    assert load_qa(settings) == QaRules()
    with pytest.raises(RulesError, match="kpi.yaml: cannot read"):
        load_kpi(settings)
