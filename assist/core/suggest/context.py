"""What the suggester may know about the conversation a message belongs to.

A thank-you means something else after the customer paid (welcome the new VIP) than
before (is there anything else?); the engine, which sees ``order_paid`` events, says which.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SuggestContext"]


@dataclass(frozen=True, slots=True)
class SuggestContext:
    """Facts about the conversation so far: an order was placed, an order was paid."""

    order_placed: bool = False
    order_paid: bool = False
