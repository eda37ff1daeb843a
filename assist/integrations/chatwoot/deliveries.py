"""Which ``X-Chatwoot-Delivery`` ids were already accepted, in bounded memory.

Chatwoot generates the delivery id once per (event, destination) when it enqueues the job,
so its retries carry the same id: remembering recent ids turns a retry into a no-op. The
memory is bounded (oldest ids forgotten first); what falls out of it is still caught by the
engine, which applies each event id once, and event ids are derived from Chatwoot's own ids.
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["DeliveryLog"]

DEFAULT_LIMIT = 10_000
MAX_DELIVERY_ID_LENGTH = 200


class DeliveryLog:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit <= 0:
            raise ValueError("limit must be positive")
        self._limit = limit
        self._seen: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, delivery_id: object) -> bool:
        return delivery_id in self._seen

    def add(self, delivery_id: str) -> bool:
        """Record ``delivery_id``; False if it was already there (a repeated delivery)."""
        if delivery_id in self._seen:
            self._seen.move_to_end(delivery_id)
            return False
        self._seen[delivery_id] = None
        if len(self._seen) > self._limit:
            self._seen.popitem(last=False)
        return True

    def discard(self, delivery_id: str) -> None:
        """Forget ``delivery_id`` (its delivery was refused, so a retry must be heard)."""
        self._seen.pop(delivery_id, None)
