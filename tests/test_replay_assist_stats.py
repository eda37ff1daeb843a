"""Replay counts what lint and typing contribute: negative_flags and chars_per_min."""

from __future__ import annotations

import json

from assist.assembly import build_engine
from assist.replay import replay_lines
from assist.settings import Settings


def line(event_id: str, kind: str, second: int, **fields: object) -> str:
    body: dict[str, object] = {
        "id": event_id,
        "type": kind,
        "conversation_id": "c-1",
        "agent_id": "a-1",
        "ts": f"2026-11-23T20:00:{second:02d}+08:00",
    }
    body.update(fields)
    return json.dumps(body, ensure_ascii=False)


async def test_negative_flags_and_typing_speed_reach_the_agent_stats() -> None:
    log = [
        line("e1", "customer_message", 0, text="这个能退吗"),
        line("e2", "agent_typing", 1),
        line("e3", "agent_message", 31, text="您好，这个我们不能退哦，抱歉"),  # 14 chars in 30 s
        line("e4", "customer_message", 40, text="为什么"),
        line("e5", "agent_message", 45, text="这个真没办法哦"),
        line("e6", "order_paid", 50, amount=88.5, order_id="o-1"),
    ]
    engine = build_engine(Settings(), with_suggester=False)
    report = await replay_lines(log, engine)
    (agent,) = report.agents
    assert agent["negative_flags"] == 2
    assert agent["chars_per_min"] == 28.0
    assert agent["answer_ratio"] == 1.0 and agent["reply_rate"] == 1.0
    assert (agent["orders"], agent["sales"], agent["conversion_rate"]) == (1, 88.5, 1.0)
    assert agent["first_response_avg_s"] == 31.0
    assert agent["response_avg_s"] == 18.0  # (31 + 5) / 2
    assert [a["kind"] for a in report.alerts] == [
        "greeting_breach",
        "negative_phrase",
        "negative_phrase",
    ]
