"""Decoding of inbound frames: one websocket message or POST body → events and errors.

Kept pure so the websocket and HTTP adapters cannot disagree on what a frame means: a
frame is one event object or a JSON array of them, and every element gets exactly one
answer, in order.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson

from assist.core.errors import ErrorCode, InvalidEvent
from assist.core.events import Event, parse_event

__all__ = [
    "MAX_FRAME_BYTES",
    "ack_frame",
    "decode_frame",
    "decode_frame_shaped",
    "parse_item",
    "split_frame",
]

MAX_FRAME_BYTES = 64 * 1024


def decode_frame(raw: str | bytes, received_at: datetime | None) -> list[Event | InvalidEvent]:
    """Each element of the frame as an event or as the error that answers it."""
    return decode_frame_shaped(raw, received_at)[0]


def decode_frame_shaped(
    raw: str | bytes, received_at: datetime | None
) -> tuple[list[Event | InvalidEvent], bool]:
    """:func:`decode_frame`, plus whether the frame was a JSON array — which decides
    whether it is answered with an array of replies or a single one."""
    items, is_batch = split_frame(raw)
    return [parse_item(item, received_at) for item in items], is_batch


def split_frame(raw: str | bytes) -> tuple[list[Any], bool]:
    """The frame's elements, not yet validated, and whether it was a JSON array.

    A frame too large or not JSON is one :class:`InvalidEvent` element. Split from
    :func:`parse_item` so that a service can validate a large frame a slice at a time.
    """
    size = len(raw) if len(raw) * 4 <= MAX_FRAME_BYTES else _size(raw)
    if size > MAX_FRAME_BYTES:
        message = f"frame of {size} bytes exceeds {MAX_FRAME_BYTES}"
        return [InvalidEvent(ErrorCode.TOO_LARGE, message)], False
    try:
        decoded: Any = _loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return [InvalidEvent(ErrorCode.INVALID_JSON, f"not valid JSON: {exc}")], False
    except RecursionError:
        message = "not valid JSON: nested too deeply"
        return [InvalidEvent(ErrorCode.INVALID_JSON, message)], False
    is_batch = isinstance(decoded, list)
    return (decoded if is_batch else [decoded]), is_batch


# Nesting cannot be deeper than the frame has opening brackets: below this many, the
# standard library would not reach its recursion limit either, so both decoders agree.
_FAST_MAX_BRACKETS = 500


def _loads(raw: str | bytes) -> Any:
    """orjson's decoding (several times faster), or the standard library's where orjson
    would answer differently: ``NaN``, integers beyond 64 bits and lone surrogates are
    decoded as before and refused per event, with the field named, by the storable
    check; a frame nested ~1,000 deep is still ``invalid_json`` (a RecursionError)."""
    if isinstance(raw, str):
        brackets = raw.count("[") + raw.count("{")
    else:
        brackets = raw.count(b"[") + raw.count(b"{")
    if brackets < _FAST_MAX_BRACKETS:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


def parse_item(item: Any, received_at: datetime | None) -> Event | InvalidEvent:
    """One element of :func:`split_frame` as an event, or as the error that answers it."""
    if isinstance(item, InvalidEvent):
        return item
    try:
        return parse_event(item, received_at)
    except InvalidEvent as exc:
        return exc


def _size(raw: str | bytes) -> int:
    # Up to 4 UTF-8 bytes a character: only a frame that might be too large is encoded.
    return len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)


def ack_frame(event_id: str, *, duplicate: bool = False) -> dict[str, Any]:
    frame: dict[str, Any] = {"ack": event_id}
    if duplicate:
        frame["duplicate"] = True
    return frame
