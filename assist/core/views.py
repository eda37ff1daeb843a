"""How an open conversation looks to a panel or board that connects now: the one place.

A reconnecting page must be whole at once, and it must show what the server knows — the
timer state the core decided (running, warning, breached), the deadline, the server's
``now`` — rather than recomputing the SLA rules in JavaScript. So the snapshot view is
built here, next to the timer frames, from the conversation's :class:`Wait` and the
latest frames the conversation produced (customer message, suggestion, lint).

:class:`LatestFrames` remembers those latest frames per conversation. It is fed every
output that goes out — whether the engine produced it inline or a worker did later — so
it knows nothing of where suggestions are computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assist.core.events import EventType
from assist.core.outputs import EventRecord, LintReport, Output, Suggestion, TimerState
from assist.core.sla.conversation import Conversation, Wait
from assist.core.timeutil import format_ts, seconds_between

__all__ = ["LatestFrames", "conversation_view", "snapshot_frame", "timer_state", "timer_view"]


def timer_state(wait: Wait) -> TimerState:
    """Where a running wait stands, as its last timer frame said."""
    if wait.breached:
        return TimerState.BREACHED
    if wait.warned:
        return TimerState.WARNING
    return TimerState.RUNNING


def timer_view(wait: Wait, now: datetime) -> dict[str, Any]:
    view: dict[str, Any] = {
        "kind": wait.kind.value,
        "state": timer_state(wait).value,
        "started_at": format_ts(wait.started_at),
        "deadline": format_ts(wait.deadline),
        "warn_at": format_ts(wait.warn_at) if wait.warn_at is not None else None,
        "waited_s": max(0.0, seconds_between(wait.started_at, now)),
    }
    return view


@dataclass(slots=True)
class _Latest:
    """The outputs themselves (immutable); their frames are built when a snapshot asks.

    Every customer message, suggestion and lint report passes through
    :meth:`LatestFrames.note`; building each one's frame there cost ingest ~7% of the
    event loop under load, for snapshots that are rarely taken.
    """

    message: EventRecord | None = None
    suggested: Suggestion | None = None
    linted: LintReport | None = None
    # The latest customer message as put back after a restart (no event kept for it).
    restored_message: dict[str, Any] | None = None

    @property
    def message_id(self) -> str | None:
        if self.message is not None:
            return self.message.event.id
        return self.restored_message["message_id"] if self.restored_message else None

    @property
    def customer_message(self) -> dict[str, Any] | None:
        if self.message is None:
            return self.restored_message
        event = self.message.event
        return {"message_id": event.id, "text": event.text or "", "at": format_ts(event.ts)}

    @property
    def suggestion(self) -> dict[str, Any] | None:
        return self.suggested.to_frame() if self.suggested is not None else None

    @property
    def lint(self) -> dict[str, Any] | None:
        return self.linted.to_frame() if self.linted is not None else None


class LatestFrames:
    """The latest customer message, suggestion and lint frame of each conversation."""

    def __init__(self) -> None:
        self._by_conversation: dict[str, _Latest] = {}

    def note(self, outputs: Iterable[Output]) -> None:
        for output in outputs:
            if isinstance(output, EventRecord):
                event = output.event
                if event.type is EventType.CUSTOMER_MESSAGE:
                    latest = self._entry(event.conversation_id)
                    latest.message, latest.restored_message = output, None
                    # The suggestion for an older message no longer answers this one.
                    latest.suggested = None
            elif isinstance(output, Suggestion):
                latest = self._entry(output.conversation_id)
                current = latest.message_id
                if current is None or current == output.message_id:
                    latest.suggested = output
            elif isinstance(output, LintReport):
                self._entry(output.conversation_id).linted = output

    def restore(
        self,
        conversation_id: str,
        message_id: str,
        text: str,
        at: datetime,
        suggestion: Suggestion | None,
    ) -> None:
        """Put back, after a restart, the latest customer message and its suggestion."""
        latest = self._entry(conversation_id)
        latest.message = None
        latest.restored_message = {"message_id": message_id, "text": text, "at": format_ts(at)}
        latest.suggested = suggestion

    def forget(self, conversation_ids: Iterable[str]) -> None:
        for conversation_id in conversation_ids:
            self._by_conversation.pop(conversation_id, None)

    def get(self, conversation_id: str) -> _Latest:
        return self._by_conversation.get(conversation_id) or _Latest()

    def __len__(self) -> int:
        return len(self._by_conversation)

    def _entry(self, conversation_id: str) -> _Latest:
        latest = self._by_conversation.get(conversation_id)
        if latest is None:
            latest = self._by_conversation[conversation_id] = _Latest()
        return latest


def conversation_view(
    conversation: Conversation, now: datetime, latest: LatestFrames | None = None
) -> dict[str, Any]:
    """One open conversation as a snapshot shows it: who, its timer, what was said."""
    frames = latest.get(conversation.id) if latest is not None else _Latest()
    wait = conversation.wait
    return {
        "conversation_id": conversation.id,
        "agent_id": conversation.agent_id,
        "customer_id": conversation.customer_id,
        "phase": conversation.phase.value,
        "timer": timer_view(wait, now) if wait is not None else None,
        "last_customer_message": frames.customer_message,
        "suggestion": frames.suggestion,
        "lint": frames.lint,
    }


def snapshot_frame(
    conversations: Iterable[Conversation],
    now: datetime,
    *,
    warn_s: float,
    latest: LatestFrames | None = None,
    alerts: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The first frame of every channel: the open conversations it covers, whole."""
    return {
        "type": "snapshot",
        "at": format_ts(now),
        "warn_s": warn_s,
        "conversations": [conversation_view(c, now, latest) for c in conversations],
        "alerts": list(alerts),
    }
