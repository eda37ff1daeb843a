"""Decoding of inbound frames: one websocket message or POST body → events and errors.

Kept pure so the websocket and HTTP adapters cannot disagree on what a frame means: a
frame is one event object or a JSON array of them, and every element gets exactly one
answer, in order.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from assist.core.errors import ErrorCode, InvalidEvent
from assist.core.events import Event, parse_event

__all__ = ["MAX_FRAME_BYTES", "ack_frame", "decode_frame", "decode_frame_shaped"]

MAX_FRAME_BYTES = 64 * 1024


def decode_frame(raw: str | bytes, received_at: datetime | None) -> list[Event | InvalidEvent]:
    """Each element of the frame as an event or as the error that answers it."""
    return decode_frame_shaped(raw, received_at)[0]


def decode_frame_shaped(
    raw: str | bytes, received_at: datetime | None
) -> tuple[list[Event | InvalidEvent], bool]:
    """:func:`decode_frame`, plus whether the frame was a JSON array — which decides
    whether it is answered with an array of replies or a single one."""
    size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)
    if size > MAX_FRAME_BYTES:
        message = f"frame of {size} bytes exceeds {MAX_FRAME_BYTES}"
        return [InvalidEvent(ErrorCode.TOO_LARGE, message)], False
    try:
        decoded: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return [InvalidEvent(ErrorCode.INVALID_JSON, f"not valid JSON: {exc}")], False
    except RecursionError:
        message = "not valid JSON: nested too deeply"
        return [InvalidEvent(ErrorCode.INVALID_JSON, message)], False
    is_batch = isinstance(decoded, list)
    items = decoded if is_batch else [decoded]
    results: list[Event | InvalidEvent] = []
    for item in items:
        try:
            results.append(parse_event(item, received_at))
        except InvalidEvent as exc:
            results.append(exc)
    return results, is_batch


def ack_frame(event_id: str, *, duplicate: bool = False) -> dict[str, Any]:
    frame: dict[str, Any] = {"ack": event_id}
    if duplicate:
        frame["duplicate"] = True
    return frame
