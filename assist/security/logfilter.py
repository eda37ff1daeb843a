"""A logging filter that keeps tokens and personal data out of every log line.

Installed on the service's handlers (uvicorn's access log included, which prints request
paths with their query strings — ``?token=`` among them). Tokens are always blanked;
personal data in message text is masked unless ``ASSIST_MASK_PII=false``.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from assist.security.pii import mask_pii

__all__ = ["RedactFilter", "install_redaction", "redact", "uvicorn_log_config"]

_TOKEN_PARAM = re.compile(r"((?:^|[?&\s])token=)[^&\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[^\s\"',]+", re.IGNORECASE)


def redact(text: str, *, mask: bool = True) -> str:
    """``text`` without tokens, and with personal data masked when ``mask``."""
    text = _TOKEN_PARAM.sub(r"\1***", text)
    text = _BEARER.sub(r"\1***", text)
    return mask_pii(text) if mask else text


class RedactFilter(logging.Filter):
    """Rewrites each record's message through :func:`redact` (never drops a record)."""

    def __init__(self, mask_pii: bool = True) -> None:
        super().__init__()
        self.mask_pii = mask_pii

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: leave it be
            return True
        cleaned = redact(message, mask=self.mask_pii)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def install_redaction(
    mask_pii: bool, loggers: tuple[str, ...] = ("", "uvicorn", "uvicorn.access", "uvicorn.error")
) -> None:
    """Add a :class:`RedactFilter` to every handler of ``loggers`` (idempotent)."""
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactFilter) for f in handler.filters):
                handler.addFilter(RedactFilter(mask_pii))


def uvicorn_log_config(mask_pii: bool) -> dict[str, Any]:
    """uvicorn's own logging configuration with a :class:`RedactFilter` on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactFilter, "mask_pii": mask_pii}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    return config
