"""``assist eval --speed``: what a suggestion costs, as a multiple of one jieba segmentation.

The yardstick is ``jieba.lcut`` over the same messages, timed in the same process and in
alternating rounds, so a busy machine slows both sides alike and the ratio stays
meaningful where absolute microseconds do not. Each round times every message once on
each side; like ``timeit``, each side's fastest round is its cost (slower rounds measure
the other programs on the machine), and the ratio is of those.
"""

from __future__ import annotations

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
    jieba_us: float  # fastest round, per message
    suggest_us: float
    ratio: float  # suggest / jieba, fastest rounds


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
    jieba_times, suggest_times = [], []
    for _ in range(rounds):
        jieba_times.append(_time(jieba.lcut, texts))
        suggest_times.append(_time(suggester.suggest, texts))
    per = 1e6 / len(texts)
    return Speed(
        messages=len(texts),
        rounds=rounds,
        jieba_us=min(jieba_times) * per,
        suggest_us=min(suggest_times) * per,
        ratio=min(suggest_times) / min(jieba_times),
    )


def report(out: TextIO, suggester: Suggester, texts: Sequence[str], source: str) -> Speed:
    speed = measure(suggester, texts)
    out.write(
        f"\n== speed on {speed.messages} messages of {source} ({speed.rounds} rounds)\n"
        f"jieba.lcut {speed.jieba_us:.1f} µs/message · suggest {speed.suggest_us:.1f} µs/message"
        f" · ratio suggest/jieba {speed.ratio:.2f} (target ≤ 1.0)\n"
    )
    return speed
