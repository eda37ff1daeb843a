"""``assist replay LOG.jsonl --format table|json|csv``: per-agent stats and alerts offline."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "render_table"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "replay",
        help="run a log of events through the core on event time; print stats and alerts",
    )
    parser.add_argument("log", type=Path, help="JSONL file of events ('-' for stdin)")
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="csv: for Excel (Chinese headers, percentages, UTF-8 BOM, alerts below the stats)",
    )
    parser.add_argument(
        "--qa",
        action="store_true",
        help="also score the month's chats by the QA rubric (rules/qa.yaml); json: key 'qa'",
    )
    parser.add_argument(
        "--month", help="the QA month, YYYY-MM (default: the month of the log's first event)"
    )
    parser.set_defaults(func=run)


def render_table(
    agents: list[dict[str, Any]], alerts: list[dict[str, Any]], zone: str = "UTC"
) -> str:
    """A terminal table; alert times on the shop's clock (``zone``), as its staff read them."""
    from assist.exports import shop_time
    from assist.store.stats import STAT_KEYS

    def cell(value: Any) -> str:
        return "-" if value is None else str(value)

    rows = [list(STAT_KEYS)] + [[cell(a[k]) for k in STAT_KEYS] for a in agents]
    widths = [max(len(row[i]) for row in rows) for i in range(len(STAT_KEYS))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append("")
    lines.append(f"{len(alerts)} alerts (times in {zone})")
    for alert in alerts:
        waited = "" if alert["waited_s"] is None else f" after {alert['waited_s']}s"
        lines.append(
            f"  {shop_time(alert['at'], zone)}  {alert['kind']:<16} {alert['conversation_id']}"
            f"  agent {alert['agent_id']}{waited}"
        )
    return "\n".join(lines) + "\n"


def _qa_table(qa: dict[str, Any]) -> str:
    lines = ["", f"QA {qa['month']}: agent  points  days_lost  deduction  band"]
    for agent in qa["agents"]:
        lines.append(
            f"  {agent['agent_id']}  {agent['points']}  {agent['days_lost']}"
            f"  {agent['deduction']}  {agent['band']}"
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from assist.assembly import build_engine, load_qa
    from assist.core.errors import RulesError
    from assist.core.qa.scoring import month_bounds
    from assist.exports import stats_csv
    from assist.replay import QaRequest, replay_lines
    from assist.settings import load_settings
    from assist.store.stats import STAT_KEYS

    settings = load_settings()
    engine = build_engine(settings, with_suggester=False)
    zone = engine.config.service_hours.timezone
    qa = None
    if args.qa or args.month:
        try:
            qa = QaRequest(load_qa(settings), zone, args.month)
            if args.month:
                month_bounds(args.month, qa.timezone)
        except (RulesError, ValueError) as exc:
            print(f"assist replay: {exc}", file=sys.stderr)
            return 2
    try:
        handle = sys.stdin if str(args.log) == "-" else args.log.open(encoding="utf-8")
    except OSError as exc:
        print(f"assist replay: cannot read {args.log}: {exc.strerror}", file=sys.stderr)
        return 2
    with handle:
        report = asyncio.run(replay_lines(handle, engine, qa=qa))
    for line, error in report.rejected:
        print(f"{args.log}:{line}: {error.code}: {error.message}", file=sys.stderr)
    if args.format == "json":
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif args.format == "csv":
        # Bytes, so the byte-order mark and Chinese survive whatever the terminal's locale.
        text = stats_csv(report.agents, STAT_KEYS, alerts=report.alerts, zone=zone)
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(render_table(report.agents, report.alerts, zone))
        if report.qa is not None:
            sys.stdout.write(_qa_table(report.qa))
    return 1 if report.rejected else 0
