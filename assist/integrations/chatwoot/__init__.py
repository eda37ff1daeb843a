"""Chatwoot: webhook signatures, payload → assist events, delivery de-duplication.

Pure like the core (no clock, no network, no environment): the service's webhook route and
the tests feed these functions bytes, dicts and the current time.
"""

from assist.integrations.chatwoot.deliveries import DeliveryLog
from assist.integrations.chatwoot.mapping import Mapped, map_payload
from assist.integrations.chatwoot.signature import (
    MAX_SKEW_S,
    SignatureError,
    sign,
    verify,
)

__all__ = [
    "MAX_SKEW_S",
    "DeliveryLog",
    "Mapped",
    "SignatureError",
    "map_payload",
    "sign",
    "verify",
]
