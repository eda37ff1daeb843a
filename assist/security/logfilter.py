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
    """Redacts each record's message and arguments in place (never drops a record).

    Arguments are redacted one by one rather than merged into the message, because some
    formatters read them (uvicorn's access formatter unpacks the request line from them).
    """

    def __init__(self, mask_pii: bool = True) -> None:
        super().__init__()
        self.mask_pii = mask_pii

    def _clean(self, value: object) -> object:
        return redact(value, mask=self.mask_pii) if isinstance(value, str) else value

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg, mask=self.mask_pii)
        if isinstance(record.args, tuple):
            record.args = tuple(self._clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self._clean(arg) for key, arg in record.args.items()}
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
