"""Importing the shop's catalogue from CSV into SQL, and loading it back as a frozen Catalog.

CSV, UTF-8, with a header row; one row per variant::

    sku,name,price,category,color,size,stock
    P1001,直筒牛仔裤,129,牛仔裤,黑色,L,12

``color``/``size`` may be empty ("one colour"/"one size"), ``category`` too. Rows of one
sku must agree on name, price and category. A bad file is rejected whole, with every bad
line named, so a half-imported catalogue never answers stock questions. Re-importing is an
upsert: each sku in the file is replaced by what the file says; skus not in the file stay.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from assist.core.errors import CatalogImportError
from assist.core.suggest.catalog import Catalog, Product, Variant
from assist.store.tables import CatalogProductRow, CatalogVariantRow

__all__ = [
    "COLUMNS",
    "CatalogImportError",
    "ImportSummary",
    "decode_catalog",
    "catalog_signature",
    "import_catalog",
    "load_catalog",
    "parse_catalog_csv",
]

COLUMNS: tuple[str, ...] = ("sku", "name", "price", "category", "color", "size", "stock")
_REQUIRED = ("sku", "name", "price")


@dataclass(frozen=True, slots=True)
class ImportSummary:
    products: int
    variants: int


def _number(raw: str, kind: type[int] | type[float]) -> float | int | None:
    try:
        value = kind(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def decode_catalog(data: bytes, source: str = "<csv>") -> str:
    """The file's text: UTF-8 (with or without a byte-order mark) or GB18030.

    Excel on Chinese Windows saves "CSV" in the ANSI code page (GBK, which GB18030
    contains); a catalogue must import whichever way the shop saved it. UTF-8 is tried
    first: GB18030 would also decode most UTF-8 bytes, into the wrong characters.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = "not UTF-8 or GB18030 (GBK) text; save the file as CSV UTF-8"
        raise CatalogImportError(source, [(line, message)]) from None


def parse_catalog_csv(text: str, source: str = "<csv>") -> list[Product]:
    """Parse and validate the whole file; raise :class:`CatalogImportError` naming lines."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise CatalogImportError(source, [(1, f"missing column(s): {', '.join(missing)}")])
    reader.fieldnames = header
    problems: list[tuple[int | None, str]] = []
    heads: dict[str, tuple[str, float, str | None, int]] = {}
    variants: dict[str, dict[tuple[str, str], Variant]] = {}
    for row in reader:
        line = reader.line_num
        cell = {k: (v or "").strip() for k, v in row.items() if k is not None}
        empty = [name for name in _REQUIRED if not cell.get(name)]
        if empty:
            problems.append((line, f"empty {', '.join(empty)}"))
            continue
        price = _number(cell["price"], float)
        stock = _number(cell.get("stock") or "0", int)
        if price is None:
            problems.append((line, f"price: not a number >= 0: {cell['price']!r}"))
            continue
        if stock is None:
            problems.append((line, f"stock: not a whole number >= 0: {cell.get('stock')!r}"))
            continue
        sku = cell["sku"]
        head = (cell["name"], float(price), cell.get("category") or None)
        if sku in heads and heads[sku][:3] != head:
            problems.append(
                (line, f"sku {sku}: name/price/category differ from line {heads[sku][3]}")
            )
            continue
        heads.setdefault(sku, (*head, line))
        key = (cell.get("color", ""), cell.get("size", ""))
        if key in variants.setdefault(sku, {}):
            problems.append((line, f"sku {sku}: colour {key[0]!r} size {key[1]!r} listed twice"))
            continue
        variants[sku][key] = Variant(key[0], key[1], int(stock))
    if problems:
        raise CatalogImportError(source, problems)
    return [
        Product(sku, name, price, category, tuple(variants[sku].values()))
        for sku, (name, price, category, _) in heads.items()
    ]


async def import_catalog(database: AsyncEngine, products: list[Product]) -> ImportSummary:
    """Upsert ``products`` in one transaction: each sku's variants are replaced wholesale."""
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions.begin() as session:
        for product in products:
            await session.merge(
                CatalogProductRow(
                    sku=product.sku,
                    name=product.name,
                    price=product.price,
                    category=product.category,
                )
            )
            await session.execute(
                delete(CatalogVariantRow).where(CatalogVariantRow.sku == product.sku)
            )
            session.add_all(
                CatalogVariantRow(sku=product.sku, color=v.color, size=v.size, stock=v.stock)
                for v in product.variants
            )
    return ImportSummary(len(products), sum(len(p.variants) for p in products))


async def load_catalog(database: AsyncEngine) -> Catalog:
    """The whole catalogue as frozen in-memory data for the suggester."""
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as session:
        rows = (await session.execute(select(CatalogProductRow))).scalars().all()
        variant_rows = (
            (await session.execute(select(CatalogVariantRow).order_by(CatalogVariantRow.sku)))
            .scalars()
            .all()
        )
    by_sku: dict[str, list[Variant]] = {}
    for v in variant_rows:
        by_sku.setdefault(v.sku, []).append(Variant(v.color, v.size, v.stock))
    return Catalog.of(
        Product(r.sku, r.name, r.price, r.category, tuple(by_sku.get(r.sku, ()))) for r in rows
    )


async def catalog_signature(database: AsyncEngine) -> tuple[object, ...]:
    """A cheap fingerprint of the stored catalogue: it changes when an import changes it,
    so the live service reloads the catalogue only then."""
    async with database.connect() as connection:
        variants = (
            await connection.execute(
                select(
                    func.count(CatalogVariantRow.sku),
                    func.coalesce(func.sum(CatalogVariantRow.stock), 0),
                    func.count(func.distinct(CatalogVariantRow.sku)),
                )
            )
        ).one()
        products = (
            await connection.execute(
                select(
                    func.count(CatalogProductRow.sku),
                    func.coalesce(func.sum(CatalogProductRow.price), 0),
                )
            )
        ).one()
    return tuple(variants) + tuple(products)
