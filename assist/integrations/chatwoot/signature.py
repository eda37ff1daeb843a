"""Chatwoot's webhook signature: ``sha256=`` HMAC-SHA256 of ``"<timestamp>.<raw body>"``.

Chatwoot (v4.11.2+, ``lib/webhooks/trigger.rb``) sends ``X-Chatwoot-Timestamp`` (Unix seconds)
and ``X-Chatwoot-Signature`` only when the webhook has a secret; the key is the secret string
as-is. The signed text includes the timestamp, so a captured delivery cannot be replayed
later with a fresh timestamp, and the sender enforces no freshness itself — the receiver
must refuse old timestamps. Verification runs on the raw request bytes: Rails escapes
``<``, ``>`` and ``&`` as ``\\u003c`` etc., so any re-serialised body would fail.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from assist.core.errors import AssistError, ErrorCode

__all__ = ["MAX_SKEW_S", "SignatureError", "sign", "verify"]

# Older than this (or this far ahead of our clock) and a delivery is refused as stale.
MAX_SKEW_S = 300
_PREFIX = "sha256="


class SignatureError(AssistError):
    """A delivery whose signature is missing, malformed, wrong or stale (HTTP 401)."""

    code = ErrorCode.UNAUTHORIZED


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Chatwoot-Signature`` value Chatwoot sends for ``body`` at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return _PREFIX + digest.hexdigest()


def verify(
    secret: str,
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    max_skew_s: float = MAX_SKEW_S,
) -> None:
    """Return if ``body`` was signed with ``secret`` within ``max_skew_s`` of ``now``.

    Raises :class:`SignatureError` naming what is wrong; the comparison of digests takes
    constant time so response timing leaks nothing about the expected value.
    """
    if not signature or not timestamp:
        missing = "X-Chatwoot-Signature" if not signature else "X-Chatwoot-Timestamp"
        raise SignatureError(f"unsigned delivery: {missing} is missing and a secret is set")
    stamp = timestamp.strip()
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError("X-Chatwoot-Timestamp must be Unix seconds")
    skew = now.timestamp() - int(stamp)
    if skew > max_skew_s:
        raise SignatureError(f"stale delivery: signed {int(skew)} s ago (limit {max_skew_s:g} s)")
    if -skew > max_skew_s:
        raise SignatureError(f"delivery timestamp is {int(-skew)} s in the future")
    expected = sign(secret, stamp, body)
    given = signature.strip()
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace")):
        raise SignatureError("signature does not match the body")
