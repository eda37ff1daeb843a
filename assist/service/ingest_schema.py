"""The request body of ``POST /api/events`` as OpenAPI, for ``/docs``.

The handler reads the raw body itself (one event or an array, each element answered on
its own, a bad element never failing the rest), so FastAPI must not validate it. This
model only documents the shape; :mod:`assist.core.protocol` stays the one parser.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assist.core.events import EventType

__all__ = ["INGEST_OPENAPI", "IngestEvent"]


class IngestEvent(BaseModel):
    """One chat event from the shop's platform. Unknown fields are kept with the event."""

    model_config = ConfigDict(extra="allow", title="Event")

    id: str = Field(description="unique per event; a repeated id is acknowledged as duplicate")
    type: EventType
    conversation_id: str
    ts: str | int | None = Field(
        None,
        description="ISO-8601 with offset, or epoch milliseconds; missing: receive time",
        examples=["2026-11-23T20:15:03.120+08:00"],
    )
    text: str | None = Field(
        None, max_length=20_000, description="required for customer_message and agent_message"
    )
    agent_id: str | None = Field(
        None, description="required for conversation_transferred; otherwise updates assignment"
    )
    customer_id: str | None = None
    product_id: str | None = Field(None, description="lets stock and bargaining replies use it")
    amount: float | None = Field(None, ge=0, description="required for order_paid")
    order_id: str | None = None


_EXAMPLE = {
    "id": "e-1001",
    "type": "customer_message",
    "conversation_id": "c-42",
    "customer_id": "u-9",
    "agent_id": "a-7",
    "ts": "2026-11-23T20:15:03.120+08:00",
    "text": "在吗？这款有L码吗",
    "product_id": "P1001",
}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with its ``#/$defs/…`` references written out: inside an OpenAPI
    operation such a reference would point at the document's root, where nothing is."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline(value, defs) for value in node]
    return node


def _openapi() -> dict[str, Any]:
    schema = IngestEvent.model_json_schema()
    event = _inline(schema, schema.get("$defs", {}))
    reply = {
        "type": "object",
        "description": '{"ack": id} or {"ack": id, "duplicate": true} or {"error": {...}}',
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"oneOf": [event, {"type": "array", "items": event}]},
                    "examples": {
                        "one event": {"value": _EXAMPLE},
                        "a batch": {"value": [_EXAMPLE, {**_EXAMPLE, "id": "e-1002"}]},
                    },
                }
            },
        },
        "responses": {
            "200": {
                "description": "every event stored (one reply, or an array for an array)",
                "content": {"application/json": {"example": {"ack": "e-1001"}}},
            },
            "422": {
                "description": "some element rejected; accepted elements are still stored",
                "content": {
                    "application/json": {
                        "schema": reply,
                        "example": {
                            "error": {
                                "code": "invalid_event",
                                "message": "text is required for agent_message",
                                "id": "e-1001",
                            }
                        },
                    }
                },
            },
        },
    }


INGEST_OPENAPI: dict[str, Any] = _openapi()
