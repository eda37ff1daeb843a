"""Everything that affects a conversation's SLA state lives here.

A conversation is in one of four phases. The table ``TRANSITIONS`` at the bottom says, for
every phase and every event type, which action applies; the actions are the only code that
changes a conversation's phase, its wait, whether an agent has spoken, and its typing
clock. Before the table, every event may update *who* (customer, assigned agent) and
*when* (last activity). Timer expiry (warning, breach, escalation) is ``due_timers``.

    phase              customer msg / opened   agent msg      typing   transfer   closed
    idle               start wait (below)      speak          typing   reassign   stop
    awaiting_greeting  keep the first start    meet           typing   reassign   stop
    awaiting_reply     keep the first start    meet           typing   reassign   stop
    closed             reopen, then as idle    speak          typing   reassign   —

Orders and complaints leave the SLA state as it is (``—`` for every phase).
"start wait": a greeting wait if no agent has spoken yet in this conversation, else a
reply wait, which only a customer *message* starts (DESIGN.md "Timer semantics").
"speak": an agent message with no customer waiting (outreach before the first customer
message counts as the greeting). "reassign": the wait keeps running for the new agent.
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

__all__ = ["Applied", "Conversation", "Phase", "TRANSITIONS", "Wait"]

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


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying one event produced; ``typing_s`` is the typing time of an agent
    message (from the first ``agent_typing`` before it), when there was one."""

    outputs: list[Output]
    typing_s: float | None = None


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

    def apply(self, event: Event, config: SlaConfig) -> Applied:
        """Apply one event (its timers already fired up to ``event.ts``)."""
        if event.customer_id is not None:
            self.customer_id = event.customer_id
        if event.agent_id is not None:
            self.agent_id = event.agent_id
        self.updated_at = event.ts
        return TRANSITIONS[(self.phase, event.type)](self, event, config)

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
            warn_at=wait.warn_at,
            late=wait.breached,
        )

    def _start_wait(self, event: Event, config: SlaConfig) -> Applied:
        if not self.agent_spoken:
            kind = WaitKind.GREETING
        elif event.type is EventType.CUSTOMER_MESSAGE:
            kind = WaitKind.REPLY
        else:
            return Applied([])
        self.wait = Wait.begin(kind, event.ts, config)
        return Applied([self._timer(TimerState.RUNNING, event.ts)])

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

    def _meet(self, event: Event, config: SlaConfig) -> Applied:
        outputs = self._end_wait(WaitOutcome.ANSWERED, event.ts, event.id)
        return Applied(outputs, self._agent_spoke(event))

    def _speak(self, event: Event, config: SlaConfig) -> Applied:
        return Applied([], self._agent_spoke(event))

    def _agent_spoke(self, event: Event) -> float | None:
        """Count the agent's message, remember its text (for ``missing_closing``) and
        return how long it was typed, if an ``agent_typing`` came first."""
        self.agent_spoken = True
        self.agent_messages += 1
        self.recent_agent_texts = [*self.recent_agent_texts, event.text or ""][
            -_RECENT_AGENT_TEXTS:
        ]
        typing_s = None
        if self.typing_since is not None:
            typing_s = seconds_between(self.typing_since, event.ts)
            self.typing_since = None
        return typing_s

    def _typing(self, event: Event, config: SlaConfig) -> Applied:
        if self.typing_since is None:
            self.typing_since = event.ts
        return Applied([])

    def _reassign(self, event: Event, config: SlaConfig) -> Applied:
        # The new agent_id was taken above; a running wait simply carries on for them.
        return Applied([])

    def _keep(self, event: Event, config: SlaConfig) -> Applied:
        return Applied([])

    def _stop(self, event: Event, config: SlaConfig) -> Applied:
        outputs = self._end_wait(WaitOutcome.CLOSED, event.ts, None) if self.wait else []
        self.is_open = False
        self.typing_since = None
        return Applied(outputs)

    def _reopen(self, event: Event, config: SlaConfig) -> Applied:
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


def _instant(micros: int | None) -> datetime | None:
    return from_micros(micros) if micros is not None else None


Action = Callable[[Conversation, Event, SlaConfig], Applied]

_P, _E, _C = Phase, EventType, Conversation
_OPEN_PHASES = (_P.IDLE, _P.AWAITING_GREETING, _P.AWAITING_REPLY)

TRANSITIONS: dict[tuple[Phase, EventType], Action] = {
    # customer arrives or writes
    (_P.IDLE, _E.CUSTOMER_MESSAGE): _C._start_wait,
    (_P.IDLE, _E.CONVERSATION_OPENED): _C._start_wait,
    (_P.AWAITING_GREETING, _E.CUSTOMER_MESSAGE): _C._keep,
    (_P.AWAITING_GREETING, _E.CONVERSATION_OPENED): _C._keep,
    (_P.AWAITING_REPLY, _E.CUSTOMER_MESSAGE): _C._keep,
    (_P.AWAITING_REPLY, _E.CONVERSATION_OPENED): _C._keep,
    (_P.CLOSED, _E.CUSTOMER_MESSAGE): _C._reopen,
    (_P.CLOSED, _E.CONVERSATION_OPENED): _C._reopen,
    # the agent writes
    (_P.IDLE, _E.AGENT_MESSAGE): _C._speak,
    (_P.AWAITING_GREETING, _E.AGENT_MESSAGE): _C._meet,
    (_P.AWAITING_REPLY, _E.AGENT_MESSAGE): _C._meet,
    (_P.CLOSED, _E.AGENT_MESSAGE): _C._speak,
    # closing
    **{(phase, _E.CONVERSATION_CLOSED): _C._stop for phase in _OPEN_PHASES},
    (_P.CLOSED, _E.CONVERSATION_CLOSED): _C._keep,
    # in every phase
    **{(phase, _E.AGENT_TYPING): _C._typing for phase in _P},
    **{(phase, _E.CONVERSATION_TRANSFERRED): _C._reassign for phase in _P},
    **{
        (phase, kind): _C._keep
        for phase in _P
        for kind in (_E.ORDER_PLACED, _E.ORDER_PAID, _E.COMPLAINT)
    },
}
