"""``assist lint``: JSONL agent messages on stdin → ``{"text", "findings"}`` per line.

Text-only rules (negative_phrase, impolite, long_message): there is no conversation, so no
greeting, closing or typing checks. A bad line gets an error object and the stream goes
on, so one broken record never loses the rest of a batch.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assist.core.errors import ErrorCode, error_frame

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    from assist.settings import load_settings

    parser: argparse.ArgumentParser = sub.add_parser(
        "lint",
        help="lint agent messages (JSONL on stdin) for negative language and rule breaks",
        description='Reads JSONL {"text": ...} agent messages on stdin; writes one JSONL line '
        'per input: {"text", "findings": [...]} or {"error": {"code", "message"}}.',
    )
    parser.add_argument(
        "--rules",
        type=Path,
        default=load_settings().rules_dir / "lint.yaml",
        help="lint rules file (default: lint.yaml in $ASSIST_RULES_DIR or ./rules)",
    )
    parser.set_defaults(func=run)


def _answer(linter: Any, line: str) -> dict[str, Any]:
    import json

    try:
        data = json.loads(line)
    except ValueError as exc:
        return error_frame(ErrorCode.INVALID_JSON, f"not JSON: {exc}")
    if not isinstance(data, dict):
        return error_frame(ErrorCode.INVALID_EVENT, "expected a JSON object")
    text = data.get("text")
    if not isinstance(text, str):
        return error_frame(ErrorCode.INVALID_EVENT, "text: must be a string")
    return {"text": text, "findings": [f.to_dict() for f in linter.lint_text(text)]}


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from assist.assembly import read_linter
    from assist.core.errors import RulesError

    try:
        linter = read_linter(args.rules)
    except RulesError as exc:
        print(exc, file=sys.stderr)
        return 2
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        out.write(json.dumps(_answer(linter, line), ensure_ascii=False) + "\n")
        out.flush()
    return 0
