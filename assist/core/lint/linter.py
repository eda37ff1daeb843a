"""Agent-message lint: negative language and rule breaks, checked live on every message.

Seed 000 §七.11 forbids negative language toward customers (我不能、我不会、我不愿意、
我不可以、但是); §六 asks for short, split messages typed at 50+ characters/minute;
seeds 002/003 require a welcome and a farewell. The linter tells the agent what to say
instead — and must not cry wolf, or agents stop looking. So every hit of a negative
pattern is checked against exceptions (reassurance, politeness, questions, conditionals
that offer a way out) before it becomes a :class:`Finding`.

Everything here is pure and deterministic: rules arrive as a validated :class:`LintRules`
model (read by :mod:`assist.assembly`, outside the core), patterns are compiled once, and
the ``lint_*`` methods do no I/O.

Span convention: ``start``/``end`` are Python ``str`` indices, end exclusive, so
``text[start:end] == phrase``. A subject written directly before the phrase (我们不能,
小妹无法) is part of the span, because the seed phrases themselves are 我不能 … and the
advice is about the whole "we can't" phrasing; a subject separated by other words
(小妹也办不到) is not.

Findings are sorted by ``start``; findings without a span (long_message,
missing_greeting, missing_closing, slow_typing) come after those with one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assist.core.lint.rules import (
    CompiledException,
    CompiledPattern,
    LintRules,
    PhraseListRule,
)
from assist.core.outputs import Finding

__all__ = ["Linter", "NEGATIVE_PHRASE"]

NEGATIVE_PHRASE = "negative_phrase"


class _HasAlternatives(Protocol):
    @property
    def alternatives(self) -> list[str]: ...


def _sort_key(finding: Finding) -> tuple[bool, int, int]:
    return (finding.start is None, finding.start or 0, finding.end or 0)


# How far either side of a phrase its exceptions look, and how many negative phrases
# one message reports: a panel shows a handful, and both bounds keep a pathological
# 20,000-character message from costing seconds.
_CONTEXT = 200
_MAX_NEGATIVE_FINDINGS = 20
_GIVE_UP_AFTER = 10 * _MAX_NEGATIVE_FINDINGS


def _breaks_regex(chars: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(chars) + "]") if chars else re.compile(r"(?!x)x")


@dataclass(frozen=True, slots=True)
class _Boundaries:
    """Clause and sentence break positions of one message, found once per message."""

    clause: list[int]
    sentence: list[int]
    length: int

    def span(self, breaks: list[int], start: int, end: int) -> tuple[int, int]:
        """The (first, past-terminator) bounds of the unit holding ``[start, end)``.

        At most ``_CONTEXT`` characters either side: context further away does not
        change what a phrase means, and an unpunctuated wall of text must not make
        every finding scan all of it.
        """
        i = bisect.bisect_left(breaks, start)
        lo = breaks[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(breaks, end)
        hi = breaks[j] + 1 if j < len(breaks) else self.length
        return max(lo, start - _CONTEXT), min(hi, end + _CONTEXT)


class Linter:
    """Checks agent messages against one loaded ``rules/lint.yaml``."""

    def __init__(self, rules: LintRules) -> None:
        self.rules = rules
        neg = rules.negative_phrase
        self._negative_severity = neg.severity
        self._subjects = tuple(sorted(neg.subjects, key=len, reverse=True))
        self._patterns = tuple(
            CompiledPattern(
                name=p.name,
                regex=re.compile("|".join(f"(?:{r})" for r in p.regex)),
                require_subject=p.require_subject,
                advice=p.advice if p.advice is not None else neg.advice,
                alternatives=tuple(
                    p.alternatives if p.alternatives is not None else neg.alternatives
                ),
            )
            for p in neg.patterns
        )
        # One cheap scan rejects the (common) clean message before any per-hit work.
        self._any_negative = re.compile("|".join(p.regex.pattern for p in self._patterns))
        self._exceptions = tuple(
            CompiledException(
                around=re.compile(e.around) if e.around else None,
                before=re.compile(e.before) if e.before else None,
                after=re.compile(e.after) if e.after else None,
                sentence_before=e.scope == "sentence",
                sentence_after=(e.after_scope or e.scope) == "sentence",
                only=frozenset(e.only) if e.only is not None else None,
                unless_refused=e.unless_refused,
            )
            for e in neg.exceptions
        )
        self._clause_breaks = _breaks_regex(neg.clause_breaks)
        self._sentence_breaks = _breaks_regex(neg.sentence_breaks)
        words = sorted(set(rules.impolite.words), key=len, reverse=True)
        self._impolite = re.compile("|".join(map(re.escape, words))) if words else None
        self._greeting = self._phrase_regex(rules.missing_greeting)
        self._closing = self._phrase_regex(rules.missing_closing)

    @staticmethod
    def _phrase_regex(rule: PhraseListRule) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in rule.phrases))

    # -- text-only rules ------------------------------------------------------------

    def lint_text(self, text: str) -> tuple[Finding, ...]:
        """negative_phrase, impolite and long_message: what needs no conversation."""
        findings = self._negative(text)
        if self._impolite is not None:
            rule = self.rules.impolite
            for m in self._impolite.finditer(text):
                findings.append(
                    Finding(
                        rule="impolite",
                        severity=rule.severity,
                        advice=rule.advice,
                        phrase=m.group(),
                        start=m.start(),
                        end=m.end(),
                        alternatives=tuple(rule.alternatives),
                    )
                )
        long = self.rules.long_message
        if len(text.strip()) > long.max_chars:
            findings.append(self._spanless("long_message", long.severity, long.advice, long))
        findings.sort(key=_sort_key)
        return tuple(findings)

    def lint_message(
        self, text: str, *, first_in_conversation: bool, typing_s: float | None
    ) -> tuple[Finding, ...]:
        """:meth:`lint_text` plus missing_greeting and slow_typing.

        Typing speed counts non-space characters over ``typing_s`` (from the platform's
        ``agent_typing`` to this message). Short messages (below ``min_chars``), a
        non-positive time and an implausibly long one (``max_typing_s``: the agent
        walked away, the typing event was stale) say nothing about speed and are skipped.
        """
        findings = list(self.lint_text(text))
        greeting = self.rules.missing_greeting
        if first_in_conversation and not self._greeting.search(text):
            findings.append(
                self._spanless("missing_greeting", greeting.severity, greeting.advice, greeting)
            )
        slow = self.rules.slow_typing
        chars = len("".join(text.split()))
        if typing_s is not None and 0 < typing_s <= slow.max_typing_s and chars >= slow.min_chars:
            per_minute = chars / (typing_s / 60.0)
            if per_minute < slow.min_chars_per_minute:
                advice = slow.advice.replace("{chars_per_minute}", f"{per_minute:.0f}")
                findings.append(self._spanless("slow_typing", slow.severity, advice, slow))
        findings.sort(key=_sort_key)
        return tuple(findings)

    def lint_close(self, agent_texts: Sequence[str]) -> tuple[Finding, ...]:
        """missing_closing: the conversation closed and none of the agent's last
        messages (most recent last) says goodbye. No agent message → nothing to judge."""
        if not agent_texts or any(self._closing.search(t) for t in agent_texts):
            return ()
        rule = self.rules.missing_closing
        return (self._spanless("missing_closing", rule.severity, rule.advice, rule),)

    @staticmethod
    def _spanless(name: str, severity: str, advice: str, rule: _HasAlternatives) -> Finding:
        return Finding(
            rule=name, severity=severity, advice=advice, alternatives=tuple(rule.alternatives)
        )

    # -- negative language ------------------------------------------------------------

    def _negative(self, text: str) -> list[Finding]:
        if not self._any_negative.search(text):
            return []
        bounds = _Boundaries(
            clause=[m.start() for m in self._clause_breaks.finditer(text)],
            sentence=[m.start() for m in self._sentence_breaks.finditer(text)],
            length=len(text),
        )
        around_cache: dict[int, tuple[list[int], list[int]]] = {}
        findings: list[Finding] = []
        taken = bytearray(len(text))  # characters already inside a reported phrase
        for pattern in self._patterns:
            for m in pattern.regex.finditer(text):
                if len(findings) >= _GIVE_UP_AFTER:  # a wall of refusals, not a message
                    break
                start, end = m.start(), m.end()
                subject = self._subject_before(text, start)
                if pattern.require_subject and not subject:
                    continue
                # Patterns run in file order, contrasts last: a refusal found before
                # this hit is already in ``findings``.
                refused = any(f.start is not None and f.start < start for f in findings)
                if self._excepted(
                    text, pattern.name, start, end, bounds, around_cache, refused=refused
                ):
                    continue
                start -= len(subject)
                if any(taken[start:end]):
                    continue
                taken[start:end] = b"\x01" * (end - start)
                findings.append(
                    Finding(
                        rule=NEGATIVE_PHRASE,
                        severity=self._negative_severity,
                        advice=pattern.advice,
                        phrase=text[start:end],
                        start=start,
                        end=end,
                        alternatives=pattern.alternatives,
                    )
                )
        findings.sort(key=_sort_key)
        return findings[:_MAX_NEGATIVE_FINDINGS]

    def _subject_before(self, text: str, start: int) -> str:
        """The longest configured subject written directly before ``start``, or ""."""
        for subject in self._subjects:
            if len(subject) <= start and text.startswith(subject, start - len(subject)):
                return subject
        return ""

    def _excepted(
        self,
        text: str,
        name: str,
        start: int,
        end: int,
        bounds: _Boundaries,
        around_cache: dict[int, tuple[list[int], list[int]]],
        *,
        refused: bool = False,
    ) -> bool:
        for index, exc in enumerate(self._exceptions):
            if exc.only is not None and name not in exc.only:
                continue
            if refused and exc.unless_refused:
                continue
            if exc.around is not None:
                spans = around_cache.get(index)
                if spans is None:
                    found = [m.span() for m in exc.around.finditer(text)]
                    spans = ([s for s, _ in found], [e for _, e in found])
                    around_cache[index] = spans
                # finditer's matches do not overlap, so starts and ends are both sorted:
                # the first match ending after ``start`` is the only one to check.
                first = bisect.bisect_right(spans[1], start)
                if first == len(spans[1]) or spans[0][first] >= end:
                    continue
            if exc.before is not None:
                breaks = bounds.sentence if exc.sentence_before else bounds.clause
                lo, _ = bounds.span(breaks, start, end)
                if not exc.before.search(text[lo:start]):
                    continue
            if exc.after is not None:
                breaks = bounds.sentence if exc.sentence_after else bounds.clause
                _, hi = bounds.span(breaks, start, end)
                if not exc.after.search(text[end:hi]):
                    continue
            return True
        return False
