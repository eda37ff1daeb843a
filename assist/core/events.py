"""Inbound chat events: the typed form of DESIGN.md's event protocol.

A bad event is the sender's fault, so validation raises :class:`InvalidEvent` carrying the
error code and a message that names the offending field; adapters turn it into an error
frame on the same channel and carry on. Every part of an event, unknown fields included,
must be something the store can hold as given (:mod:`assist.core.storable`), and every
string field fits its column — so nothing accepted can fail the batch writer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from assist.core.errors import ErrorCode, InvalidEvent
from assist.core.storable import check_storable, storable_text_problem
from assist.core.timeutil import parse_ts

__all__ = [
    "Event",
    "EventType",
    "parse_event",
]

MAX_ID_LENGTH = 200
MAX_TEXT_LENGTH = 20_000
# A platform clock a little ahead of ours is normal; beyond this the ts is not believed.
FUTURE_TOLERANCE = timedelta(seconds=2)


class EventType(StrEnum):
    CONVERSATION_OPENED = "conversation_opened"
    CUSTOMER_MESSAGE = "customer_message"
    AGENT_MESSAGE = "agent_message"
    AGENT_TYPING = "agent_typing"
    CONVERSATION_TRANSFERRED = "conversation_transferred"
    CONVERSATION_CLOSED = "conversation_closed"
    ORDER_PLACED = "order_placed"
    ORDER_PAID = "order_paid"
    COMPLAINT = "complaint"


_KNOWN_FIELDS = frozenset(
    {
        "id",
        "type",
        "conversation_id",
        "customer_id",
        "agent_id",
        "ts",
        "text",
        "product_id",
        "amount",
        "order_id",
    }
)
_TEXT_REQUIRED = frozenset({EventType.CUSTOMER_MESSAGE, EventType.AGENT_MESSAGE})


@dataclass(frozen=True, slots=True)
class Event:
    """One validated chat event; ``ts`` is an aware UTC datetime."""

    id: str
    type: EventType
    conversation_id: str
    ts: datetime
    customer_id: str | None = None
    agent_id: str | None = None
    text: str | None = None
    product_id: str | None = None
    amount: float | None = None
    order_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The event as protocol JSON (unknown fields kept), for storage and replay logs."""
        from assist.core.timeutil import format_ts

        data: dict[str, Any] = dict(self.extra)
        data.update(
            id=self.id,
            type=self.type.value,
            conversation_id=self.conversation_id,
            ts=format_ts(self.ts),
        )
        for name in ("customer_id", "agent_id", "text", "product_id", "amount", "order_id"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


def _optional_str(
    raw: dict[str, Any], name: str, event_id: str | None, limit: int = MAX_ID_LENGTH
) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEvent(ErrorCode.INVALID_EVENT, f"{name} must be a string", event_id)
    if len(value) > limit:
        raise InvalidEvent(ErrorCode.INVALID_EVENT, f"{name} is longer than {limit}", event_id)
    return value


def _required_id(raw: dict[str, Any], name: str, event_id: str | None) -> str:
    value = raw.get(name)
    if value is None:
        raise InvalidEvent(ErrorCode.INVALID_EVENT, f"{name} is required", event_id)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent(ErrorCode.INVALID_EVENT, f"{name} must be a non-empty string", event_id)
    if len(value) > MAX_ID_LENGTH:
        raise InvalidEvent(
            ErrorCode.INVALID_EVENT, f"{name} is longer than {MAX_ID_LENGTH}", event_id
        )
    return value


def parse_event(raw: object, received_at: datetime | None = None) -> Event:
    """Validate one decoded JSON value as an event.

    ``received_at`` is the live receive time: it fills a missing ``ts`` and caps one that
    lies in the future, so a platform with a fast clock cannot push deadlines ahead. Replay
    passes ``None`` and every event must then carry its own ``ts``.
    """
    if not isinstance(raw, dict):
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "an event must be a JSON object")
    event_id: str | None = None
    raw_id = raw.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool) and abs(raw_id) < 10**30:
        event_id = str(raw_id)
    elif (
        isinstance(raw_id, str)
        and len(raw_id) <= MAX_ID_LENGTH
        and storable_text_problem(raw_id) is None
    ):
        event_id = raw_id  # safe to echo in an error frame
    check_storable(raw, event_id)
    event_id = _required_id(raw, "id", event_id)

    raw_type = raw.get("type")
    if raw_type is None:
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "type is required", event_id)
    if not isinstance(raw_type, str):
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "type must be a string", event_id)
    try:
        event_type = EventType(raw_type)
    except ValueError:
        raise InvalidEvent(
            ErrorCode.UNKNOWN_TYPE, f"unknown event type {raw_type!r}", event_id
        ) from None

    conversation_id = _required_id(raw, "conversation_id", event_id)

    if raw.get("ts") is None:
        if received_at is None:
            raise InvalidEvent(ErrorCode.INVALID_TS, "ts is required", event_id)
        ts = received_at
    else:
        try:
            ts = parse_ts(raw["ts"])
        except ValueError as exc:
            raise InvalidEvent(ErrorCode.INVALID_TS, str(exc), event_id) from None
        if received_at is not None and ts > received_at + FUTURE_TOLERANCE:
            ts = received_at

    text = _optional_str(raw, "text", event_id, MAX_TEXT_LENGTH)
    if event_type in _TEXT_REQUIRED and text is None:
        raise InvalidEvent(
            ErrorCode.INVALID_EVENT, f"text is required for {event_type.value}", event_id
        )

    agent_id = _optional_str(raw, "agent_id", event_id)
    if event_type is EventType.CONVERSATION_TRANSFERRED and not agent_id:
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "agent_id is required for a transfer", event_id)

    amount_raw = raw.get("amount")
    amount: float | None = None
    if amount_raw is not None:
        if isinstance(amount_raw, bool) or not isinstance(amount_raw, int | float):
            raise InvalidEvent(ErrorCode.INVALID_EVENT, "amount must be a number", event_id)
        try:
            amount = float(amount_raw)
        except OverflowError:  # an integer beyond any float
            amount = math.inf
        if not math.isfinite(amount) or amount < 0:
            raise InvalidEvent(
                ErrorCode.INVALID_EVENT, "amount must be a finite number >= 0", event_id
            )
    if event_type is EventType.ORDER_PAID and amount is None:
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "amount is required for order_paid", event_id)

    order_id = raw.get("order_id")
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        order_id = str(order_id)
    if order_id is not None and not isinstance(order_id, str):
        raise InvalidEvent(ErrorCode.INVALID_EVENT, "order_id must be a string", event_id)
    if order_id is not None and len(order_id) > MAX_ID_LENGTH:
        raise InvalidEvent(
            ErrorCode.INVALID_EVENT, f"order_id is longer than {MAX_ID_LENGTH}", event_id
        )

    return Event(
        id=event_id,
        type=event_type,
        conversation_id=conversation_id,
        ts=ts,
        customer_id=_optional_str(raw, "customer_id", event_id),
        agent_id=agent_id,
        text=text,
        product_id=_optional_str(raw, "product_id", event_id),
        amount=amount,
        order_id=order_id,
        extra={k: v for k, v in raw.items() if k not in _KNOWN_FIELDS},
    )
