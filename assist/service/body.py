"""Reading an ingest POST body safely: JSON only, and never more than the limit.

``await request.body()`` reads everything before any size check, so one 200 MB POST cost
~300 MB of memory. Here the declared ``Content-Length`` is checked first and the stream
is counted as it arrives; reading stops at the limit. A body that is not declared JSON is
refused (415) before a byte of it is read — that also makes a cross-site HTML form, which
cannot send ``application/json`` without a CORS preflight, unable to post events.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from assist.core.errors import ErrorCode, InvalidEvent

__all__ = ["body_refusal", "read_json_body"]

_STATUS = {ErrorCode.TOO_LARGE: 413, ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415}


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def read_json_body(request: Request, limit: int) -> bytes:
    """The body, or :class:`InvalidEvent` (``unsupported_media_type``, ``too_large``)."""
    if not _is_json(request.headers.get("content-type", "")):
        raise InvalidEvent(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send events as Content-Type: application/json"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InvalidEvent(ErrorCode.TOO_LARGE, f"body of {declared} bytes exceeds {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InvalidEvent(ErrorCode.TOO_LARGE, f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def body_refusal(exc: InvalidEvent) -> JSONResponse:
    """The answer to a refused body: 413 or 415 with the usual error body."""
    return JSONResponse(exc.to_frame(), status_code=_STATUS.get(exc.code, 400))
