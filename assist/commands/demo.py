"""``assist demo [--port P] [--speed X]``: the service, a sample catalogue and a simulator."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo",
        help="serve on a fresh database with a sample catalogue and simulated conversations",
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="play the conversations this many times faster, deadlines shortened alike",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from assist.demo.run import run_demo

    if args.speed <= 0:
        print("assist demo: --speed must be > 0")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(run_demo(args.port, args.speed, args.host, say=_say))
    except KeyboardInterrupt:
        pass
    print("assist demo stopped.")
    return 0


def _say(line: str) -> None:
    print(line, flush=True)
