"""Every error assist reports, in one tree, and the one shape they travel in.

::

    AssistError                    anything assist refuses, with a code and a message
    ├── InvalidEvent               the sender got an event or frame wrong (their fault);
    │                              answered on the same channel, the connection stays up
    ├── QueryError                 a query parameter the caller got wrong (HTTP 422)
    ├── NotFound                   an id nobody knows (HTTP 404)
    ├── AccessDenied               no or a wrong token (401), a role or origin that may
    │                              not (403), too many requests (429); websockets close
    │                              with 4401 / 4403 / 4429
    └── RulesError                 a rule file that cannot be used; names file and line
        └── CatalogImportError     a catalogue CSV that cannot be imported

A breach, a late reply or a negative phrase is *not* an error: those are ordinary output
values of the core. Errors are what the caller must fix.

Every channel (websocket, HTTP, the JSONL commands) answers with :func:`error_frame`:
``{"error": {"code": ..., "message": ..., "id": ...}}`` — ``id`` only when the failing
event had one. Codes are the protocol's, listed in :class:`ErrorCode`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = [
    "AccessDenied",
    "AssistError",
    "CatalogImportError",
    "ErrorCode",
    "InvalidEvent",
    "NotFound",
    "QueryError",
    "RulesError",
    "error_frame",
]


class ErrorCode(StrEnum):
    """The protocol's error codes (DESIGN.md, "Event protocol")."""

    INVALID_JSON = "invalid_json"
    INVALID_EVENT = "invalid_event"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_TS = "invalid_ts"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    INVALID_QUERY = "invalid_query"
    NOT_FOUND = "not_found"
    INVALID_RULES = "invalid_rules"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"


def error_frame(code: ErrorCode | str, message: str, event_id: str | None = None) -> dict[str, Any]:
    """The one error body every channel, route and command sends."""
    error: dict[str, Any] = {"code": str(code), "message": message}
    if event_id is not None:
        error["id"] = event_id
    return {"error": error}


class AssistError(Exception):
    """Root of the tree; ``code`` and ``message`` are what the caller is told."""

    code: ErrorCode = ErrorCode.INVALID_EVENT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_frame(self) -> dict[str, Any]:
        return error_frame(self.code, self.message)


class InvalidEvent(AssistError):
    """An event or frame the sender got wrong; ``event_id`` when the event had one."""

    def __init__(self, code: ErrorCode | str, message: str, event_id: str | None = None) -> None:
        super().__init__(message)
        self.code = ErrorCode(code)
        self.event_id = event_id

    def to_frame(self) -> dict[str, Any]:
        return error_frame(self.code, self.message, self.event_id)


class QueryError(AssistError):
    """A query parameter the caller got wrong; answered 422 ``invalid_query``."""

    code = ErrorCode.INVALID_QUERY


class NotFound(AssistError):
    """An id that names nothing assist knows; answered 404 ``not_found``."""

    code = ErrorCode.NOT_FOUND


class AccessDenied(AssistError):
    """A request refused before it reaches its route: who is asking, from where, how often.

    ``status`` is the HTTP status; a websocket is accepted and closed with
    ``4000 + status`` (4401, 4403, 4429) so the client can tell why.
    """

    _STATUS = {
        ErrorCode.UNAUTHORIZED: 401,
        ErrorCode.FORBIDDEN: 403,
        ErrorCode.RATE_LIMITED: 429,
    }

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = self._STATUS[code]

    @property
    def close_code(self) -> int:
        return 4000 + self.status


class RulesError(AssistError):
    """A rule file that cannot be used; ``str()`` is ``path:line: message`` lines."""

    code = ErrorCode.INVALID_RULES

    def __init__(self, path: str, problems: list[tuple[int | None, str]]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"{path}:{line}: {msg}" if line else f"{path}: {msg}" for line, msg in problems]
        super().__init__("\n".join(lines))


class CatalogImportError(RulesError):
    """A catalogue CSV that cannot be imported; ``str()`` lists ``file:line: message``."""

    @property
    def source(self) -> str:
        return self.path
