"""``assist bench``: assist's throughput as a share of a bare reference, and alert lateness.

By default it starts both servers itself — the reference ingest
(:mod:`assist.bench_reference`) and a fresh assist on a temporary SQLite file (or
``--db``) with a short greeting deadline so that sentinel alerts fall due during the
load — and drives both with the same client. ``--url`` measures a running assist
instead (its own greeting deadline applies, so the load must outlast it).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "bench",
        help="assist's ingest rate as a share of a bare reference; alert lateness under load",
    )
    parser.add_argument("--url", help="a running assist to measure (default: start one)")
    parser.add_argument("--reference-url", help="a running reference (default: start one)")
    parser.add_argument(
        "--durable-reference-url",
        help="a running durable reference, bench_reference --store (default: start one)",
    )
    parser.add_argument("--db", help="database URL for the assist it starts")
    parser.add_argument("--seconds", type=float, default=10.0, help="saturated load on assist")
    parser.add_argument(
        "--reference-seconds", type=float, default=6.0, help="half before, half after assist"
    )
    parser.add_argument("--connections", type=int, default=4, help="ingest websockets")
    parser.add_argument("--in-flight", type=int, default=4, help="frames outstanding per socket")
    parser.add_argument("--batch", type=int, default=100, help="events per frame")
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument(
        "--open-conversations",
        type=int,
        default=10_000,
        help="the second load's conversations, one synchronous client (0: skip it)",
    )
    parser.add_argument("--open-seconds", type=float, default=8.0)
    parser.add_argument(
        "--greeting-s", type=float, default=1.0, help="greeting deadline of the assist it starts"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(func=run)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(url: str, timeout_s: float = 60.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not become healthy in {timeout_s:.0f}s")


def _rss_mb(pid: int | None) -> dict[str, float] | None:
    """Resident memory now and at its peak, from /proc (Linux)."""
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values["now" if key == "VmRSS" else "peak"] = round(int(rest.split()[0]) / 1024, 1)
    return values


def _server_metrics(url: str) -> dict[str, Any]:
    """From the server's own /metrics: the share of timer alerts it handed to subscribers
    within 10 and 25 ms of their deadline (server delay, as opposed to delivery delay),
    NLP work skipped while behind, and frames shed for a subscriber it was behind on."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    buckets: dict[str, float] = {}
    counters: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("assist_alert_lateness_seconds_bucket"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[bound] = float(line.rsplit(" ", 1)[1])
        elif line.startswith(("assist_nlp_skipped_total", "assist_shed_frames_total")):
            name, value = line.rsplit(" ", 1)
            counters[name] = float(value)
    total = buckets.get("+Inf", 0.0)
    report: dict[str, Any] = dict(counters)
    if total:
        report["alerts_within_10ms"] = round(buckets.get("0.01", 0.0) / total, 4)
        report["alerts_within_25ms"] = round(buckets.get("0.025", 0.0) / total, 4)
    return report


def _reference_rate(url: str, seconds: float, shape: dict[str, int], run_id: str) -> float:
    import asyncio

    from assist.bench import LoadConfig, run_load

    return asyncio.run(run_load(LoadConfig(_ws(url), seconds, **shape), run_id)).rate


def _tree_rss_mb(pid: int | None) -> float | None:
    """Resident memory of ``pid`` and its children (the NLP workers), now."""
    if pid is None:
        return None
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    total = 0.0
    for member in [pid, *map(int, children)]:
        memory = _rss_mb(member)
        total += memory["now"] if memory else 0.0
    return round(total, 1)


def _health(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
        body: dict[str, Any] = json.loads(response.read())
        return body


@contextmanager
def _server(
    command: list[str], env: dict[str, str], given: str | None
) -> Iterator[tuple[str, int | None]]:
    """Yield (base URL, pid) of a freshly started server, or of ``given`` (pid unknown)."""
    if given:
        yield given.rstrip("/"), None
        return
    port = _free_port()
    process = subprocess.Popen([*command, "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _share(rate: float, reference: float) -> float | None:
    return round(rate / reference, 4) if reference else None


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def _ws(url: str) -> str:
    return url.replace("http://", "ws://").replace("https://", "wss://")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from assist.bench import LoadConfig, run_watched_load

    run_id = f"b{int(time.time() * 1000) % 10**9}"
    report: dict[str, Any] = {}
    saturated = dict(
        connections=args.connections,
        in_flight=args.in_flight,
        batch=args.batch,
        conversations=args.conversations,
    )
    synchronous = dict(
        connections=1, in_flight=1, batch=args.batch, conversations=args.open_conversations
    )
    quiet = dict(os.environ, ASSIST_LOG_LEVEL="warning")
    python = sys.executable
    loads = [("saturated", args.seconds, saturated)]
    if args.open_conversations:
        loads.append(("open_conversations", args.open_seconds, synchronous))
    greeting_s = args.greeting_s if not args.url else 15.0
    assist_env = dict(quiet, ASSIST_GREETING_S=str(args.greeting_s))
    with (
        tempfile.TemporaryDirectory(prefix="assist-bench-") as workdir,
        _server([python, "-m", "assist.bench_reference"], quiet, args.reference_url) as reference,
        _server(
            [python, "-m", "assist.bench_reference", "--store", str(Path(workdir) / "ref.db")],
            quiet,
            args.durable_reference_url,
        ) as durable,
    ):
        ref_url, ref_pid = reference
        durable_url = durable[0]
        for index, (name, seconds, shape) in enumerate(loads):
            # The references run right before and right after assist, and count as the
            # mean of the two: the machine's other load drifts within a run.
            half = args.reference_seconds / 2
            before = _reference_rate(ref_url, half, shape, run_id + "r")
            durable_before = _reference_rate(durable_url, half, shape, f"{run_id}d{index}")
            db = args.db or f"sqlite+aiosqlite:///{Path(workdir) / f'bench{index}.db'}"
            command = [python, "-m", "assist.cli", "serve", "--db", db]
            with _server(command, assist_env, args.url) as (url, pid):
                config = LoadConfig(_ws(url), seconds, **shape)
                result, alerts = asyncio.run(
                    run_watched_load(config, f"{run_id}{name[0]}", greeting_s)
                )
                health = _health(url)
                rss = {"server": _rss_mb(pid), "with_workers": _tree_rss_mb(pid)}
                server_side = _server_metrics(url)
            durable_after = _reference_rate(durable_url, half, shape, f"{run_id}e{index}")
            after = _reference_rate(ref_url, half, shape, run_id + "s")
            reference_rate = (before + after) / 2
            durable_rate = (durable_before + durable_after) / 2
            report[name] = {
                **result.summary(),
                "reference_events_per_s": [round(before), round(after)],
                "share_of_reference": _share(result.rate, reference_rate),
                "durable_reference_events_per_s": [round(durable_before), round(durable_after)],
                "share_of_durable_reference": _share(result.rate, durable_rate),
                "alert_lateness_ms": alerts,
                "server_side": server_side,
                "open_conversations": health.get("open_conversations"),
                "rss_mb": rss,
            }
        report["reference_rss_mb"] = _rss_mb(ref_pid)
    report["config"] = {
        **saturated,
        "seconds": args.seconds,
        "reference_seconds": args.reference_seconds,
        "open_conversations": args.open_conversations,
        "greeting_s": greeting_s,
        "load_average": os.getloadavg(),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        _print(report)
    return 0


def _print(report: dict[str, Any]) -> None:
    for name in ("saturated", "open_conversations"):
        if name not in report:
            continue
        part = report[name]
        alerts = part["alert_lateness_ms"]
        ack = part["ack_latency_ms"]
        print(
            f"{name}: assist {part['acked_events_per_s']:,.0f} events/s = "
            f"{_percent(part['share_of_reference'])} of the reference "
            f"({' / '.join(f'{r:,}' for r in part['reference_events_per_s'])} before/after), "
            f"{_percent(part['share_of_durable_reference'])} of the durable reference "
            f"({' / '.join(f'{r:,}' for r in part['durable_reference_events_per_s'])}); "
            f"ack p50 {ack['p50']} ms p99 {ack['p99']} ms; "
            f"alerts late p50 {alerts['p50']} p99 {alerts['p99']} max {alerts['max']} ms "
            f"(n={alerts['count']}); server side {part['server_side']}; "
            f"supervisor dropped: {alerts['supervisor_dropped']}; "
            f"closed: {part['connections_closed_by_server'] or 'none'}; "
            f"open conversations {part['open_conversations']}; RSS MB {part['rss_mb']}"
        )
    print(f"load average after the run: {report['config']['load_average']}")
