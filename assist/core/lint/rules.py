"""The lint rule file (``rules/lint.yaml``): typed models, validation and compilation.

A shop tunes what counts as negative language without touching code, so every pattern,
exception, threshold and piece of advice lives in YAML. Loading is a pure function of the
file's text: it validates with pydantic (errors name the line, via
:func:`assist.rulesfile.load_yaml_model`, outside the core), compiles every regular
expression once and returns frozen values, so the service can call it again to reload
without a restart and a bad edit is rejected before it replaces the working rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CompiledException",
    "CompiledPattern",
    "ExceptionSpec",
    "LintRules",
    "PatternSpec",
]


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Advice(_Strict):
    """What every rule tells the agent: how serious, what to do, what to say instead.

    Agents read the advice in the middle of a chat: plain words, no rulebook section
    marks (§七.11) — those belong in the YAML comments and the docs.
    """

    severity: str = "warning"
    advice: str
    alternatives: list[str] = Field(default_factory=list)

    @field_validator("advice", "alternatives")
    @classmethod
    def _plain_words(cls, value: str | list[str]) -> str | list[str]:
        for text in [value] if isinstance(value, str) else value:
            if "§" in text:
                raise ValueError(
                    f"{text!r}: advice is shown to agents; keep rulebook references (§…) "
                    "in a comment, not in the text"
                )
        return value


class PatternSpec(_Strict):
    """One family of negative phrases, e.g. plain refusals; ``regex`` is a Python regex."""

    name: str = Field(min_length=1)
    regex: list[str] = Field(min_length=1)
    require_subject: bool = False
    advice: str | None = None
    alternatives: list[str] | None = None

    @field_validator("regex")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        for item in value:
            _check_regex(item)
            if re.compile(item).search("") is not None:
                raise ValueError(f"regular expression {item!r} matches the empty string")
        return value


class ExceptionSpec(_Strict):
    """When a hit is harmless. Every condition given must hold (they are ANDed).

    - ``around``: a match of this regex in the message overlaps the hit (不会影响, 不但).
    - ``before``: searched in the text from the start of the hit's clause (or sentence,
      see ``scope``) up to the hit; anchor with ``$`` to mean "right before".
    - ``after``: searched in the text from the hit's end to its clause/sentence end,
      terminator included; anchor with ``^`` to mean "right after".
    - ``only``: pattern names it applies to (default: all).
    """

    around: str | None = None
    before: str | None = None
    after: str | None = None
    scope: Literal["clause", "sentence"] = "clause"
    after_scope: Literal["clause", "sentence"] | None = None
    only: list[str] | None = None
    # The exception does not apply when a refusal was already found earlier in the same
    # message: "这个不能退，但是可以换" — after a refusal, 但是 is part of the no.
    unless_refused: bool = False
    why: str = ""

    @field_validator("around", "before", "after")
    @classmethod
    def _valid(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value)

    @model_validator(mode="after")
    def _some_condition(self) -> ExceptionSpec:
        if self.around is None and self.before is None and self.after is None:
            raise ValueError("an exception needs at least one of around, before, after")
        return self


class NegativeRule(_Advice):
    severity: str = "warning"
    subjects: list[str] = Field(default_factory=list)
    clause_breaks: str = "，,。！!？?；;~～…\n\t "
    sentence_breaks: str = "。！!？?；;\n"
    patterns: list[PatternSpec] = Field(min_length=1)
    exceptions: list[ExceptionSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_names(self) -> NegativeRule:
        names = [pattern.name for pattern in self.patterns]
        if len(set(names)) != len(names):
            raise ValueError(f"pattern names must be unique, got {names}")
        for exception in self.exceptions:
            for name in exception.only or ():
                if name not in names:
                    raise ValueError(f"exception refers to unknown pattern {name!r}")
        return self


class ImpoliteRule(_Advice):
    severity: str = "error"
    words: list[str] = Field(default_factory=list)

    @field_validator("words")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if any(not word for word in value):
            raise ValueError("impolite words must not be empty")
        return value


class LongMessageRule(_Advice):
    severity: str = "info"
    max_chars: int = Field(gt=0)


class PhraseListRule(_Advice):
    """missing_greeting / missing_closing: the message(s) must match one of ``phrases``."""

    severity: str = "warning"
    phrases: list[str] = Field(min_length=1)

    @field_validator("phrases")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        for item in value:
            _check_regex(item)
        return value


class SlowTypingRule(_Advice):
    severity: str = "info"
    min_chars_per_minute: float = Field(gt=0)
    min_chars: int = Field(default=10, ge=1)
    max_typing_s: float = Field(default=600.0, gt=0)


class LintRules(_Strict):
    """The whole ``rules/lint.yaml``."""

    version: Literal[1] = 1
    negative_phrase: NegativeRule
    impolite: ImpoliteRule
    long_message: LongMessageRule
    missing_greeting: PhraseListRule
    missing_closing: PhraseListRule
    slow_typing: SlowTypingRule


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    name: str
    regex: re.Pattern[str]
    require_subject: bool
    advice: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledException:
    around: re.Pattern[str] | None
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    sentence_before: bool
    sentence_after: bool
    only: frozenset[str] | None
    unless_refused: bool = False
