"""``assist eval --speed``: what a suggestion costs, as a multiple of one jieba segmentation.

The yardstick is ``jieba.lcut`` over the same messages, timed in the same process and in
alternating rounds, so a busy machine slows both sides alike and the ratio stays
meaningful where absolute microseconds do not. The figure reported is the median of the
per-round ratios; each round times every message once on each side.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from assist.core.suggest.suggester import Suggester

__all__ = ["Speed", "measure", "report"]


@dataclass(frozen=True, slots=True)
class Speed:
    messages: int
    rounds: int
    jieba_us: float  # median per message
    suggest_us: float
    ratio: float  # median of the per-round ratios suggest / jieba


def _time(function: Callable[[str], object], texts: Sequence[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        function(text)
    return time.perf_counter() - started


def measure(suggester: Suggester, texts: Sequence[str], rounds: int = 7) -> Speed:
    """Time ``suggester.suggest`` against ``jieba.lcut`` over ``texts``."""
    import jieba

    jieba.setLogLevel(60)
    jieba.lcut("预热一下词典")  # load the dictionary outside the timed rounds
    for text in texts:  # and warm both sides once
        suggester.suggest(text)
    jieba_times, suggest_times, ratios = [], [], []
    for _ in range(rounds):
        segment = _time(jieba.lcut, texts)
        suggest = _time(suggester.suggest, texts)
        jieba_times.append(segment)
        suggest_times.append(suggest)
        ratios.append(suggest / segment)
    per = 1e6 / len(texts)
    return Speed(
        messages=len(texts),
        rounds=rounds,
        jieba_us=statistics.median(jieba_times) * per,
        suggest_us=statistics.median(suggest_times) * per,
        ratio=statistics.median(ratios),
    )


def report(out: TextIO, suggester: Suggester, texts: Sequence[str], source: str) -> Speed:
    speed = measure(suggester, texts)
    out.write(
        f"\n== speed on {speed.messages} messages of {source} ({speed.rounds} rounds)\n"
        f"jieba.lcut {speed.jieba_us:.1f} µs/message · suggest {speed.suggest_us:.1f} µs/message"
        f" · ratio suggest/jieba {speed.ratio:.2f} (target ≤ 1.0)\n"
    )
    return speed
