"""``assist classify``: JSONL customer messages on stdin → one suggestion line each on stdout.

A bad line gets an error line in its place and the stream carries on, so one broken
record never loses the rest of a batch.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from assist.core.errors import ErrorCode, error_frame

if TYPE_CHECKING:
    from assist.core.suggest.catalog import Catalog
    from assist.core.suggest.suggester import Suggester

__all__ = ["classify_stream", "register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from assist.settings import load_settings

    settings = load_settings()
    phrasebook, rules = settings.phrasebook, settings.rules_dir
    parser = sub.add_parser(
        "classify", help="suggest intent, slots and replies for JSONL customer messages on stdin"
    )
    parser.add_argument("--phrasebook", default=str(phrasebook), help="phrasebook YAML file")
    parser.add_argument("--rules-dir", default=str(rules), help="directory with shop.yaml etc.")
    parser.add_argument(
        "--db",
        default=None,
        help="database URL to read the catalogue from (default: $ASSIST_DB_URL or ./assist.db, "
        "the one `assist catalog import` writes)",
    )
    parser.set_defaults(func=run)


def classify_line(suggester: Suggester, line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError as exc:
        return error_frame(ErrorCode.INVALID_JSON, f"not JSON: {exc}")
    if not isinstance(data, dict):
        return error_frame(ErrorCode.INVALID_EVENT, "expected a JSON object")
    text = data.get("text")
    if not isinstance(text, str):
        return error_frame(ErrorCode.INVALID_EVENT, "text: required string")
    product_id = data.get("product_id")
    if product_id is not None and not isinstance(product_id, str):
        return error_frame(ErrorCode.INVALID_EVENT, "product_id: must be a string")
    result = suggester.suggest(text, product_id)
    return {"text": text, **result.to_dict()}


def classify_stream(suggester: Suggester, lines: TextIO, out: TextIO) -> None:
    for line in lines:
        if not line.strip():
            continue
        out.write(json.dumps(classify_line(suggester, line), ensure_ascii=False) + "\n")
        out.flush()


def _catalog(url: str | None) -> Catalog | None:
    if url is None:
        return None
    import asyncio
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.ext.asyncio import create_async_engine

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return None  # no catalogue imported yet: classify without stock facts

    from assist.store.catalog import load_catalog

    async def main() -> Catalog:
        database = create_async_engine(url)
        try:
            return await load_catalog(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except SQLAlchemyError as exc:
        print(f"catalogue not loaded from {url}: {exc.__class__.__name__}", file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from assist.assembly import read_suggester
    from assist.core.errors import RulesError
    from assist.settings import load_settings

    try:
        suggester = read_suggester(Path(args.phrasebook), Path(args.rules_dir))
    except RulesError as exc:
        print(exc, file=sys.stderr)
        return 2
    catalog = _catalog(args.db or load_settings().db_url)
    if catalog is not None:
        suggester = suggester.with_catalog(catalog)
    classify_stream(suggester, sys.stdin, sys.stdout)
    return 0
