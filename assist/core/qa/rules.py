"""The QA, KPI and shift rule files as typed models (``rules/qa.yaml``, ``kpi.yaml``,
``shifts.yaml``).

QA leads change these numbers with the season and the rota, so none of them lives in
code: the seeds give the defaults (seed 003 §七 for the rubric and the month, seed 002
ch.4 for the KPI model, seed 000 §四.3(5) for complaints, seed 002 ch.1 for shifts).
Validation is pydantic; :mod:`assist.rulesfile` turns a failure into a line-precise
``RulesError`` (a KPI whose weights do not sum to 100 names the ``indicators`` line).
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assist.core.timeutil import clock_time, known_zone

__all__ = [
    "KPI_INDICATORS",
    "RUBRIC_ITEMS",
    "Band",
    "ComplaintStep",
    "IndicatorRule",
    "KpiRules",
    "QaRules",
    "ShiftRule",
    "ShiftRules",
    "Threshold",
]

Item = Literal["greeting", "closing", "attitude", "timely", "answered"]
RUBRIC_ITEMS: tuple[Item, ...] = get_args(Item)

# What a KPI indicator may measure: the per-agent statistics plus the QA figures.
Indicator = Literal[
    "conversations",
    "sales",
    "orders",
    "avg_order_value",
    "conversion_rate",
    "reply_rate",
    "first_response_avg_s",
    "response_avg_s",
    "response_p90_s",
    "greeting_breaches",
    "reply_breaches",
    "escalations",
    "negative_flags",
    "answer_ratio",
    "chars_per_min",
    "in_time_rate",
    "missing_greetings",
    "missing_closings",
    "impolite_flags",
    "qa_days_lost",
    "qa_failure_rate",
    "complaints",
]
KPI_INDICATORS: tuple[Indicator, ...] = get_args(Indicator)

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """Below ``below`` month points the bonus loses ``deduction`` 元 (``"all"``: all of it)."""

    below: Annotated[int, Field(gt=0)]
    deduction: Annotated[int, Field(ge=0)] | Literal["all"]
    label: str = ""


class ComplaintStep(_Strict):
    """The ``count``-th complaint in a month: a fine in 元 and/or an action (dismissal)."""

    count: Annotated[int, Field(gt=0)]
    fine: Annotated[float, Field(ge=0)] = 0
    action: str | None = None
    label: str = ""


class QaRules(_Strict):
    """``rules/qa.yaml``: the rubric, the daily sample and the month's bands."""

    items: list[Item] = Field(default_factory=lambda: list(RUBRIC_ITEMS), min_length=1)
    attitude_rules: list[str] = Field(
        default_factory=lambda: ["negative_phrase", "impolite"], min_length=1
    )
    sample_size: Annotated[int, Field(gt=0)] = 20
    fail_limit: Annotated[int, Field(gt=0)] = 4
    working_days: Annotated[int, Field(gt=0, le=31)] = 26
    sample_seed: str = "assist-qa"
    bands: list[Band] = Field(
        default_factory=lambda: [
            Band(below=20, deduction=50, label="扣50元"),
            Band(below=15, deduction=100, label="扣100元"),
            Band(below=12, deduction="all", label="无奖金"),
        ]
    )
    full_label: str = "满分"
    pass_label: str = "合格"
    complaints: list[ComplaintStep] = Field(
        default_factory=lambda: [
            ComplaintStep(count=1, fine=30, label="罚款30元"),
            ComplaintStep(count=2, fine=60, label="罚款翻倍60元"),
            ComplaintStep(count=3, action="dismissal", label="予以开除"),
        ]
    )
    unpaid_after_s: Annotated[float, Field(gt=0)] = 1800.0

    @field_validator("bands")
    @classmethod
    def _bands_below_month(cls, value: list[Band]) -> list[Band]:
        belows = [band.below for band in value]
        if len(set(belows)) != len(belows):
            raise ValueError("two bands share the same 'below'")
        return sorted(value, key=lambda band: band.below, reverse=True)

    @field_validator("complaints")
    @classmethod
    def _steps_distinct(cls, value: list[ComplaintStep]) -> list[ComplaintStep]:
        counts = [step.count for step in value]
        if len(set(counts)) != len(counts):
            raise ValueError("two complaint steps share the same 'count'")
        return sorted(value, key=lambda step: step.count)

    @model_validator(mode="after")
    def _bands_fit(self) -> QaRules:
        for band in self.bands:
            if band.below > self.working_days:
                raise ValueError(
                    f"band below {band.below} exceeds working_days {self.working_days}"
                )
        return self

    def band_for(self, points: int) -> Band | None:
        """The lowest band ``points`` fall into (``None``: no deduction)."""
        found = None
        for band in self.bands:  # highest 'below' first
            if points < band.below:
                found = band
        return found


class Threshold(_Strict):
    """Absolute scoring: at least ``min`` (or at most ``max``) earns ``points``."""

    min: float | None = None
    max: float | None = None
    points: Annotated[float, Field(ge=0, le=100)]

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.min is None) == (self.max is None):
            raise ValueError("a threshold has exactly one of 'min' or 'max'")
        return self


class IndicatorRule(_Strict):
    """One KPI indicator: what it measures, how it is scored, how much it weighs (%)."""

    name: Indicator
    label: str = ""
    weight: Annotated[float, Field(gt=0, le=100)]
    scoring: Literal["absolute", "relative"]
    better: Literal["higher", "lower"] = "higher"
    thresholds: list[Threshold] = Field(default_factory=list)

    @model_validator(mode="after")
    def _thresholds_for_absolute(self) -> IndicatorRule:
        if self.scoring == "absolute" and not self.thresholds:
            raise ValueError("absolute scoring needs 'thresholds'")
        if self.scoring == "relative" and self.thresholds:
            raise ValueError("relative scoring ranks agents; 'thresholds' are not used")
        return self


class KpiRules(_Strict):
    """``rules/kpi.yaml``: seed 002 ch.4's composite model; weights sum to 100 (%)."""

    indicators: list[IndicatorRule] = Field(min_length=1)

    @field_validator("indicators")
    @classmethod
    def _weights_sum_to_100(cls, value: list[IndicatorRule]) -> list[IndicatorRule]:
        names = [indicator.name for indicator in value]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"indicator(s) listed twice: {', '.join(repeated)}")
        total = sum(indicator.weight for indicator in value)
        if abs(total - 100.0) > 1e-6:
            raise ValueError(f"weights sum to {total:g}%, they must sum to 100%")
        return value


class ShiftRule(_Strict):
    """A shift (seed 002 ch.1): local ``start``–``end`` (an end before the start runs
    past midnight), its agents, its duty agent and whether it runs on while a customer
    is still chatting (the night shift)."""

    name: Annotated[str, Field(min_length=1)]
    label: str = ""
    start: str
    end: str
    days: list[Day] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    agents: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    duty: str | None = None
    extends_while_chatting: bool = False

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_time(value)
        return value

    @model_validator(mode="after")
    def _duty_is_on_shift(self) -> ShiftRule:
        if self.start == self.end:
            raise ValueError("a shift must not start and end at the same time")
        if self.duty is not None and self.duty not in self.agents:
            raise ValueError(f"duty agent {self.duty!r} is not one of the shift's agents")
        return self


class ShiftRules(_Strict):
    """``rules/shifts.yaml``: the rota, in the shop's time zone."""

    timezone: str = "Asia/Shanghai"
    # How long after its nominal end a running-on shift checks again for a chatting customer.
    recheck_s: Annotated[float, Field(gt=0)] = 300.0
    shifts: list[ShiftRule] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("shifts")
    @classmethod
    def _unique_names(cls, value: list[ShiftRule]) -> list[ShiftRule]:
        names = [shift.name for shift in value]
        if len(set(names)) != len(names):
            raise ValueError("two shifts share a name")
        return value
