"""A per-key token bucket: how many requests or frames one token (or address) may send.

Pure: the caller passes the time, so tests need no clock. Keys are bounded (least
recently seen forgotten first) so a flood of addresses cannot grow memory.
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["RateLimiter"]


class RateLimiter:
    """``rate`` per second sustained, ``burst`` at once; ``rate <= 0`` disables it."""

    def __init__(self, rate: float, burst: float, max_keys: int = 10_000) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str, now: float, cost: float = 1.0) -> bool:
        """Take ``cost`` from ``key``'s bucket at time ``now`` (seconds); ``False`` if empty."""
        if self.rate <= 0:
            return True
        level, last = self._buckets.pop(key, (self.burst, now))
        level = min(self.burst, level + max(0.0, now - last) * self.rate)
        allowed = level >= cost
        if allowed:
            level -= cost
        self._buckets[key] = (level, now)
        if len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return allowed
