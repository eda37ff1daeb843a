"""Spreadsheet exports for QA teams: Chinese column names, rates as percentages, shop time.

The JSON APIs keep their English keys and ISO UTC times (programs read those); a CSV is
opened by a person in Excel, so it says 回复率 66.67% and 20:15:03 in the shop's own time
zone, starts with a UTF-8 byte-order mark (without it Excel on Chinese Windows shows
mojibake), and its file name says which period it covers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from assist.core.timeutil import parse_ts
from assist.security.csvcell import safe_cell

__all__ = [
    "ALERT_HEADERS",
    "BOM",
    "ALERT_KINDS",
    "PERCENT_KEYS",
    "STAT_HEADERS",
    "alerts_csv",
    "csv_text",
    "export_filename",
    "shop_time",
    "stats_csv",
]

BOM = "\ufeff"

STAT_HEADERS: Mapping[str, str] = {
    "agent_id": "客服",
    "conversations": "接待会话数",
    "first_response_avg_s": "平均首次响应(秒)",
    "response_avg_s": "平均响应(秒)",
    "response_p90_s": "响应时间P90(秒)",
    "reply_rate": "回复率",
    "greeting_breaches": "欢迎语超时次数",
    "reply_breaches": "回复超时次数",
    "escalations": "升级次数",
    "negative_flags": "负面用语次数",
    "orders": "成交订单数",
    "sales": "销售额(元)",
    "avg_order_value": "客单价(元)",
    "conversion_rate": "询单转化率",
    "answer_ratio": "答问比",
    "chars_per_min": "打字速度(字/分钟)",
    "missing_greetings": "缺少问候次数",
    "missing_closings": "缺少告别次数",
    "impolite_flags": "不礼貌用语次数",
    "in_time_rate": "及时回复率",
}
PERCENT_KEYS = frozenset({"reply_rate", "conversion_rate", "answer_ratio", "in_time_rate"})

ALERT_KINDS: Mapping[str, str] = {
    "greeting_breach": "欢迎语超时",
    "reply_breach": "回复超时",
    "escalation": "等待过久升级",
    "negative_phrase": "负面用语",
    "unpaid_order": "订单未付款",
    "complaint": "顾客投诉",
}
ALERT_HEADERS: Mapping[str, str] = {
    "at": "时间",
    "kind": "告警",
    "conversation_id": "会话",
    "agent_id": "客服",
    "waited_s": "顾客等待(秒)",
}


def shop_time(value: str | datetime, zone: str) -> str:
    """An instant as the shop's wall clock: ``2026-11-23 20:15:03``."""
    instant = value if isinstance(value, datetime) else parse_ts(value)
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def _percent(value: Any) -> Any:
    return f"{value * 100:.2f}%" if isinstance(value, int | float) else value


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """CSV text; a text cell a spreadsheet would run as a formula (an agent id such as
    ``=HYPERLINK(…)``) is quoted by :func:`safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return buffer.getvalue()


def _stat_rows(agents: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[list[Any]]:
    rows: list[list[Any]] = [[STAT_HEADERS.get(key, key) for key in keys]]
    for agent in agents:
        rows.append([_percent(agent.get(k)) if k in PERCENT_KEYS else agent.get(k) for k in keys])
    return rows


def _alert_rows(alerts: Sequence[Mapping[str, Any]], zone: str) -> list[list[Any]]:
    rows: list[list[Any]] = [list(ALERT_HEADERS.values())]
    for alert in alerts:
        rows.append(
            [
                shop_time(alert["at"], zone),
                ALERT_KINDS.get(alert["kind"], alert["kind"]),
                alert["conversation_id"],
                alert.get("agent_id"),
                alert.get("waited_s"),
            ]
        )
    return rows


def stats_csv(
    agents: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    alerts: Sequence[Mapping[str, Any]] | None = None,
    zone: str = "Asia/Shanghai",
) -> str:
    """Per-agent statistics (and, when given, the alerts below them after a blank line)."""
    rows = _stat_rows(agents, keys)
    if alerts is not None:
        rows += [[]] + _alert_rows(alerts, zone)
    return BOM + csv_text(rows)


def alerts_csv(alerts: Sequence[Mapping[str, Any]], zone: str) -> str:
    return BOM + csv_text(_alert_rows(alerts, zone))


def _day(instant: datetime | None, zone: str, fallback: str) -> str:
    if instant is None:
        return fallback
    local = instant.astimezone(ZoneInfo(zone))
    if local.time() == time(0, 0):
        return local.strftime("%Y%m%d")
    return local.strftime("%Y%m%d-%H%M")


def export_filename(
    prefix: str, start: datetime | None, end: datetime | None, zone: str, now: datetime
) -> str:
    """``agent-stats_20261101_20261201.csv``: the range in shop days ``[from, to)``;
    no ``from`` reads ``start``, no ``to`` is the export's own day."""
    return f"{prefix}_{_day(start, zone, 'start')}_{_day(end or now, zone, 'now')}.csv"
