"""Shifts (seed 002 ch.1, seed 000 §四): who is on now, who has duty, when a shift ends.

Shift boundaries are pure arithmetic on the rota and an instant, so the engine can keep
a timer on the next end without a clock of its own. A shift whose end is earlier in the
day than its start runs past midnight (晚班 17:00–01:00). Seed 002 lets the night shift
run on while a customer is still chatting: :class:`ShiftClock` then holds that agent's
handover back and looks again ``recheck_s`` later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from assist.core.outputs import ShiftEnd
from assist.core.qa.rules import WEEKDAYS, ShiftRule, ShiftRules
from assist.core.timeutil import clock_time

__all__ = ["ShiftClock", "ShiftSchedule", "ShiftSpan"]


@dataclass(frozen=True, slots=True)
class ShiftSpan:
    """One occurrence of a shift, in UTC."""

    rule: ShiftRule
    start: datetime
    end: datetime

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


class ShiftSchedule:
    """The rota of ``rules/shifts.yaml`` as instants."""

    def __init__(self, rules: ShiftRules) -> None:
        self.rules = rules
        self.zone = ZoneInfo(rules.timezone)

    def _spans_on(self, day: date) -> list[ShiftSpan]:
        spans = []
        for rule in self.rules.shifts:
            if WEEKDAYS[day.weekday()] not in rule.days:
                continue
            start_t, end_t = clock_time(rule.start), clock_time(rule.end)
            start = datetime.combine(day, start_t, self.zone)
            end_day = day if end_t > start_t else day + timedelta(days=1)
            end = datetime.combine(end_day, end_t, self.zone)
            spans.append(ShiftSpan(rule, start.astimezone(UTC), end.astimezone(UTC)))
        return spans

    def spans(self, around: datetime, days_before: int = 1, days_after: int = 8) -> list[ShiftSpan]:
        """Occurrences of every shift starting on local days near ``around``, by start."""
        local = around.astimezone(self.zone).date()
        found: list[ShiftSpan] = []
        for offset in range(-days_before, days_after + 1):
            found.extend(self._spans_on(local + timedelta(days=offset)))
        return sorted(found, key=lambda span: (span.start, span.rule.name))

    def on_duty(self, at: datetime) -> list[ShiftSpan]:
        """The shifts running at ``at``, in rota order."""
        order = {rule.name: i for i, rule in enumerate(self.rules.shifts)}
        running = [span for span in self.spans(at, 1, 0) if span.covers(at)]
        return sorted(running, key=lambda span: order[span.rule.name])

    def duty_agent(self, at: datetime) -> str | None:
        """Who follows up what has no agent (seed 002 ch.2: 当天的值班客服).

        The ``duty`` agent of the first shift (in rota order) running at ``at``, else that
        shift's first agent; ``None`` when no shift with agents is running.
        """
        for span in self.on_duty(at):
            if span.rule.duty:
                return span.rule.duty
            if span.rule.agents:
                return span.rule.agents[0]
        return None

    def next_end(self, after: datetime) -> ShiftSpan | None:
        """The first shift occurrence ending strictly after ``after``."""
        ends = [span for span in self.spans(after) if span.end > after]
        return min(ends, key=lambda span: (span.end, span.rule.name), default=None)

    def successors(self, ending: ShiftSpan) -> tuple[str, ...]:
        """Agents who take over at ``ending.end``: those of the other shifts running
        then, or — when none runs — of the next shift to start."""
        at = ending.end
        others = [s for s in self.on_duty(at) if s.rule.name != ending.rule.name]
        if not others:
            later = [s for s in self.spans(at, 0) if s.start >= at and s.rule.agents]
            if later:
                first = min(span.start for span in later)
                others = [span for span in later if span.start == first]
        agents: dict[str, None] = {}
        for span in others:
            for agent in span.rule.agents:
                if agent not in ending.rule.agents:
                    agents[agent] = None
        return tuple(agents)


@dataclass(slots=True)
class _Held:
    due: datetime
    span: ShiftSpan
    agents: tuple[str, ...]


@dataclass(slots=True)
class ShiftClock:
    """The engine's timer on shift ends; ``due`` is when it next wants to fire."""

    schedule: ShiftSchedule
    due: datetime | None = None
    _next: ShiftSpan | None = None
    _held: list[_Held] = field(default_factory=list)

    def start(self, now: datetime) -> None:
        """Aim at the first end after ``now`` (ends missed while stopped are not replayed)."""
        if self._next is None and not self._held:
            self._next = self.schedule.next_end(now)
            self._aim()

    def _aim(self) -> None:
        dues = [held.due for held in self._held]
        if self._next is not None:
            dues.append(self._next.end)
        self.due = min(dues) if dues else None

    def fire(self, at: datetime, chatting: Callable[[str], bool]) -> list[ShiftEnd]:
        """Fire what is due at ``at``; an agent still ``chatting`` on a shift that runs on
        is held back and asked again ``recheck_s`` later."""
        outputs: list[ShiftEnd] = []
        recheck = timedelta(seconds=self.schedule.rules.recheck_s)
        due_now = [held for held in self._held if held.due <= at]
        self._held = [held for held in self._held if held.due > at]
        if self._next is not None and self._next.end <= at:
            due_now.append(_Held(self._next.end, self._next, tuple(self._next.rule.agents)))
            self._next = self.schedule.next_end(self._next.end)
        for held in due_now:
            span = held.span
            hold = tuple(a for a in held.agents if span.rule.extends_while_chatting and chatting(a))
            leave = tuple(a for a in held.agents if a not in hold)
            if hold:
                self._held.append(_Held(held.due + recheck, span, hold))
            if leave:
                outputs.append(
                    ShiftEnd(
                        span.rule.name,
                        span.rule.label or span.rule.name,
                        held.due,
                        leave,
                        self.schedule.successors(span),
                    )
                )
        self._aim()
        return outputs
