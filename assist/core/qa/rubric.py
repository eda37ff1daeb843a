"""The rubric of seed 003 §七, applied to one closed conversation.

Seed 003 has a QA lead read chat records and judge greeting, closing, attitude, wording
and timely response. assist already judges each of those live — the linter flags a
missing welcome, a missing farewell, negative and impolite wording; the SLA timers
record every breached wait — so the rubric does not judge a second time: it reads those
verdicts back from what was stored and adds the one thing only a closed chat shows, a
customer message nobody answered. Each item says why it failed and which message it
points at, so a QA lead can open that message instead of reading the whole chat.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assist.core.qa.rules import QaRules
from assist.core.timeutil import format_ts

__all__ = [
    "ChatFacts",
    "ChatScore",
    "EventFact",
    "FindingFact",
    "ItemResult",
    "WaitFact",
    "item_label",
    "score",
    "unanswered",
]


@dataclass(frozen=True, slots=True)
class EventFact:
    """A stored event, as much of it as the rubric reads."""

    id: str
    type: str
    ts: datetime
    agent_id: str | None = None
    text: str | None = None
    order_id: str | None = None
    amount: float | None = None


@dataclass(frozen=True, slots=True)
class FindingFact:
    """A stored lint finding (``message_id`` is the agent message or the close event)."""

    message_id: str
    rule: str
    phrase: str | None = None


@dataclass(frozen=True, slots=True)
class WaitFact:
    """A finished wait: ``kind`` greeting/reply, ``breached`` when its deadline passed."""

    kind: str
    started_at: datetime
    waited_s: float
    breached: bool
    answer_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChatFacts:
    """Everything stored about one conversation that the rubric needs, oldest first."""

    conversation_id: str
    agent_id: str | None
    closed_at: datetime | None
    events: tuple[EventFact, ...]
    findings: tuple[FindingFact, ...] = ()
    waits: tuple[WaitFact, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One rubric item's verdict; ``message_id``/``text``: the message it points at."""

    item: str
    passed: bool
    reason: str = ""
    message_id: str | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "passed": self.passed,
            "reason": self.reason,
            "message_id": self.message_id,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class ChatScore:
    """The rubric's verdict on one conversation: it fails when any item fails."""

    conversation_id: str
    agent_id: str | None
    closed_at: datetime | None
    items: tuple[ItemResult, ...]

    @property
    def passed(self) -> bool:
        return all(item.passed for item in self.items)

    def reasons(self) -> list[str]:
        return [item.reason for item in self.items if not item.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "agent_id": self.agent_id,
            "closed_at": format_ts(self.closed_at) if self.closed_at else None,
            "passed": self.passed,
            "items": [item.to_dict() for item in self.items],
        }


_ITEM_LABELS = {
    "greeting": "问候语",
    "closing": "结束语",
    "attitude": "服务态度",
    "timely": "响应及时",
    "answered": "问题已回复",
}


def _texts(facts: ChatFacts) -> dict[str, str | None]:
    return {event.id: event.text for event in facts.events}


def _agent_messages(facts: ChatFacts) -> list[EventFact]:
    return [event for event in facts.events if event.type == "agent_message"]


def _greeting(facts: ChatFacts, rules: QaRules) -> ItemResult:
    messages = _agent_messages(facts)
    if not messages:
        return ItemResult("greeting", False, "问候语：客服没有发言")
    missing = [f for f in facts.findings if f.rule == "missing_greeting"]
    if missing:
        first = messages[0]
        return ItemResult("greeting", False, "问候语：首条回复没有欢迎语", first.id, first.text)
    return ItemResult("greeting", True)


def _closing(facts: ChatFacts, rules: QaRules) -> ItemResult:
    messages = _agent_messages(facts)
    if not messages:
        return ItemResult("closing", False, "结束语：客服没有发言")
    if any(f.rule == "missing_closing" for f in facts.findings):
        last = messages[-1]
        return ItemResult("closing", False, "结束语：结束前没有道别", last.id, last.text)
    return ItemResult("closing", True)


def _attitude(facts: ChatFacts, rules: QaRules) -> ItemResult:
    flagged = [f for f in facts.findings if f.rule in rules.attitude_rules]
    if not flagged:
        return ItemResult("attitude", True)
    first = flagged[0]
    phrases = "、".join(dict.fromkeys(f.phrase for f in flagged if f.phrase))
    reason = f"服务态度：{len(flagged)} 处不当用语" + (f"（{phrases}）" if phrases else "")
    return ItemResult(
        "attitude", False, reason, first.message_id, _texts(facts).get(first.message_id)
    )


def _timely(facts: ChatFacts, rules: QaRules) -> ItemResult:
    late = [wait for wait in facts.waits if wait.breached]
    if not late:
        return ItemResult("timely", True)
    first = late[0]
    kind = "首次响应" if first.kind == "greeting" else "回复"
    reason = f"响应及时：{len(late)} 次超时（{kind}等待 {first.waited_s:g} 秒）"
    text = _texts(facts).get(first.answer_id) if first.answer_id else None
    return ItemResult("timely", False, reason, first.answer_id, text)


def unanswered(events: Iterable[EventFact]) -> list[EventFact]:
    """Customer messages after the agent's last message."""
    pending: list[EventFact] = []
    for event in events:
        if event.type == "customer_message":
            pending.append(event)
        elif event.type == "agent_message":
            pending.clear()
    return pending


def _answered(facts: ChatFacts, rules: QaRules) -> ItemResult:
    pending = unanswered(facts.events)
    if not pending:
        return ItemResult("answered", True)
    first = pending[0]
    reason = f"问题已回复：结束时仍有 {len(pending)} 条顾客消息未回复"
    return ItemResult("answered", False, reason, first.id, first.text)


_ITEMS = {
    "greeting": _greeting,
    "closing": _closing,
    "attitude": _attitude,
    "timely": _timely,
    "answered": _answered,
}


def score(facts: ChatFacts, rules: QaRules) -> ChatScore:
    """Judge ``facts`` item by item, in the order ``rules.items`` lists them."""
    items = tuple(_ITEMS[name](facts, rules) for name in rules.items)
    return ChatScore(facts.conversation_id, facts.agent_id, facts.closed_at, items)


def item_label(item: str) -> str:
    """The Chinese name of a rubric item, for pages and CSV files."""
    return _ITEM_LABELS.get(item, item)
