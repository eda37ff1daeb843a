"""The phrasebook and the shop rules it renders with, as validated models.

A shop edits ``phrasebook.yaml``, ``rules/shop.yaml`` and ``rules/size_chart.yaml`` by
hand. Every mistake that would otherwise surface as a wrong suggestion at 20:15 on a sale
night (a bad regex, a template naming a variable nobody provides, a chart out of order) is
caught here at load time and reported with the file and line. Loading is a pure function of
the files, so the service can call it again to reload.
"""

from __future__ import annotations

import re
import string
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "INTENT_IDS",
    "TEMPLATE_VARIABLES",
    "IntentSpec",
    "OutOfScope",
    "Phrasebook",
    "ShopRules",
    "SizeChart",
    "SizeRow",
    "template_fields",
]

INTENT_IDS: tuple[str, ...] = (
    "greeting",
    "stock",
    "sizing",
    "logistics",
    "bargaining",
    "returns",
    "color_difference",
    "authenticity",
    "complaint",
    "thanks_bye",
)

BARGAIN_TYPES: tuple[str, ...] = ("promise", "comparison", "ultimatum", "excuse")

# Variables a template may use: the shop's settings plus what the suggester fills in per
# message. Anything else is a typo that would leave "{sise}" in a reply sent to a customer.
SHOP_VARIABLES: frozenset[str] = frozenset(
    {
        "shop_name",
        "agent_name",
        "courier",
        "discount",
        "vip_discount",
        "ship_days",
        "arrive_days",
        "return_days",
        "new_arrivals",
    }
)
MESSAGE_VARIABLES: frozenset[str] = frozenset(
    {
        "size",
        "usual_size",
        "color",
        "sku",
        "product_name",
        "product_price",
        "price",
        "variant",
        "similar",
        "bundle_price",
    }
)
TEMPLATE_VARIABLES: frozenset[str] = SHOP_VARIABLES | MESSAGE_VARIABLES

Weight = Annotated[float, Field(gt=0.0, le=1.0)]
NonEmptyText = Annotated[str, Field(min_length=1)]


def template_fields(template: str) -> list[str]:
    """Names of the ``{fields}`` in a template; raises ``ValueError`` if it is malformed."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must be a plain name like {{size}}")
        names.append(name)
    return names


def _check_patterns(patterns: dict[str, float]) -> dict[str, float]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"bad pattern {pattern!r}: {exc}") from None
    return patterns


def _check_templates(families: dict[str, list[str]]) -> dict[str, list[str]]:
    for family, templates in families.items():
        for template in templates:
            unknown = sorted(set(template_fields(template)) - TEMPLATE_VARIABLES)
            if unknown:
                raise ValueError(
                    f"reply family {family!r}: unknown variable(s) {', '.join(unknown)} "
                    f"in {template!r}; known: {', '.join(sorted(TEMPLATE_VARIABLES))}"
                )
    return families


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntentSpec(_Strict):
    """One intent: how to recognise it (patterns, examples) and what to answer."""

    keywords: dict[str, Weight] = Field(default_factory=dict)
    statement_keywords: dict[str, Weight] = Field(default_factory=dict)
    examples: list[NonEmptyText] = Field(default_factory=list)
    replies: dict[str, list[NonEmptyText]]
    weak: bool = False
    # The intent is how a customer vents: when the message asks for nothing and one of its
    # keywords hits, it wins over the topics mentioned (the slow parcel, the refund) —
    # those are what the customer is venting about, not a request.
    vents: bool = False
    # intent → keyword strength: when that intent's keywords hit at least this strongly,
    # this one steps back (fading plus "想换别的" is an exchange, not a colour question).
    defers_to: dict[str, Weight] = Field(default_factory=dict)
    subtypes: dict[str, dict[str, Weight]] = Field(default_factory=dict)

    @field_validator("keywords", "statement_keywords")
    @classmethod
    def _patterns_ok(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_patterns(value)

    @field_validator("defers_to")
    @classmethod
    def _defers_to_intents(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(INTENT_IDS))
        if unknown:
            raise ValueError(f"defers_to: unknown intent id(s) {', '.join(unknown)}")
        return value

    @field_validator("replies")
    @classmethod
    def _replies_ok(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not value.get("default"):
            raise ValueError("needs a non-empty 'default' reply family")
        return _check_templates(value)

    @field_validator("subtypes")
    @classmethod
    def _subtypes_ok(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for name, patterns in value.items():
            if name not in BARGAIN_TYPES:
                raise ValueError(f"unknown subtype {name!r}; use one of {', '.join(BARGAIN_TYPES)}")
            _check_patterns(patterns)
        return value


class OutOfScope(_Strict):
    """Things customers ask that no canned reply fits; they pull a message to ``unknown``."""

    keywords: dict[str, Weight] = Field(default_factory=dict)
    examples: list[NonEmptyText] = Field(default_factory=list)

    @field_validator("keywords")
    @classmethod
    def _patterns_ok(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_patterns(value)


class Phrasebook(_Strict):
    version: int = 1
    threshold: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5
    # The trained model's probability an intent needs before it is suggested; below it
    # the answer is ``unknown`` (a wrong suggestion costs more than none).
    abstain: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5
    question: str = r"吗|么|\?|？"
    out_of_scope: OutOfScope = OutOfScope()
    phrases: dict[str, list[NonEmptyText]] = Field(default_factory=dict)
    intents: dict[str, IntentSpec]

    @field_validator("phrases")
    @classmethod
    def _phrases_ok(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_templates(value)

    @field_validator("question")
    @classmethod
    def _question_ok(cls, value: str) -> str:
        _check_patterns({value: 1.0})
        return value

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: dict[str, IntentSpec]) -> dict[str, IntentSpec]:
        unknown = sorted(set(value) - set(INTENT_IDS))
        if unknown:
            raise ValueError(f"unknown intent id(s) {', '.join(unknown)}")
        missing = [name for name in INTENT_IDS if name not in value]
        if missing:
            raise ValueError(f"missing intent(s) {', '.join(missing)}")
        return value


class ShopRules(_Strict):
    """``rules/shop.yaml``: the shop's own words and numbers used in replies and pricing."""

    shop_name: NonEmptyText
    agent_name: NonEmptyText
    courier: NonEmptyText = "申通快递"
    discount: NonEmptyText = "九折"
    vip_discount: NonEmptyText = "9.8折"
    ship_days: NonEmptyText = "1-3"
    arrive_days: NonEmptyText = "3-7"
    return_days: Annotated[int, Field(ge=0)] = 7
    new_arrivals: NonEmptyText = "每半个月"
    max_discount: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.1
    bundle_factor: Annotated[float, Field(gt=1.0)] = 1.8

    def variables(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in sorted(SHOP_VARIABLES)}


class SizeRow(_Strict):
    """One size of the chart: garment waist/hip (cm) and the body it is made for."""

    name: NonEmptyText
    waist_cm: Annotated[float, Field(gt=0)]
    hip_cm: Annotated[float, Field(gt=0)]
    max_height_cm: Annotated[float, Field(gt=0)]
    max_weight_kg: Annotated[float, Field(gt=0)]


class SizeChart(_Strict):
    """``rules/size_chart.yaml``; rows from smallest to largest."""

    ease_cm: Annotated[float, Field(ge=0)] = 5.0
    sizes: list[SizeRow] = Field(min_length=1)
    usual: dict[str, str] = Field(default_factory=dict)

    @field_validator("sizes")
    @classmethod
    def _ascending(cls, rows: list[SizeRow]) -> list[SizeRow]:
        for before, after in zip(rows, rows[1:], strict=False):
            for attr in ("waist_cm", "hip_cm", "max_height_cm", "max_weight_kg"):
                if getattr(after, attr) < getattr(before, attr):
                    raise ValueError(f"sizes must grow: {after.name}.{attr} < {before.name}.{attr}")
        return rows

    @model_validator(mode="after")
    def _usual_targets(self) -> SizeChart:
        names = {row.name for row in self.sizes}
        bad = sorted(target for target in self.usual.values() if target not in names)
        if bad:
            raise ValueError(f"usual: size(s) {', '.join(bad)} not in sizes")
        return self
