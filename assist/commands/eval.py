"""``assist eval``: suggestion and lint quality on labelled messages (``make eval``).

The real labelled development data (``shared/eval/`` beside the repository or its
worktree; never copied in) is printed first, all of it, with per-class precision/recall
and the confusion matrix; then our own written sets. ``--speed`` times suggestions
against jieba's segmentation of the same real messages and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assist.settings import REPO_ROOT

__all__ = ["register", "shared_eval_dir"]


def shared_eval_dir() -> Path:
    """``shared/eval`` next to the checkout (or next to the worktrees' parent)."""
    for base in (REPO_ROOT.parent, REPO_ROOT.parent.parent):
        candidate = base / "shared" / "eval"
        if candidate.is_dir():
            return candidate
    return REPO_ROOT.parent / "shared" / "eval"


def register(sub: Any) -> None:
    shared = shared_eval_dir()
    parser = sub.add_parser("eval", help="precision/recall of suggestions and lint; --speed")
    parser.add_argument(
        "--intents",
        type=Path,
        default=shared / "dev_intents.jsonl",
        help=f"labelled customer messages (default: {shared / 'dev_intents.jsonl'})",
    )
    parser.add_argument(
        "--lint",
        type=Path,
        default=shared / "dev_lint.jsonl",
        help=f"labelled agent messages (default: {shared / 'dev_lint.jsonl'})",
    )
    parser.add_argument(
        "--speed",
        action="store_true",
        help="only time suggestions against jieba.lcut over the --intents messages",
    )
    parser.set_defaults(func=run)


def _texts(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["text"]) for line in lines if line.strip()]


def run(args: argparse.Namespace) -> int:
    from assist.assembly import load_suggester
    from assist.evaluation import intents, lint, speed
    from assist.settings import load_settings

    suggester = load_suggester(load_settings())
    if args.speed:
        if not args.intents.exists():
            print(f"no messages to time at {args.intents}", file=sys.stderr)
            return 2
        speed.report(sys.stdout, suggester, _texts(args.intents), str(args.intents))
        return 0
    intents.report(sys.stdout, args.intents if args.intents.exists() else None, suggester)
    sys.stdout.write("\n")
    lint.report(sys.stdout, args.lint if args.lint.exists() else None)
    return 0
