"""``assist eval --speed``: the suggester timed against jieba on the same messages."""

from __future__ import annotations

import io

from assist.assembly import load_suggester
from assist.evaluation.speed import measure, report
from assist.settings import load_settings

TEXTS = ["在吗", "这条裤子有L码吗", "170 130斤穿什么码", "快递到哪了", "好的谢谢"]


def test_speed_is_a_ratio_of_the_fastest_rounds_of_both_sides() -> None:
    speed = measure(load_suggester(load_settings()), TEXTS, rounds=3)
    assert speed.messages == len(TEXTS) and speed.rounds == 3
    assert speed.jieba_us > 0 and speed.suggest_us > 0
    assert abs(speed.ratio - speed.suggest_us / speed.jieba_us) < 1e-9


def test_the_report_names_the_ratio_and_the_source() -> None:
    out = io.StringIO()
    report(out, load_suggester(load_settings()), TEXTS, "five messages")
    text = out.getvalue()
    assert "five messages" in text and "ratio suggest/jieba" in text
