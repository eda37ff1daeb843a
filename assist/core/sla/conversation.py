"""Everything that affects a conversation's SLA state lives here.

A conversation is in one of four phases. The table ``TRANSITIONS`` says, for each phase
and event type, which action applies; the actions are the only code that changes a
conversation. Timer expiry (warning, breach, escalation) is driven by ``due_timers``.

    phase              customer msg / opened      agent msg       closed     transfer
    idle               start wait (see below)     —               stop       reassign
    awaiting_greeting  keep the first start       meet            stop       reassign
    awaiting_reply     keep the first start       meet            stop       reassign
    closed             reopen, then as idle       —               —          reassign

"start wait": a greeting wait if no agent has spoken yet in this conversation, else a
reply wait, which only a customer *message* starts (DESIGN.md "Timer semantics").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from assist.core.events import Event, EventType
from assist.core.outputs import (
    Alert,
    AlertKind,
    Output,
    TimerState,
    TimerUpdate,
    WaitKind,
    WaitOutcome,
    WaitRecord,
)
from assist.core.sla.hours import SlaConfig
from assist.core.timeutil import from_micros, seconds_between, to_micros

__all__ = ["Conversation", "Phase", "Wait"]

_RECENT_AGENT_TEXTS = 3


class Phase(StrEnum):
    IDLE = "idle"
    AWAITING_GREETING = "awaiting_greeting"
    AWAITING_REPLY = "awaiting_reply"
    CLOSED = "closed"


@dataclass(slots=True)
class Wait:
    """A customer waiting for the agent; the three instants are fixed when it starts."""

    kind: WaitKind
    started_at: datetime
    warn_at: datetime | None
    deadline: datetime
    escalate_at: datetime
    warned: bool = False
    breached: bool = False
    escalated: bool = False

    @classmethod
    def begin(cls, kind: WaitKind, at: datetime, config: SlaConfig) -> Wait:
        hours = config.service_hours
        start = hours.clamp(at)
        limit = config.greeting_s if kind is WaitKind.GREETING else config.reply_s
        deadline = hours.add(start, limit)
        warn_at = hours.add(start, limit - config.warn_s) if 0 < config.warn_s < limit else None
        return cls(kind, start, warn_at, deadline, hours.add(start, config.escalate_s))

    def next_due(self) -> datetime | None:
        dues = []
        if self.warn_at is not None and not self.warned and not self.breached:
            dues.append(self.warn_at)
        if not self.breached:
            dues.append(self.deadline)
        if not self.escalated:
            dues.append(self.escalate_at)
        return min(dues) if dues else None

    def to_state(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "started_at": to_micros(self.started_at),
            "warn_at": to_micros(self.warn_at) if self.warn_at else None,
            "deadline": to_micros(self.deadline),
            "escalate_at": to_micros(self.escalate_at),
            "warned": self.warned,
            "breached": self.breached,
            "escalated": self.escalated,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Wait:
        return cls(
            kind=WaitKind(state["kind"]),
            started_at=from_micros(state["started_at"]),
            warn_at=from_micros(state["warn_at"]) if state.get("warn_at") else None,
            deadline=from_micros(state["deadline"]),
            escalate_at=from_micros(state["escalate_at"]),
            warned=bool(state["warned"]),
            breached=bool(state["breached"]),
            escalated=bool(state["escalated"]),
        )


@dataclass(slots=True)
class Conversation:
    id: str
    agent_id: str | None = None
    customer_id: str | None = None
    is_open: bool = True
    agent_spoken: bool = False
    wait: Wait | None = None
    agent_messages: int = 0
    typing_since: datetime | None = None
    recent_agent_texts: list[str] = field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def phase(self) -> Phase:
        if not self.is_open:
            return Phase.CLOSED
        if self.wait is None:
            return Phase.IDLE
        if self.wait.kind is WaitKind.GREETING:
            return Phase.AWAITING_GREETING
        return Phase.AWAITING_REPLY

    # -- applying events -------------------------------------------------------------

    def apply(self, event: Event, config: SlaConfig) -> list[Output]:
        """Apply one event (its timers already fired up to ``event.ts``)."""
        if event.customer_id is not None:
            self.customer_id = event.customer_id
        if event.agent_id is not None:
            self.agent_id = event.agent_id
        self.updated_at = event.ts
        action = TRANSITIONS.get((self.phase, event.type))
        outputs = action(self, event, config) if action else []
        if event.type is EventType.AGENT_MESSAGE:
            self.note_agent_text(event.text or "")
        return outputs

    def _timer(self, state: TimerState, at: datetime) -> TimerUpdate:
        wait = self.wait
        assert wait is not None
        return TimerUpdate(
            conversation_id=self.id,
            agent_id=self.agent_id,
            kind=wait.kind,
            state=state,
            started_at=wait.started_at,
            deadline=wait.deadline,
            at=at,
            waited_s=max(0.0, seconds_between(wait.started_at, at)),
        )

    def _start_wait(self, event: Event, config: SlaConfig) -> list[Output]:
        if not self.agent_spoken:
            kind = WaitKind.GREETING
        elif event.type is EventType.CUSTOMER_MESSAGE:
            kind = WaitKind.REPLY
        else:
            return []
        self.wait = Wait.begin(kind, event.ts, config)
        return [self._timer(TimerState.RUNNING, event.ts)]

    def _end_wait(self, outcome: WaitOutcome, at: datetime, answer_id: str | None) -> list[Output]:
        wait = self.wait
        assert wait is not None
        state = TimerState.MET if outcome is WaitOutcome.ANSWERED else TimerState.STOPPED
        outputs: list[Output] = [
            self._timer(state, at),
            WaitRecord(
                conversation_id=self.id,
                kind=wait.kind,
                agent_id=self.agent_id,
                started_at=wait.started_at,
                ended_at=max(at, wait.started_at),
                outcome=outcome,
                breached=wait.breached,
                escalated=wait.escalated,
                answer_id=answer_id,
            ),
        ]
        self.wait = None
        return outputs

    def _meet(self, event: Event, config: SlaConfig) -> list[Output]:
        return self._end_wait(WaitOutcome.ANSWERED, event.ts, event.id)

    def _stop(self, event: Event, config: SlaConfig) -> list[Output]:
        outputs = self._end_wait(WaitOutcome.CLOSED, event.ts, None) if self.wait else []
        self.is_open = False
        self.typing_since = None
        return outputs

    def _reopen(self, event: Event, config: SlaConfig) -> list[Output]:
        self.is_open = True
        return self._start_wait(event, config)

    # -- timers ----------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        return self.wait.next_due() if self.wait is not None and self.is_open else None

    def due_timers(self, until: datetime, config: SlaConfig, *, now: datetime) -> list[Output]:
        """Fire, in time order, every timer of the current wait due at or before ``until``.

        A warning whose deadline has also passed by ``now`` (say, after a restart) is
        dropped: the breach that follows says more.
        """
        outputs: list[Output] = []
        wait = self.wait
        while wait is not None:
            due = wait.next_due()
            if due is None or due > until:
                break
            if wait.warn_at == due and not wait.warned and not wait.breached:
                wait.warned = True
                if wait.deadline > now:
                    outputs.append(self._timer(TimerState.WARNING, due))
            elif wait.deadline == due and not wait.breached:
                wait.breached = True
                kind = (
                    AlertKind.GREETING_BREACH
                    if wait.kind is WaitKind.GREETING
                    else AlertKind.REPLY_BREACH
                )
                limit = config.greeting_s if wait.kind is WaitKind.GREETING else config.reply_s
                outputs.append(self._timer(TimerState.BREACHED, due))
                outputs.append(Alert(kind, self.id, self.agent_id, due, waited_s=float(limit)))
            else:
                wait.escalated = True
                outputs.append(
                    Alert(
                        AlertKind.ESCALATION,
                        self.id,
                        self.agent_id,
                        due,
                        waited_s=float(config.escalate_s),
                    )
                )
        return outputs

    # -- persistence -----------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "customer_id": self.customer_id,
            "is_open": self.is_open,
            "agent_spoken": self.agent_spoken,
            "wait": self.wait.to_state() if self.wait else None,
            "agent_messages": self.agent_messages,
            "typing_since": to_micros(self.typing_since) if self.typing_since else None,
            "recent_agent_texts": list(self.recent_agent_texts),
            "updated_at": to_micros(self.updated_at) if self.updated_at else None,
        }

    @classmethod
    def from_state(cls, conversation_id: str, state: dict[str, Any]) -> Conversation:
        return cls(
            id=conversation_id,
            agent_id=state.get("agent_id"),
            customer_id=state.get("customer_id"),
            is_open=bool(state.get("is_open", True)),
            agent_spoken=bool(state.get("agent_spoken", False)),
            wait=Wait.from_state(state["wait"]) if state.get("wait") else None,
            agent_messages=int(state.get("agent_messages", 0)),
            typing_since=_instant(state.get("typing_since")),
            recent_agent_texts=list(state.get("recent_agent_texts", [])),
            updated_at=_instant(state.get("updated_at")),
        )

    def note_agent_text(self, text: str) -> None:
        """Remember the agent's latest messages, which decide ``missing_closing``."""
        self.agent_spoken = True
        self.agent_messages += 1
        self.recent_agent_texts = [*self.recent_agent_texts, text][-_RECENT_AGENT_TEXTS:]


def _instant(micros: int | None) -> datetime | None:
    return from_micros(micros) if micros is not None else None


Action = Callable[[Conversation, Event, SlaConfig], list[Output]]

_C = EventType
TRANSITIONS: dict[tuple[Phase, EventType], Action] = {
    (Phase.IDLE, _C.CUSTOMER_MESSAGE): Conversation._start_wait,
    (Phase.IDLE, _C.CONVERSATION_OPENED): Conversation._start_wait,
    (Phase.IDLE, _C.CONVERSATION_CLOSED): Conversation._stop,
    (Phase.AWAITING_GREETING, _C.AGENT_MESSAGE): Conversation._meet,
    (Phase.AWAITING_GREETING, _C.CONVERSATION_CLOSED): Conversation._stop,
    (Phase.AWAITING_REPLY, _C.AGENT_MESSAGE): Conversation._meet,
    (Phase.AWAITING_REPLY, _C.CONVERSATION_CLOSED): Conversation._stop,
    (Phase.CLOSED, _C.CUSTOMER_MESSAGE): Conversation._reopen,
    (Phase.CLOSED, _C.CONVERSATION_OPENED): Conversation._reopen,
}
