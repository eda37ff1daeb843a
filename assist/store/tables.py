"""The SQL schema, as SQLAlchemy 2 declarative models.

Times are stored as naive UTC and handed back aware (``UtcDateTime``) because SQLite has
no time zones and PostgreSQL's ``timestamptz`` would otherwise return local offsets; the
core only ever compares aware UTC instants.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AlertRow",
    "Base",
    "CatalogProductRow",
    "CatalogVariantRow",
    "ConversationRow",
    "EventRow",
    "FindingRow",
    "SuggestionRow",
    "UtcDateTime",
    "WaitRow",
]


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, naive UTC at rest."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC instant")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class EventRow(Base):
    """Every accepted event once (the id is the primary key: idempotent by construction)."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    ts: Mapped[datetime]
    received_at: Mapped[datetime | None]
    agent_id: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[float | None] = mapped_column(Float)
    typing_s: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict[str, Any]]

    __table_args__ = (
        Index("ix_events_conversation_ts", "conversation_id", "ts"),
        Index("ix_events_agent_ts", "agent_id", "ts"),
    )


class ConversationRow(Base):
    """Latest state of each conversation; ``state`` rebuilds the core after a restart."""

    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    agent_id: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[str | None] = mapped_column(String(200))
    is_open: Mapped[bool] = mapped_column(Boolean, index=True)
    updated_at: Mapped[datetime]
    state: Mapped[dict[str, Any]]


class WaitRow(Base):
    """A finished wait. ``key`` (conversation, kind, start) makes a re-written batch a no-op."""

    __tablename__ = "waits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    agent_id: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    breached: Mapped[bool] = mapped_column(Boolean)
    escalated: Mapped[bool] = mapped_column(Boolean)
    waited_s: Mapped[float] = mapped_column(Float)
    answer_id: Mapped[str | None] = mapped_column(String(200))

    # ``ended_at`` alone: the board's per-minute chart and the all-agents stats read a
    # time range of waits; appended at the end (waits end in time order), it costs the
    # writer next to nothing.
    __table_args__ = (
        Index("ix_waits_agent_ended", "agent_id", "ended_at"),
        Index("ix_waits_ended_at", "ended_at"),
    )


class AlertRow(Base):
    """An alert raised; ``key`` (kind, conversation, time, message) keeps it unique."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(700), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
    waited_s: Mapped[float | None] = mapped_column(Float)
    message_id: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]]

    __table_args__ = (Index("ix_alerts_agent_at", "agent_id", "at"),)


class FindingRow(Base):
    """One lint finding in an agent message."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)
    message_id: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str] = mapped_column(String(200))
    agent_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
    rule: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(20))
    phrase: Mapped[str | None] = mapped_column(String(200))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)

    # Read by conversation (its detail, the QA rubric's facts), never by message alone.
    __table_args__ = (
        Index("ix_findings_agent_at", "agent_id", "at"),
        Index("ix_findings_conversation_at", "conversation_id", "at"),
    )


class SuggestionRow(Base):
    """The suggestion made for a customer message, stored with the message's id."""

    __tablename__ = "suggestions"
    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
    intent: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    slots: Mapped[dict[str, Any]]
    replies: Mapped[list[Any]]


class CatalogProductRow(Base):
    """A product of the shop's catalogue (imported with ``assist catalog import``)."""

    __tablename__ = "catalog_products"
    sku: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(400))
    price: Mapped[float] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(200))


class CatalogVariantRow(Base):
    """Stock of one colour/size of a product; empty strings mean "one size"/"one colour"."""

    __tablename__ = "catalog_variants"
    sku: Mapped[str] = mapped_column(String(200), primary_key=True)
    color: Mapped[str] = mapped_column(String(100), primary_key=True)
    size: Mapped[str] = mapped_column(String(100), primary_key=True)
    stock: Mapped[int] = mapped_column(Integer)
