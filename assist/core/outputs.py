"""What the core hands back: frames for the channels and records for the store.

Outputs are plain frozen values. A breach is an ordinary output, never an exception; the
adapters decide where each one goes (agent socket, supervisor socket, SQL, metrics).
Everything that becomes a frame has ``to_frame()`` giving exactly DESIGN.md's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from assist.core.events import Event
from assist.core.timeutil import format_ts

__all__ = [
    "Alert",
    "AlertKind",
    "ConversationChange",
    "ConversationSnapshot",
    "EventRecord",
    "Finding",
    "Frame",
    "LintReport",
    "NlpKind",
    "NlpRequest",
    "Output",
    "ShiftEnd",
    "Suggestion",
    "SuggestionResult",
    "TimerState",
    "TimerUpdate",
    "WaitKind",
    "WaitOutcome",
    "WaitRecord",
]


class WaitKind(StrEnum):
    GREETING = "greeting"
    REPLY = "reply"


class TimerState(StrEnum):
    RUNNING = "running"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    STOPPED = "stopped"


class WaitOutcome(StrEnum):
    ANSWERED = "answered"
    CLOSED = "closed"


class AlertKind(StrEnum):
    GREETING_BREACH = "greeting_breach"
    REPLY_BREACH = "reply_breach"
    ESCALATION = "escalation"
    NEGATIVE_PHRASE = "negative_phrase"
    UNPAID_ORDER = "unpaid_order"
    COMPLAINT = "complaint"


@dataclass(frozen=True, slots=True)
class TimerUpdate:
    """A wait changed state; goes to the agent's panel (and the supervisor board)."""

    conversation_id: str
    agent_id: str | None
    kind: WaitKind
    state: TimerState
    started_at: datetime
    deadline: datetime
    at: datetime
    waited_s: float
    warn_at: datetime | None = None
    late: bool = False

    def to_frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "timer",
            "conversation_id": self.conversation_id,
            "agent_id": self.agent_id,
            "kind": self.kind.value,
            "state": self.state.value,
            "started_at": format_ts(self.started_at),
            "deadline": format_ts(self.deadline),
            "at": format_ts(self.at),
            "waited_s": self.waited_s,
        }
        if self.warn_at is not None:
            frame["warn_at"] = format_ts(self.warn_at)
        if self.state is TimerState.MET:
            # Answered, but after the deadline had passed: the panel shows it as late.
            frame["late"] = self.late
        return frame


@dataclass(frozen=True, slots=True)
class Alert:
    """Something a supervisor must see now: a breach, an escalation, a flagged phrase."""

    kind: AlertKind
    conversation_id: str
    agent_id: str | None
    at: datetime
    waited_s: float | None = None
    message_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "alert",
            "kind": self.kind.value,
            "conversation_id": self.conversation_id,
            "agent_id": self.agent_id,
            "at": format_ts(self.at),
        }
        if self.waited_s is not None:
            frame["waited_s"] = self.waited_s
        if self.message_id is not None:
            frame["message_id"] = self.message_id
        frame.update(self.detail)
        return frame


@dataclass(frozen=True, slots=True)
class Finding:
    """One lint finding in an agent message; ``start``/``end`` are character offsets."""

    rule: str
    severity: str
    advice: str
    phrase: str | None = None
    start: int | None = None
    end: int | None = None
    alternatives: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "severity": self.severity}
        if self.phrase is not None:
            data.update(phrase=self.phrase, start=self.start, end=self.end)
        data.update(advice=self.advice, alternatives=list(self.alternatives))
        return data


@dataclass(frozen=True, slots=True)
class LintReport:
    conversation_id: str
    agent_id: str | None
    message_id: str
    findings: tuple[Finding, ...]
    # The agent message's event time (what stats count it by); not part of the frame.
    at: datetime | None = field(default=None, compare=False)

    def to_frame(self) -> dict[str, Any]:
        return {
            "type": "lint",
            "conversation_id": self.conversation_id,
            "agent_id": self.agent_id,
            "message_id": self.message_id,
            "findings": [finding.to_dict() for finding in self.findings],
        }


@dataclass(frozen=True, slots=True)
class SuggestionResult:
    """What the matcher concluded about one customer text, before it is addressed."""

    intent: str
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)
    replies: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "slots": self.slots,
            "replies": list(self.replies),
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Replies for one customer message; ``text``/``at`` are that message, so a panel can
    show what the customer wrote next to what to answer."""

    conversation_id: str
    agent_id: str | None
    message_id: str
    result: SuggestionResult
    text: str | None = None
    # The customer message's event time (what stats count it by); not part of the frame.
    at: datetime | None = field(default=None, compare=False)

    def to_frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "suggestion",
            "conversation_id": self.conversation_id,
            "agent_id": self.agent_id,
            "message_id": self.message_id,
        }
        frame.update(self.result.to_dict())
        if self.text is not None:
            frame["text"] = self.text
        if self.at is not None:
            frame["at"] = format_ts(self.at)
        return frame


@dataclass(frozen=True, slots=True)
class ConversationChange:
    """A conversation left an agent's hands: closed, or transferred to someone else.

    Without it a panel could not tell that a conversation with no running timer was
    closed, or that it now belongs to another agent; ``agent_id`` is the agent losing it
    (so the frame reaches that agent's panel), ``to_agent_id`` the new one on a transfer.
    """

    conversation_id: str
    agent_id: str | None
    change: str  # "closed" | "transferred"
    at: datetime
    to_agent_id: str | None = None

    def to_frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "conversation",
            "conversation_id": self.conversation_id,
            "agent_id": self.agent_id,
            "change": self.change,
            "at": format_ts(self.at),
        }
        if self.to_agent_id is not None:
            frame["to_agent_id"] = self.to_agent_id
        return frame


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An accepted event with what the core attributed to it (for the store, not a frame).

    ``agent_id`` is the agent the event counts for: the sender of an agent message, the
    agent assigned when a customer message arrived. ``typing_s`` is the time from the
    agent's typing start to this message, where the platform reported typing.
    """

    event: Event
    agent_id: str | None
    typing_s: float | None = None


@dataclass(frozen=True, slots=True)
class WaitRecord:
    """A finished wait; ``agent_id`` is the agent assigned when it ended."""

    conversation_id: str
    kind: WaitKind
    agent_id: str | None
    started_at: datetime
    ended_at: datetime
    outcome: WaitOutcome
    breached: bool
    escalated: bool
    answer_id: str | None = None

    @property
    def waited_s(self) -> float:
        return round((self.ended_at - self.started_at).total_seconds(), 3)


@dataclass(frozen=True, slots=True)
class ConversationSnapshot:
    """The whole state of one conversation, enough to rebuild it after a restart."""

    conversation_id: str
    state: dict[str, Any]
    open: bool
    updated_at: datetime


class NlpKind(StrEnum):
    SUGGEST = "suggest"  # a customer message: which canned replies fit
    LINT = "lint"  # an agent message: what is wrong with it
    CLOSE = "close"  # a closed conversation: did the agent say goodbye
    # A customer message the agent has already answered, while the workers are behind:
    # its suggestion is worth making only if it is a complaint (the alert comes with it).
    SCREEN = "screen"


@dataclass(frozen=True, slots=True)
class NlpRequest:
    """Everything one event's NLP step needs, captured when the engine applied it.

    ``at`` is the event's time (findings and suggestions are counted by it);
    ``texts`` are the agent's last messages for :attr:`NlpKind.CLOSE`.
    """

    kind: NlpKind
    conversation_id: str
    agent_id: str | None
    message_id: str
    at: datetime
    text: str = ""
    product_id: str | None = None
    first_in_conversation: bool = False
    typing_s: float | None = None
    texts: tuple[str, ...] = ()
    # SUGGEST: an order was paid earlier in this conversation (a thank-you then gets the
    # new-VIP reply first).
    order_paid: bool = False


@dataclass(frozen=True, slots=True)
class ShiftEnd:
    """A shift ended for ``agents`` at ``at`` (not a frame: the service answers it with
    a ``handover`` frame per agent, built from the store); ``next_agents`` take over."""

    shift: str
    label: str
    at: datetime
    agents: tuple[str, ...]
    next_agents: tuple[str, ...]


Frame = TimerUpdate | Alert | LintReport | Suggestion | ConversationChange
Output = Frame | EventRecord | WaitRecord | ConversationSnapshot | ShiftEnd | NlpRequest
