"""``assist catalog import FILE.csv [--db URL]``: load the shop's products and stock."""

from __future__ import annotations

import argparse
import sys

__all__ = ["default_db_url", "register", "run"]


def default_db_url() -> str:
    """The database every command uses unless told otherwise (``ASSIST_DB_URL``)."""
    from assist.settings import load_settings

    return load_settings().db_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("catalog", help="manage the product catalogue")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="import a CSV (sku,name,price,category,color,size,stock; one row per variant)",
    )
    load.add_argument(
        "file", help="CSV file with a header row: UTF-8 (with or without BOM) or GB18030/GBK"
    )
    load.add_argument(
        "--db", default=None, help="database URL (default: $ASSIST_DB_URL or ./assist.db)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from assist.store.catalog import (
        CatalogImportError,
        decode_catalog,
        import_catalog,
        parse_catalog_csv,
    )
    from assist.store.database import migrate, open_database

    path = Path(args.file)
    try:
        products = parse_catalog_csv(decode_catalog(path.read_bytes(), str(path)), str(path))
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except CatalogImportError as exc:
        print(exc, file=sys.stderr)
        return 1

    async def main() -> tuple[int, int]:
        database = open_database(args.db or default_db_url())
        try:
            await migrate(database)
            summary = await import_catalog(database, products)
        finally:
            await database.dispose()
        return summary.products, summary.variants

    count, variants = asyncio.run(main())
    print(f"imported {count} products, {variants} variants")
    return 0
