"""``assist bench``: measure a running server (or one it starts) under load."""

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
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "bench",
        help="drive a server over websockets; report events/s, ack latency, alert lateness",
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="server base URL")
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=2000.0, help="events per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of sending")
    parser.add_argument("--batch", type=int, default=100, help="events per frame")
    parser.add_argument("--connections", type=int, default=4, help="ingest websockets")
    parser.add_argument(
        "--drain", type=float, default=20.0, help="seconds to keep listening for alerts"
    )
    parser.add_argument(
        "--spawn",
        action="store_true",
        help="start a fresh server (temporary SQLite file, or --db) for the run",
    )
    parser.add_argument("--db", help="with --spawn: database URL for the spawned server")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(func=run)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(url: str, timeout_s: float = 30.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not become healthy in {timeout_s:.0f}s")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from assist.bench import BenchConfig, run_bench

    server: subprocess.Popen[bytes] | None = None
    workdir = tempfile.TemporaryDirectory(prefix="assist-bench-")
    url = args.url
    try:
        if args.spawn:
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            db = args.db or f"sqlite+aiosqlite:///{Path(workdir.name) / 'bench.db'}"
            env = dict(os.environ, ASSIST_LOG_LEVEL="warning")
            server = subprocess.Popen(
                [sys.executable, "-m", "assist.cli", "serve", "--port", str(port), "--db", db],
                env=env,
            )
            _wait_healthy(url)
        config = BenchConfig(
            url=url,
            conversations=args.conversations,
            rate=args.rate,
            duration=args.duration,
            batch=args.batch,
            connections=args.connections,
            drain=args.drain,
        )
        summary = asyncio.run(run_bench(config)).summary()
        summary["config"] = {
            "conversations": args.conversations,
            "rate": args.rate,
            "duration": args.duration,
            "batch": args.batch,
            "connections": args.connections,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        workdir.cleanup()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        for key, value in summary.items():
            print(f"{key:>22}: {value}")
    return 0
