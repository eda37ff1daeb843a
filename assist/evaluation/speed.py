"""``assist eval --speed``: what a suggestion costs, as a multiple of one jieba segmentation.

The yardstick is ``jieba.lcut`` of the same message, timed in the same process right
before it: the two calls alternate message by message, so whatever else the machine is
doing slows both sides alike and the ratio stays meaningful where absolute microseconds
do not. Each round goes through every message once; the figure is the median round.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from assist.core.suggest.suggester import Suggester

__all__ = ["Speed", "measure", "report"]


@dataclass(frozen=True, slots=True)
class Speed:
    messages: int
    rounds: int
    jieba_us: float  # median round, per message
    suggest_us: float
    ratio: float  # median over rounds of suggest / jieba


def measure(suggester: Suggester, texts: Sequence[str], rounds: int = 7) -> Speed:
    """Time ``suggester.suggest`` against ``jieba.lcut`` over ``texts``."""
    import jieba

    jieba.setLogLevel(60)
    jieba.lcut("预热一下词典")  # load the dictionary outside the timed rounds
    for text in texts:  # and warm both sides once
        suggester.suggest(text)
    clock = time.perf_counter
    segment_rounds, suggest_rounds = [], []
    for _ in range(rounds):
        segment = suggest = 0.0
        for text in texts:
            started = clock()
            jieba.lcut(text)
            middle = clock()
            suggester.suggest(text)
            segment += middle - started
            suggest += clock() - middle
        segment_rounds.append(segment)
        suggest_rounds.append(suggest)
    per = 1e6 / len(texts)
    return Speed(
        messages=len(texts),
        rounds=rounds,
        jieba_us=statistics.median(segment_rounds) * per,
        suggest_us=statistics.median(suggest_rounds) * per,
        ratio=statistics.median(s / j for s, j in zip(suggest_rounds, segment_rounds, strict=True)),
    )


def report(out: TextIO, suggester: Suggester, texts: Sequence[str], source: str) -> Speed:
    speed = measure(suggester, texts)
    out.write(
        f"\n== speed on {speed.messages} messages of {source} ({speed.rounds} rounds)\n"
        f"jieba.lcut {speed.jieba_us:.1f} µs/message · suggest {speed.suggest_us:.1f} µs/message"
        f" · ratio suggest/jieba {speed.ratio:.2f} (target ≤ 1.0)\n"
    )
    return speed
