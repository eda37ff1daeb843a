"""HTTP answers for the error tree: every :class:`AssistError` becomes the one error body.

Routes raise (``QueryError``, ``NotFound`` …); this handler picks the status and builds
the body with :func:`assist.core.errors.error_frame`, so no route writes one by hand.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from assist.core.errors import AssistError, ErrorCode

__all__ = ["STATUS", "error_response", "install_error_handlers"]

STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_QUERY: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.INVALID_RULES: 500,
}


def error_response(error: AssistError) -> JSONResponse:
    return JSONResponse(error.to_frame(), status_code=STATUS.get(error.code, 422))


async def _handle(request: Request, exc: Exception) -> Response:
    # Registered for AssistError only; Starlette's handler signature says Exception.
    assert isinstance(exc, AssistError)
    return error_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AssistError, _handle)
