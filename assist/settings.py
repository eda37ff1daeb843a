"""Settings: ``ASSIST_*`` environment variables over ``rules/sla.yaml`` over defaults.

Built explicitly by :func:`load_settings` and passed to ``create_app`` — no import-time
singleton — so tests construct as many differently configured services as they like.
"""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assist.core.timeutil import clock_time, known_zone
from assist.store.database import DEFAULT_DB_URL

__all__ = [
    "DEFAULT_INTENT_MODEL",
    "REPO_ROOT",
    "WEEKDAYS",
    "Settings",
    "SlaRules",
    "TokensFile",
    "clock_time",
    "load_settings",
    "worker_count",
]

# The rule files shipped with the code; ``ASSIST_RULES_DIR`` / ``ASSIST_PHRASEBOOK`` override.
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INTENT_MODEL = REPO_ROOT / "intent_model.json"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class WindowRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: list[Day] = Field(min_length=1)
    start: str
    end: str

    @model_validator(mode="after")
    def _ordered(self) -> WindowRule:
        start, end = clock_time(self.start), clock_time(self.end)
        if end != time(0, 0) and end <= start:
            raise ValueError("end must be after start (use 24:00 for midnight)")
        return self


class ServiceHoursRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str = "Asia/Shanghai"
    windows: list[WindowRule] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)


class SlaRules(BaseModel):
    """The shape of ``rules/sla.yaml``."""

    model_config = ConfigDict(extra="forbid")
    greeting_s: float = Field(15.0, gt=0)
    reply_s: float = Field(20.0, gt=0)
    warn_s: float = Field(5.0, ge=0)
    escalate_s: float = Field(60.0, gt=0)
    service_hours: ServiceHoursRule = Field(default_factory=ServiceHoursRule)


class TokensFile(BaseModel):
    """The shape of ``rules/tokens.yaml``: ``tokens: {TOKEN: ROLE}``."""

    model_config = ConfigDict(extra="forbid")
    tokens: dict[str, str] = Field(default_factory=dict)


class Settings(BaseSettings):
    """Every knob of the service; each field reads ``ASSIST_<NAME>`` from the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSIST_", extra="ignore")

    db_url: str = DEFAULT_DB_URL
    host: str = "127.0.0.1"
    port: int = 8000
    rules_dir: Path = REPO_ROOT / "rules"
    phrasebook: Path = REPO_ROOT / "phrasebook.yaml"
    # The trained intent model (`make model` writes it from the phrasebook's examples).
    intent_model: Path = DEFAULT_INTENT_MODEL
    greeting_s: float | None = Field(None, gt=0)
    reply_s: float | None = Field(None, gt=0)
    warn_s: float | None = Field(None, ge=0)
    escalate_s: float | None = Field(None, gt=0)
    # How many frames may wait for one websocket subscriber. Beyond it, a subscriber whose
    # socket has stopped taking data is dropped; one the saturated server is behind on
    # loses its oldest non-alert frames instead (alerts are never shed).
    subscriber_queue: int = Field(1000, gt=0)
    # Suggestion/lint worker processes; None: one per CPU core; 0: on the event loop.
    workers: int | None = Field(None, ge=0)
    # NLP requests waiting for a worker before ingest is made to wait (back-pressure).
    nlp_queue: int = Field(20_000, gt=0)
    # Frames per ingest websocket accepted but not yet acknowledged; beyond it the
    # connection is not read (the sender is slowed, never disconnected).
    ingest_in_flight: int = Field(8, gt=0)
    # Events applied per turn of the event loop; due timers fire between turns.
    ingest_slice: int = Field(10, gt=0)
    # Long-lived objects are moved out of the garbage collector's reach this often, so
    # its passes stay short (0: never); everything is collected once every gc_full_s.
    gc_freeze_s: float = Field(1.0, ge=0)
    gc_full_s: float = Field(3600.0, gt=0)
    # How often rule files are checked for changes (hot reload); 0 disables it.
    reload_interval_s: float = Field(2.0, ge=0)
    # Closed conversations idle this long leave memory (their state stays in the store).
    evict_closed_after_s: float = Field(6 * 3600, gt=0)
    # Open conversations with no timer left and no event for this long leave memory too.
    evict_idle_after_s: float = Field(24 * 3600, gt=0)
    log_level: str = "info"
    # -- security (README "安全与部署") --------------------------------------------------
    # "TOKEN=ROLE,TOKEN=ROLE"; roles ingest, supervisor, qa, agent:<id>. A secret: never
    # shown by repr or logs. Empty (and no rules/tokens.yaml) → loopback-only, no auth.
    tokens: SecretStr = SecretStr("")
    # Extra web origins (scheme://host[:port], comma list) allowed to open websockets and
    # pages besides the service's own; "*" allows any.
    allowed_origins: str = ""
    # Mask phones, ID/bank cards, addresses and order numbers in logs and exports.
    mask_pii: bool = True
    # Alerts of this many recent seconds travel in every channel's snapshot frame.
    snapshot_alerts_s: float = Field(3600.0, ge=0)
    # Frames/requests per second per token (or client address without one); 0 disables.
    rate_limit_per_s: float = Field(5000.0, ge=0)
    rate_limit_burst: float = Field(10000.0, ge=1)
    # POST bodies beyond this are refused while streaming, before being read whole.
    max_body_bytes: int = Field(64 * 1024, gt=0)
    # -- Chatwoot (README "Chatwoot 接入"). The webhook secret shown in Chatwoot's webhook
    # settings: deliveries must then be signed and fresh; without it only loopback peers
    # may post to /webhooks/chatwoot.
    chatwoot_secret: SecretStr | None = None
    # The account older Chatwoot versions (< v4.14.2) leave out of conversation payloads.
    chatwoot_account_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,40}$")
    # The custom attribute (conversation's, else contact's) naming the product a customer
    # asks about, e.g. "goods_id"; it becomes the event's product_id.
    chatwoot_product_attribute: str | None = Field(None, min_length=1, max_length=100)
    # Write-back of the top suggestion as a private note: on only when both are set.
    chatwoot_url: str | None = Field(None, pattern=r"^https?://")
    chatwoot_api_token: SecretStr | None = None
    # At most one note per conversation per this many seconds, and this many per minute.
    chatwoot_note_interval_s: float = Field(30.0, ge=0)
    chatwoot_notes_per_minute: int = Field(30, gt=0)


def worker_count(settings: Settings) -> int:
    """How many NLP worker processes to run: ``workers``, or one per CPU core."""
    if settings.workers is not None:
        return settings.workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
