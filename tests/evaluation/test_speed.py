"""``assist eval --speed``: the suggester timed against jieba on the same messages."""

from __future__ import annotations

import io

from assist.assembly import load_suggester
from assist.evaluation.speed import measure, report
from assist.settings import load_settings

TEXTS = ["在吗", "这条裤子有L码吗", "170 130斤穿什么码", "快递到哪了", "好的谢谢"]


def test_speed_times_both_sides_on_the_same_messages() -> None:
    speed = measure(load_suggester(load_settings()), TEXTS, rounds=1)
    assert speed.messages == len(TEXTS) and speed.rounds == 1
    assert speed.jieba_us > 0 and speed.suggest_us > 0
    # One round: the ratio is that round's, the same as the per-message times'.
    assert abs(speed.ratio - speed.suggest_us / speed.jieba_us) < 1e-9


def test_the_report_names_the_ratio_and_the_source() -> None:
    out = io.StringIO()
    report(out, load_suggester(load_settings()), TEXTS, "five messages")
    text = out.getvalue()
    assert "five messages" in text and "ratio suggest/jieba" in text
