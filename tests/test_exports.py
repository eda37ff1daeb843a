"""Excel exports: Chinese headers, percentages, the shop's clock, the range in the name."""

from __future__ import annotations

from datetime import UTC, datetime

from assist.exports import STAT_HEADERS, export_filename, shop_time, stats_csv
from assist.store.stats import STAT_KEYS


def test_rates_become_percentages_and_missing_values_empty_cells() -> None:
    agents = [{"agent_id": "a-1", "reply_rate": 2 / 3, "conversion_rate": None, "orders": 3}]
    text = stats_csv(agents, ("agent_id", "reply_rate", "conversion_rate", "orders"))
    assert text == "\ufeff客服,回复率,询单转化率,成交订单数\r\na-1,66.67%,,3\r\n"


def test_an_unknown_statistic_keeps_its_key_as_the_header() -> None:
    assert stats_csv([{"x_score": 1}], ("x_score",)).startswith("\ufeffx_score\r\n")


def test_times_are_read_on_the_shops_clock() -> None:
    assert shop_time("2026-11-23T12:15:03.120Z", "Asia/Shanghai") == "2026-11-23 20:15:03"


def test_the_file_name_carries_the_range_in_shop_days() -> None:
    now = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    start = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai
    end = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    zone = "Asia/Shanghai"
    assert export_filename("agent-stats", start, end, zone, now) == (
        "agent-stats_20261101_20261201.csv"
    )
    assert export_filename("agent-stats", None, None, zone, now) == (
        "agent-stats_start_20261202-2100.csv"
    )


def test_every_statistic_has_a_chinese_column_name() -> None:
    assert [key for key in STAT_KEYS if key not in STAT_HEADERS] == []
