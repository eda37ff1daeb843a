"""``assist eval``: suggestion and lint quality on labelled messages (``make eval``).

Measures our own labelled sets in ``tests/data/`` and, when it is there, the real labelled
development data that sits beside the repository in ``../shared/eval/`` (never copied in).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assist.settings import REPO_ROOT

__all__ = ["register"]

_SHARED_EVAL = REPO_ROOT.parent / "shared" / "eval"


def register(sub: Any) -> None:
    parser = sub.add_parser("eval", help="precision/recall of suggestions and lint")
    parser.add_argument(
        "--intents",
        type=Path,
        default=_SHARED_EVAL / "dev_intents.jsonl",
        help="labelled customer messages (default: ../shared/eval/dev_intents.jsonl)",
    )
    parser.add_argument(
        "--lint",
        type=Path,
        default=_SHARED_EVAL / "dev_lint.jsonl",
        help="labelled agent messages (default: ../shared/eval/dev_lint.jsonl)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assist.evaluation import intents, lint

    intents.report(sys.stdout, args.intents if args.intents.exists() else None)
    sys.stdout.write("\n")
    lint.report(sys.stdout, args.lint if args.lint.exists() else None)
    return 0
