"""Keeping the cyclic garbage collector from stalling the timers.

Profiled under saturated ingest, CPython's collector stopped the event loop for 8 ms
(a middle-generation pass) to 114 ms (a full pass) of CPU at a time — every due alert
waited. A full pass walks every tracked object that is not frozen: the open
conversations, their waits, the latest frames… all long-lived. :func:`gc.freeze` moves
everything alive into a permanent generation no pass walks (objects there are still
freed by reference counting when dropped), so freezing regularly keeps each pass as
small as the objects born since the last freeze.

The price: a reference *cycle* that was frozen is not reclaimed until the next full
collection, so every ``full_every_s`` everything is unfrozen and collected once — one
pause of that length per interval instead of many.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

__all__ = ["keep_collector_small"]

log = logging.getLogger("assist.service")


async def keep_collector_small(freeze_every_s: float, full_every_s: float) -> None:
    """Freeze survivors every ``freeze_every_s``; a full collection every ``full_every_s``."""
    loop = asyncio.get_running_loop()
    next_full = loop.time() + full_every_s
    while True:
        await asyncio.sleep(freeze_every_s)
        if loop.time() >= next_full:
            started = time.perf_counter()
            gc.unfreeze()
            freed = gc.collect()
            log.info(
                "full collection: %d objects freed in %.0f ms",
                freed,
                (time.perf_counter() - started) * 1000,
            )
            next_full = loop.time() + full_every_s
        gc.freeze()
