"""Chatwoot's webhook signature: HMAC-SHA256 over "<timestamp>.<raw body>", refused when stale."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from assist.core.errors import ErrorCode
from assist.integrations.chatwoot import MAX_SKEW_S, SignatureError, sign, verify
from tests.integrations.chatwoot_fixtures import raw

SECRET = "test-secret"
STAMP = "1763177714"
SIGNED_AT = datetime.fromtimestamp(int(STAMP), UTC)
BODY = b'{"event":"message_created","id":810}'


def test_the_signature_matches_the_test_vector_computed_from_chatwoots_code() -> None:
    assert sign(SECRET, STAMP, BODY) == (
        "sha256=2cc9c0738bc5622f68b0e0f0ca7734b0388bece4ef7930210d7ec306f42d7b05"
    )


def test_a_good_signature_within_five_minutes_is_accepted() -> None:
    signature = sign(SECRET, STAMP, BODY)
    for late in (0, 1, MAX_SKEW_S):
        now = SIGNED_AT + timedelta(seconds=late)
        verify(SECRET, BODY, signature=signature, timestamp=STAMP, now=now)


def _refusal(body: bytes = BODY, **headers: object) -> str:
    arguments: dict[str, object] = {
        "signature": sign(SECRET, STAMP, BODY),
        "timestamp": STAMP,
        "now": SIGNED_AT,
    }
    arguments.update(headers)
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, body, **arguments)  # type: ignore[arg-type]
    assert caught.value.code is ErrorCode.UNAUTHORIZED
    return caught.value.message


def test_a_signature_made_with_another_secret_is_refused() -> None:
    assert "does not match" in _refusal(signature=sign("other-secret", STAMP, BODY))


def test_a_signature_over_the_body_alone_is_refused() -> None:
    body_only = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert "does not match" in _refusal(signature=body_only)


def test_a_delivery_signed_more_than_five_minutes_ago_is_refused_as_stale() -> None:
    late = SIGNED_AT + timedelta(seconds=MAX_SKEW_S + 1)
    assert "stale" in _refusal(now=late)


def test_a_timestamp_far_in_the_future_is_refused() -> None:
    early = SIGNED_AT - timedelta(seconds=MAX_SKEW_S + 1)
    assert "future" in _refusal(now=early)


def test_a_replayed_body_with_a_fresh_timestamp_is_refused() -> None:
    fresh = str(int(STAMP) + 600)
    now = SIGNED_AT + timedelta(seconds=600)
    assert "does not match" in _refusal(timestamp=fresh, now=now)


@pytest.mark.parametrize("missing", ["signature", "timestamp"])
def test_an_unsigned_delivery_is_refused_when_a_secret_is_set(missing: str) -> None:
    assert "unsigned" in _refusal(**{missing: None})


@pytest.mark.parametrize("stamp", ["", "17631777x4", "-1763177714", "1763177714.5", "٣٣٣"])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(stamp: str) -> None:
    assert _refusal(timestamp=stamp)


def test_a_body_re_serialised_after_parsing_no_longer_verifies() -> None:
    # Rails escapes <, > and & as \u003c, \u003e, \u0026; a receiver that re-encodes the
    # parsed JSON (even compactly, keeping the key order) signs different bytes.
    body = b'{"event":"message_created","id":811,"content":"\\u003cb\\u003e\\u0026"}'
    signature = sign(SECRET, STAMP, body)
    verify(SECRET, body, signature=signature, timestamp=STAMP, now=SIGNED_AT)
    reencoded = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
    assert reencoded != body
    assert "does not match" in _refusal(body=reencoded, signature=signature)


def test_a_captured_payload_verifies_only_byte_for_byte() -> None:
    body = raw("message_created_incoming.json")
    signature = sign(SECRET, STAMP, body)
    verify(SECRET, body, signature=signature, timestamp=STAMP, now=SIGNED_AT)
    assert _refusal(body=body.rstrip() + b" ", signature=signature)
