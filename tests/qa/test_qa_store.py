"""The QA queries give the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from assist.assembly import build_engine, load_kpi, load_qa
from assist.core.qa.rubric import ChatScore, ItemResult
from assist.core.qa.scoring import period_report
from assist.core.timeutil import parse_ts
from assist.replay import QaRequest, replay_lines
from assist.settings import Settings
from assist.store.database import open_database
from assist.store.qa import complaint_counts, conversation_qa, handover_for, kpi_report

LOG = Path(__file__).parents[1] / "data" / "sla_log_40_conversations.jsonl"
TZ = "Asia/Shanghai"


def extra_lines() -> list[str]:
    """Complaints and an unpaid order on top of the SLA fixture."""
    base = "2026-11-23T21:{:02d}:00+08:00"
    events = [
        {
            "id": "x-1",
            "type": "complaint",
            "conversation_id": "c-1-7",
            "agent_id": "a-2",
            "ts": base.format(30),
        },
        {
            "id": "x-2",
            "type": "complaint",
            "conversation_id": "c-1-31",
            "agent_id": "a-2",
            "ts": base.format(31),
        },
        {
            "id": "x-3",
            "type": "customer_message",
            "conversation_id": "c-z",
            "agent_id": "a-1",
            "customer_id": "u-z",
            "text": "拍了，怎么付款",
            "ts": base.format(40),
        },
        {
            "id": "x-4",
            "type": "order_placed",
            "conversation_id": "c-z",
            "order_id": "T-1",
            "amount": 88,
            "ts": base.format(41),
        },
    ]
    return [json.dumps(e, ensure_ascii=False) for e in events]


async def answers(db_url: str) -> dict[str, object]:
    settings = Settings()
    lines = LOG.read_text("utf-8").splitlines() + extra_lines()
    qa = QaRequest(load_qa(settings), TZ, "2026-11")
    report = await replay_lines(
        lines, build_engine(settings, with_suggester=False), db_url=db_url, qa=qa
    )
    database = open_database(db_url)
    try:
        now = parse_ts("2026-11-23T22:00:00+08:00")
        return {
            "qa": report.qa,
            "kpi": await kpi_report(
                database, load_qa(settings), load_kpi(settings), TZ, None, None
            ),
            "complaints": await complaint_counts(database, None, None),
            "chat": await conversation_qa(database, load_qa(settings), "c-1-7"),
            "handover": await handover_for(database, "a-1", now),
        }
    finally:
        await database.dispose()


async def test_qa_scores_kpi_and_handover_agree_across_backends(
    db_url: str, tmp_path: Path
) -> None:
    here = await answers(db_url)
    reference = await answers(f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}")
    assert here == reference
    qa = here["qa"]
    assert isinstance(qa, dict)
    a2 = next(a for a in qa["agents"] if a["agent_id"] == "a-2")
    assert a2["complaints"] == {"count": 2, "fines": 90, "action": None, "label": "罚款翻倍60元"}
    assert here["complaints"] == {"a-2": 2}
    handover = here["handover"]
    assert isinstance(handover, dict)
    assert [o["order_id"] for o in handover["unpaid_orders"]] == ["T-1"]
    assert "拍了，怎么付款" in [q["text"] for q in handover["unanswered_questions"]]


def busy_day() -> list[str]:
    """30 chats of one agent on one day; every fourth one lacks the welcome."""
    lines = []
    for i in range(30):
        minute = f"2026-11-23T10:{i:02d}:{{:02d}}+08:00"
        cid = f"c-{i}"
        first = "有货，L码" if i % 4 == 0 else "亲，您好，欢迎光临～有什么可以帮您"
        script = [
            ("customer_message", 0, "在吗"),
            ("agent_message", 5, first),
            ("agent_message", 8, "感谢您的支持，再见～"),
            ("conversation_closed", 10, None),
        ]
        for n, (kind, second, text) in enumerate(script):
            body = {"id": f"{cid}-{n}", "type": kind, "conversation_id": cid, "agent_id": "a-1"}
            body["ts"] = minute.format(second)
            if text:
                body["text"] = text
            lines.append(json.dumps(body, ensure_ascii=False))
    return lines


async def test_the_store_samples_before_it_reads_and_still_judges_the_same_20(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    rules = load_qa(Settings())
    qa = QaRequest(rules, TZ, "2026-11")
    report = await replay_lines(busy_day(), build_engine(Settings(), with_suggester=False), url, qa)
    assert report.qa is not None
    (agent,) = report.qa["agents"]
    (day,) = agent["days"]

    database = open_database(url)
    try:
        every = [await conversation_qa(database, rules, f"c-{i}") for i in range(30)]
    finally:
        await database.dispose()
    scores = [
        ChatScore(
            chat["conversation_id"],
            chat["agent_id"],
            parse_ts(chat["closed_at"]),
            tuple(ItemResult(**item) for item in chat["items"]),
        )
        for chat in every
        if chat is not None
    ]
    assert len(scores) == 30 and sum(not s.passed for s in scores) == 8
    (expected,) = period_report(scores, rules, TZ)
    assert agent == expected
    assert day["sampled"] == 20 and 0 < day["failed"] <= 8
