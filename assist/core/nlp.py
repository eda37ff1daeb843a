"""The NLP step of an event — suggestion or lint — as a value that can travel.

The engine decides *what* NLP work an event needs (an :class:`NlpRequest`) while it
holds the conversation's state; *doing* it (:func:`run_request`) needs only the request
and the rules, and turning the answer into frames (:func:`request_outputs`) needs only
the request and the answer. Replay and tests run the three steps inline, one after the
other; the live service runs the middle one in worker processes, so the timers and acks
never wait for jieba or the matcher. One logic, two drivers: the outputs are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from assist.core.outputs import (
    Alert,
    AlertKind,
    Finding,
    LintReport,
    NlpKind,
    NlpRequest,
    Output,
    Suggestion,
    SuggestionResult,
)
from assist.core.qa.followup import complaint_alert
from assist.core.suggest.context import SuggestContext

__all__ = [
    "LintsMessages",
    "NlpKind",
    "NlpRequest",
    "NlpResult",
    "SuggestsReplies",
    "request_outputs",
    "run_request",
]


class SuggestsReplies(Protocol):
    """What the engine needs of a suggester (:class:`assist.core.suggest.suggester.Suggester`)."""

    def suggest(
        self,
        text: str,
        product_id: str | None = None,
        *,
        context: SuggestContext | None = None,
    ) -> SuggestionResult: ...

    def left_without_buying(self) -> SuggestionResult: ...

    def may_be_complaint(self, text: str) -> bool: ...


class LintsMessages(Protocol):
    """What the engine needs of a linter (:class:`assist.core.lint.linter.Linter`)."""

    def lint_message(
        self, text: str, *, first_in_conversation: bool, typing_s: float | None
    ) -> tuple[Finding, ...]: ...

    def lint_close(self, agent_texts: Sequence[str]) -> tuple[Finding, ...]: ...


NlpResult = SuggestionResult | tuple[Finding, ...]
_PAID = SuggestContext(order_placed=True, order_paid=True)


def run_request(
    request: NlpRequest, suggester: SuggestsReplies | None, linter: LintsMessages | None
) -> NlpResult | None:
    """The suggestion or the findings for ``request``; None when no rules for it are loaded."""
    if request.kind is NlpKind.SUGGEST or request.kind is NlpKind.SCREEN:
        if suggester is None:
            return None
        if request.kind is NlpKind.SCREEN and not suggester.may_be_complaint(request.text):
            return None
        context = _PAID if request.order_paid else None
        return suggester.suggest(request.text, request.product_id, context=context)
    if linter is None:
        return None
    if request.kind is NlpKind.LINT:
        return linter.lint_message(
            request.text,
            first_in_conversation=request.first_in_conversation,
            typing_s=request.typing_s,
        )
    return linter.lint_close(request.texts)


def request_outputs(request: NlpRequest, result: NlpResult | None) -> list[Output]:
    """The frames (and store records) ``result`` makes: a suggestion (and a complaint
    alert when it classified the message as one); a lint report and, for negative
    phrases, an alert. A closing check that found nothing says nothing."""
    if result is None:
        return []
    if isinstance(result, SuggestionResult):
        suggestion = Suggestion(
            request.conversation_id,
            request.agent_id,
            request.message_id,
            result,
            text=request.text,
            at=request.at,
        )
        complaint = complaint_alert(suggestion, request.text, request.at)
        return [suggestion] if complaint is None else [suggestion, complaint]
    if request.kind is NlpKind.CLOSE and not result:
        return []
    outputs: list[Output] = [
        LintReport(
            request.conversation_id, request.agent_id, request.message_id, result, request.at
        )
    ]
    phrases = [f.phrase for f in result if f.rule == "negative_phrase" and f.phrase]
    if phrases:
        outputs.append(
            Alert(
                AlertKind.NEGATIVE_PHRASE,
                request.conversation_id,
                request.agent_id,
                request.at,
                message_id=request.message_id,
                detail={"phrase": phrases[0], "phrases": phrases, "text": request.text},
            )
        )
    return outputs
