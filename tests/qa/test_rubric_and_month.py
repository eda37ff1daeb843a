"""The rubric item by item, and seed 003 §七's day/month arithmetic at every boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from assist.core.qa.rubric import (
    ChatFacts,
    ChatScore,
    EventFact,
    FindingFact,
    ItemResult,
    WaitFact,
    score,
)
from assist.core.qa.rules import QaRules
from assist.core.qa.scoring import (
    AgentPeriod,
    DayResult,
    complaint_consequence,
    month_bounds,
    period_report,
    sample,
)

RULES = QaRules()
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def ev(event_id: str, kind: str, second: int, text: str | None = None) -> EventFact:
    return EventFact(event_id, kind, T0 + timedelta(seconds=second), "a-1", text)


GOOD_EVENTS = (
    ev("e1", "customer_message", 0, "在吗"),
    ev("e2", "agent_message", 5, "亲，您好，欢迎光临"),
    ev("e3", "customer_message", 10, "有L码吗"),
    ev("e4", "agent_message", 15, "有的亲，感谢支持，再见"),
    ev("e5", "conversation_closed", 20),
)


def chat(**changes: object) -> ChatFacts:
    facts: dict[str, object] = {
        "conversation_id": "c-1",
        "agent_id": "a-1",
        "closed_at": T0 + timedelta(seconds=20),
        "events": GOOD_EVENTS,
    }
    facts.update(changes)
    return ChatFacts(**facts)  # type: ignore[arg-type]


def item(facts: ChatFacts, name: str) -> ItemResult:
    (found,) = [i for i in score(facts, RULES).items if i.item == name]
    return found


def test_a_clean_chat_passes_every_item() -> None:
    result = score(chat(), RULES)
    assert [i.item for i in result.items] == [
        "greeting",
        "closing",
        "attitude",
        "timely",
        "answered",
    ]
    assert result.passed and result.reasons() == []


def test_greeting_fails_on_a_missing_greeting_finding_and_points_at_the_first_reply() -> None:
    result = item(chat(findings=(FindingFact("e2", "missing_greeting"),)), "greeting")
    assert not result.passed
    assert (result.message_id, result.text) == ("e2", "亲，您好，欢迎光临")
    assert "欢迎语" in result.reason


def test_greeting_and_closing_fail_when_the_agent_never_spoke() -> None:
    silent = chat(
        events=(ev("e1", "customer_message", 0, "在吗"), ev("e5", "conversation_closed", 20))
    )
    assert not item(silent, "greeting").passed and not item(silent, "closing").passed
    assert "没有发言" in item(silent, "closing").reason


def test_closing_fails_on_a_missing_closing_finding_and_points_at_the_last_reply() -> None:
    result = item(chat(findings=(FindingFact("e5", "missing_closing"),)), "closing")
    assert (result.passed, result.message_id) == (False, "e4")


def test_attitude_fails_on_negative_or_impolite_findings_and_names_the_phrases() -> None:
    facts = chat(
        findings=(
            FindingFact("e4", "negative_phrase", "我们不能"),
            FindingFact("e4", "impolite", "自己看"),
            FindingFact("e4", "long_message"),
        )
    )
    result = item(facts, "attitude")
    assert not result.passed and result.message_id == "e4"
    assert "2 处" in result.reason and "我们不能、自己看" in result.reason
    assert item(chat(findings=(FindingFact("e4", "long_message"),)), "attitude").passed


def test_timely_fails_on_a_breached_wait_and_points_at_its_answer() -> None:
    late = WaitFact("reply", T0 + timedelta(seconds=10), 25.0, True, "e4")
    in_time = WaitFact("greeting", T0, 5.0, False, "e2")
    result = item(chat(waits=(in_time, late)), "timely")
    assert (result.passed, result.message_id) == (False, "e4")
    assert "1 次超时" in result.reason and "25" in result.reason
    assert item(chat(waits=(in_time,)), "timely").passed


def test_answered_fails_when_a_customer_message_is_left_at_the_close() -> None:
    events = (*GOOD_EVENTS[:4], ev("e6", "customer_message", 18, "那发什么快递"), GOOD_EVENTS[4])
    result = item(chat(events=events), "answered")
    assert (result.passed, result.message_id, result.text) == (False, "e6", "那发什么快递")


def test_the_rubric_judges_only_the_items_qa_yaml_lists() -> None:
    rules = QaRules(items=["timely"])
    result = score(chat(findings=(FindingFact("e2", "missing_greeting"),)), rules)
    assert [i.item for i in result.items] == ["timely"] and result.passed


# -- the day and the month ------------------------------------------------------------


def scored(cid: str, passed: bool, day: int = 2, agent: str = "a-1") -> ChatScore:
    closed = datetime(2026, 11, day, 4, 0, tzinfo=UTC)  # noon in Asia/Shanghai
    items = (ItemResult("greeting", passed, "" if passed else "问候语：首条回复没有欢迎语"),)
    return ChatScore(cid, agent, closed, items)


def test_a_day_with_three_failures_keeps_its_point_and_four_lose_it() -> None:
    three = DayResult(date(2026, 11, 2), tuple(scored(f"c{i}", i >= 3) for i in range(20)))
    four = DayResult(date(2026, 11, 2), tuple(scored(f"c{i}", i >= 4) for i in range(20)))
    assert (three.failed, three.point_lost(RULES)) == (3, False)
    assert (four.failed, four.point_lost(RULES)) == (4, True)


def month_with(days_lost: int) -> dict[str, object]:
    lost = DayResult(date(2026, 11, 1), tuple(scored(f"c{i}", False) for i in range(4)))
    days = tuple(DayResult(date(2026, 11, d + 1), lost.sampled) for d in range(days_lost))
    return AgentPeriod("a-1", days).to_dict(RULES)


@pytest.mark.parametrize(
    ("days_lost", "points", "deduction", "full_marks", "band"),
    [
        (0, 26, 0, True, "满分"),
        (1, 25, 0, False, "合格"),
        (6, 20, 0, False, "合格"),
        (7, 19, 50, False, "扣50元"),
        (11, 15, 50, False, "扣50元"),
        (12, 14, 100, False, "扣100元"),
        (14, 12, 100, False, "扣100元"),
        (15, 11, "all", False, "无奖金"),
        (26, 0, "all", False, "无奖金"),
    ],
)
def test_month_points_and_bands_at_every_boundary(
    days_lost: int, points: int, deduction: object, full_marks: bool, band: str
) -> None:
    result = month_with(days_lost)
    assert result["days_lost"] == days_lost
    assert (result["points"], result["deduction"]) == (points, deduction)
    assert (result["full_marks"], result["band"]) == (full_marks, band)


def test_the_sample_is_the_same_on_every_run_and_in_any_order() -> None:
    chats = [scored(f"c-{i}", True) for i in range(50)]
    first = [s.conversation_id for s in sample(chats, "a-1", date(2026, 11, 2), RULES)]
    again = [s.conversation_id for s in sample(reversed(chats), "a-1", date(2026, 11, 2), RULES)]
    assert first == again and len(first) == 20 and len(set(first)) == 20
    other_day = [s.conversation_id for s in sample(chats, "a-1", date(2026, 11, 3), RULES)]
    assert set(other_day) != set(first)  # each day reads a different 20
    assert len(sample(chats[:7], "a-1", date(2026, 11, 2), RULES)) == 7  # all when fewer


def test_period_report_groups_by_the_shop_local_day_of_the_close() -> None:
    late_evening = ChatScore("c-x", "a-1", datetime(2026, 11, 2, 17, 0, tzinfo=UTC), ())
    report = period_report([late_evening, scored("c-y", True)], RULES, "Asia/Shanghai")
    assert [d["date"] for d in report[0]["days"]] == ["2026-11-02", "2026-11-03"]


def test_month_bounds_are_local_midnights_and_bad_months_are_refused() -> None:
    start, end = month_bounds("2026-12", "Asia/Shanghai")
    assert start == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    for bad in ("2026-13", "2026-1", "26-11-01", "nope"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            month_bounds(bad, "Asia/Shanghai")


@pytest.mark.parametrize(
    ("count", "fines", "action", "label"),
    [
        (0, 0, None, ""),
        (1, 30, None, "罚款30元"),
        (2, 90, None, "罚款翻倍60元"),
        (3, 90, "dismissal", "予以开除"),
        (5, 90, "dismissal", "予以开除"),
    ],
)
def test_complaints_cost_30_then_double_then_dismissal(
    count: int, fines: float, action: str | None, label: str
) -> None:
    assert complaint_consequence(count, RULES.complaints) == {
        "count": count,
        "fines": fines,
        "action": action,
        "label": label,
    }
