"""The ``assist`` console script: one subcommand per module in :mod:`assist.commands`.

Each command module is cheap to import (heavy imports happen inside its ``run``) and
exposes ``register(subparsers)``, which adds its parser and sets ``func``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["COMMANDS", "main"]

COMMANDS: tuple[str, ...] = (
    "serve",
    "demo",
    "replay",
    "classify",
    "lint",
    "catalog",
    "bench",
    "eval",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assist", description="坐席助手 — real-time chat assist for shop customer service."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"assist.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"assist.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
