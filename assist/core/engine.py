"""The sans-I/O engine: feed it events and the time, get outputs and its next wake-up.

It never reads a clock or sleeps. Adapters call :meth:`Engine.handle` for each event and
:meth:`Engine.advance` when :meth:`Engine.next_deadline` comes round; replay does the same
on event time, so live and offline numbers agree by construction. All state is per
conversation (the seam for partitioning by ``conversation_id`` later); the only shared
structures are the deadline heap and the set of seen event ids.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from assist.core.events import Event, EventType
from assist.core.nlp import (
    LintsMessages,
    NlpKind,
    NlpRequest,
    SuggestsReplies,
    request_outputs,
    run_request,
)
from assist.core.outputs import (
    Alert,
    ConversationChange,
    ConversationSnapshot,
    EventRecord,
    Output,
    Suggestion,
)
from assist.core.qa.followup import (
    STATE_KEY,
    FollowUpConfig,
    UnpaidOrders,
    complaint_event_alert,
)
from assist.core.qa.shifts import ShiftClock, ShiftSchedule
from assist.core.sla.conversation import Conversation
from assist.core.sla.hours import SlaConfig
from assist.core.suggest.context import SuggestContext

__all__ = ["Engine", "HandleResult", "LintsMessages", "SuggestsReplies"]

DEFAULT_SEEN_IDS = 1_000_000
_NO_ORDERS = SuggestContext()


@dataclass(frozen=True, slots=True)
class HandleResult:
    """The outputs of one event; ``duplicate`` when its id had been applied already."""

    outputs: list[Output] = field(default_factory=list)
    duplicate: bool = False


class Engine:
    """All open conversations, their timers, and the assist hooks (suggest, lint)."""

    def __init__(
        self,
        config: SlaConfig | None = None,
        *,
        suggester: SuggestsReplies | None = None,
        linter: LintsMessages | None = None,
        seen_ids_limit: int = DEFAULT_SEEN_IDS,
        defer_nlp: bool = False,
        followup: FollowUpConfig | None = None,
        shifts: ShiftSchedule | None = None,
    ) -> None:
        self.config = config or SlaConfig()
        self.suggester = suggester
        self.linter = linter
        # Deferred: an event's NLP step comes out as an NlpRequest output for a worker
        # pool to run; inline (replay, tests): its suggestion/lint outputs come out at once.
        self.defer_nlp = defer_nlp
        # Unpaid-order reminders and shift ends (QA, seed 002): timers beside the SLA ones.
        self.orders = UnpaidOrders(followup) if followup is not None else None
        self.shift_clock = ShiftClock(shifts) if shifts is not None else None
        self.conversations: dict[str, Conversation] = {}
        self.clock: datetime | None = None
        self._heap: list[tuple[datetime, str]] = []
        self._scheduled: dict[str, datetime] = {}
        self._seen: dict[str, None] = {}
        self._seen_limit = seen_ids_limit
        # What the suggester may know per conversation: orders placed or paid in it
        # (a thank-you after payment gets the VIP reply; a close without an order, the
        # see-you-again one). Kept beside the conversations, not in their stored state:
        # after a restart a conversation's earlier orders are not known.
        self._orders: dict[str, SuggestContext] = {}
        self._customer_spoke: set[str] = set()

    def use_rules(
        self,
        config: SlaConfig,
        suggester: SuggestsReplies | None,
        linter: LintsMessages | None,
    ) -> None:
        """Swap in freshly loaded rules; running waits keep the instants they started with."""
        self.config = config
        self.suggester = suggester
        self.linter = linter

    def use_followup(self, followup: FollowUpConfig) -> None:
        """Swap in a reloaded unpaid-order rule; pending orders keep their deadlines."""
        if self.orders is not None:
            self.orders.config = followup

    # -- inputs ----------------------------------------------------------------------

    def handle(self, event: Event, now: datetime) -> HandleResult:
        """Apply ``event``, received at ``now`` (equal to ``event.ts`` in replay).

        Timers due strictly before the event fire first, so a reply exactly at the
        deadline meets it; then timers due strictly before ``now`` fire. A timer due
        exactly at ``now`` is left for :meth:`advance` (or the next later event): another
        event stamped with that same instant — in any conversation — may still meet it.
        """
        if event.id in self._seen:
            return HandleResult(duplicate=True)
        self._remember(event.id)
        if self.shift_clock is not None:
            # From the receive time: a late event must not replay shift ends long past.
            self.shift_clock.start(now)
        outputs = self._fire(event.ts)
        conversation = self.conversations.get(event.conversation_id)
        if conversation is None:
            conversation = Conversation(event.conversation_id)
            self.conversations[event.conversation_id] = conversation
        outputs.extend(self._apply(conversation, event))
        self._schedule(conversation)
        if self.clock is None or now > self.clock:
            self.clock = now
        outputs.extend(self._fire(now))
        return HandleResult(outputs)

    def advance(self, now: datetime) -> list[Output]:
        """Fire every timer due before ``now``.

        Strictly before: a deadline has passed only once time is beyond it, so a reply
        stamped exactly at the deadline still meets it however the wake-ups fall.
        """
        if self.clock is None or now > self.clock:
            self.clock = now
        if self.shift_clock is not None:
            self.shift_clock.start(now)
        return self._fire(now)

    def next_deadline(self) -> datetime | None:
        """When the engine next wants :meth:`advance` called (``None``: no timer runs)."""
        # Spelled out (no list, no generator): called several times per ingested event.
        due = self._conversation_due()
        if self.orders is not None:
            order_due = self.orders.next_due()
            if order_due is not None and (due is None or order_due < due):
                due = order_due
        if self.shift_clock is not None:
            shift_due = self.shift_clock.due
            if shift_due is not None and (due is None or shift_due < due):
                due = shift_due
        return due

    def _conversation_due(self) -> datetime | None:
        while self._heap:
            due, conversation_id = self._heap[0]
            if self._scheduled.get(conversation_id) == due:
                return due
            heapq.heappop(self._heap)
        return None

    def restore(self, states: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Rebuild conversations from stored snapshots; missed deadlines fire on advance."""
        for conversation_id, state in states:
            conversation = Conversation.from_state(conversation_id, state)
            self.conversations[conversation_id] = conversation
            self._schedule(conversation)
            if self.orders is not None:
                self.orders.restore(conversation_id, state.get(STATE_KEY) or ())

    def remember_ids(self, event_ids: Iterable[str]) -> None:
        """Mark ids as applied (ids already in the store, after a restart)."""
        for event_id in event_ids:
            self._remember(event_id)

    def open_conversations(self) -> list[Conversation]:
        return [c for c in self.conversations.values() if c.is_open]

    def evict(self, closed_before: datetime, idle_before: datetime) -> list[str]:
        """Forget conversations memory no longer needs; their state stays in the store.

        Closed ones idle since ``closed_before`` go; so do open ones idle since
        ``idle_before`` that have no timer left to fire (a chat the platform never
        closed must not hold memory for ever). An evicted conversation that speaks
        again starts afresh.
        """
        stale = [
            cid
            for cid, c in self.conversations.items()
            if c.updated_at is not None
            and (
                (not c.is_open and c.updated_at < closed_before)
                or (c.updated_at < idle_before and c.next_due() is None)
            )
            # An order still awaiting payment keeps its conversation: the reminder's
            # firing must be written into the conversation's stored state.
            and not (self.orders is not None and cid in self.orders.pending)
        ]
        for cid in stale:
            del self.conversations[cid]
            self._scheduled.pop(cid, None)
            self._orders.pop(cid, None)
            self._customer_spoke.discard(cid)
        return stale

    # -- internals -------------------------------------------------------------------

    def _remember(self, event_id: str) -> None:
        self._seen[event_id] = None
        if len(self._seen) > self._seen_limit:
            for old in list(self._seen)[: self._seen_limit // 10]:
                del self._seen[old]

    def _apply(self, conversation: Conversation, event: Event) -> list[Output]:
        first_agent_message = conversation.agent_messages == 0
        closing_texts = list(conversation.recent_agent_texts)
        previous_agent = conversation.agent_id

        applied = conversation.apply(event, self.config)
        outputs, typing_s = applied.outputs, applied.typing_s
        agent_id = conversation.agent_id
        outputs.insert(0, EventRecord(event, event.agent_id or agent_id, typing_s))

        self._note_orders(conversation.id, event)
        request = self._nlp_request(
            conversation, event, typing_s, first_agent_message, closing_texts
        )
        if request is not None:
            if self.defer_nlp:
                outputs.append(request)
            else:
                result = run_request(request, self.suggester, self.linter)
                outputs.extend(request_outputs(request, result))
        if event.type is EventType.COMPLAINT:
            outputs.append(complaint_event_alert(event, event.agent_id or agent_id))
        if (
            event.type is EventType.CONVERSATION_CLOSED
            and self.suggester is not None
            and conversation.id in self._customer_spoke
            and not self._context(conversation.id).order_placed
        ):
            # Seed 002 ch.3 §4 咨询未购买: the customer leaves without an order — offer
            # the see-you-again reply (templates only, no matching: run here, not pooled).
            farewell = self.suggester.left_without_buying()
            outputs.append(Suggestion(conversation.id, agent_id, event.id, farewell, at=event.ts))
        if self.orders is not None and event.type in (EventType.ORDER_PLACED, EventType.ORDER_PAID):
            self.orders.apply(event, event.agent_id or agent_id)
        # After the inline frames: a panel drops the conversation on this frame (a closing
        # lint computed by a worker arrives later; the panel ignores it for a gone chat).
        outputs.extend(_changes(conversation.id, event, previous_agent, agent_id))
        outputs.append(self._snapshot(conversation, event.ts))
        return outputs

    def _note_orders(self, conversation_id: str, event: Event) -> None:
        if event.type is EventType.ORDER_PLACED:
            paid = self._context(conversation_id).order_paid
            self._orders[conversation_id] = SuggestContext(order_placed=True, order_paid=paid)
        elif event.type is EventType.ORDER_PAID:
            self._orders[conversation_id] = SuggestContext(order_placed=True, order_paid=True)
        elif event.type is EventType.CUSTOMER_MESSAGE:
            self._customer_spoke.add(conversation_id)

    def _context(self, conversation_id: str) -> SuggestContext:
        return self._orders.get(conversation_id) or _NO_ORDERS

    def _nlp_request(
        self,
        conversation: Conversation,
        event: Event,
        typing_s: float | None,
        first_agent_message: bool,
        closing_texts: list[str],
    ) -> NlpRequest | None:
        """The NLP step ``event`` calls for, with the state it depends on captured now."""
        if event.type is EventType.CUSTOMER_MESSAGE:
            return NlpRequest(
                NlpKind.SUGGEST,
                conversation.id,
                conversation.agent_id,
                event.id,
                event.ts,
                text=event.text or "",
                product_id=event.product_id,
                order_paid=self._context(conversation.id).order_paid,
            )
        agent_id = event.agent_id or conversation.agent_id
        if event.type is EventType.AGENT_MESSAGE:
            return NlpRequest(
                NlpKind.LINT,
                conversation.id,
                agent_id,
                event.id,
                event.ts,
                text=event.text or "",
                first_in_conversation=first_agent_message,
                typing_s=typing_s,
            )
        if event.type is EventType.CONVERSATION_CLOSED and closing_texts:
            return NlpRequest(
                NlpKind.CLOSE,
                conversation.id,
                agent_id,
                event.id,
                event.ts,
                texts=tuple(closing_texts),
            )
        return None

    def _snapshot(self, conversation: Conversation, at: datetime) -> ConversationSnapshot:
        """The conversation's state; ``at`` stands in for a last activity never recorded."""
        state = conversation.to_state()
        if self.orders is not None:
            state[STATE_KEY] = self.orders.state_of(conversation.id)
        return ConversationSnapshot(
            conversation.id,
            state,
            conversation.is_open,
            conversation.updated_at or at,
        )

    def _schedule(self, conversation: Conversation) -> None:
        due = conversation.next_due()
        if due is None:
            self._scheduled.pop(conversation.id, None)
        elif self._scheduled.get(conversation.id) != due:
            self._scheduled[conversation.id] = due
            heapq.heappush(self._heap, (due, conversation.id))

    def _fire(self, until: datetime) -> list[Output]:
        """Fire every timer due before ``until`` in time order (SLA first on a tie)."""
        outputs: list[Output] = []
        while True:
            due = self.next_deadline()
            if due is None or due >= until:
                return outputs
            if due != self._conversation_due():
                outputs.extend(self._fire_qa(due))
                continue
            _, conversation_id = heapq.heappop(self._heap)
            conversation = self.conversations[conversation_id]
            fired = conversation.due_timers(due, self.config, now=until)
            outputs.extend(fired)
            if any(isinstance(output, Alert) for output in fired):
                # Breach and escalation flags must survive a restart (an alert is raised
                # once); a lost warning flag only repeats a warning, so it is not stored.
                outputs.append(self._snapshot(conversation, due))
            self._schedule(conversation)

    def _fire_qa(self, due: datetime) -> list[Output]:
        """An unpaid-order reminder or a shift end due at ``due``."""
        if self.orders is not None and self.orders.next_due() == due:
            conversation = self.conversations.get(self.orders.peek() or "")
            alert = self.orders.fire(due, conversation.agent_id if conversation else None)
            outputs: list[Output] = [] if alert is None else [alert]
            if conversation is not None:
                # The reminder is raised once: the stored state must no longer hold it.
                outputs.append(self._snapshot(conversation, due))
            return outputs
        assert self.shift_clock is not None
        return list(self.shift_clock.fire(due, lambda agent: self._chatting(agent, due)))

    def _chatting(self, agent_id: str, at: datetime) -> bool:
        """Whether ``agent_id`` has a customer still chatting (seed 002: the night shift
        runs on): an open conversation active within the shift clock's recheck time."""
        assert self.shift_clock is not None
        window = timedelta(seconds=self.shift_clock.schedule.rules.recheck_s)
        return any(
            c.is_open
            and c.agent_id == agent_id
            and c.updated_at is not None
            and at - c.updated_at < window
            for c in self.conversations.values()
        )


def _changes(
    conversation_id: str, event: Event, before: str | None, after: str | None
) -> list[Output]:
    """Tell the agent losing a conversation (closed, or transferred away) that it left."""
    if event.type is EventType.CONVERSATION_CLOSED:
        return [ConversationChange(conversation_id, after, "closed", event.ts)]
    if before is not None and before != after:
        return [ConversationChange(conversation_id, before, "transferred", event.ts, after)]
    return []
