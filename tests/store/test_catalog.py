from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from assist.store.catalog import (
    CatalogImportError,
    import_catalog,
    load_catalog,
    parse_catalog_csv,
)
from assist.store.database import migrate
from assist.store.tables import Base

CSV = """sku,name,price,category,color,size,stock
P1,直筒牛仔裤,129,牛仔裤,黑色,L,0
P1,直筒牛仔裤,129,牛仔裤,黑色,M,3
P1,直筒牛仔裤,129,牛仔裤,蓝色,L,5
P2,修身牛仔裤,119,牛仔裤,黑色,L,4
P3,帆布包,49,包,,,7
"""


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


def test_parse_groups_variants_by_sku() -> None:
    products = {p.sku: p for p in parse_catalog_csv(CSV)}
    assert set(products) == {"P1", "P2", "P3"}
    assert products["P1"].price == 129.0
    assert products["P1"].colors == ("黑色", "蓝色")
    assert products["P1"].in_stock("黑色", "L") is False
    assert products["P1"].in_stock("黑色") is True
    assert products["P3"].variants[0].color == "" and products["P3"].category == "包"


def test_bad_rows_are_all_reported_with_their_line() -> None:
    bad = (
        "sku,name,price,category,color,size,stock\n"
        "P1,裤子,abc,裤,黑色,L,1\n"
        "P2,裤子,99,裤,黑色,L,-3\n"
        ",裤子,99,裤,黑色,L,1\n"
        "P4,裤子,99,裤,黑色,L,1\n"
        "P4,裤子,99,裤,黑色,L,2\n"
        "P4,短裤,89,裤,白色,L,2\n"
    )
    with pytest.raises(CatalogImportError) as caught:
        parse_catalog_csv(bad, "stock.csv")
    lines = [line for line, _ in caught.value.problems]
    assert lines == [2, 3, 4, 6, 7]
    text = str(caught.value)
    assert "stock.csv:2: price" in text
    assert "stock.csv:3: stock" in text
    assert "stock.csv:4: empty sku" in text
    assert "listed twice" in text and "differ from line 5" in text


def test_missing_column_is_reported_on_the_header() -> None:
    with pytest.raises(CatalogImportError, match=r"<csv>:1: missing column\(s\): price"):
        parse_catalog_csv("sku,name\nP1,x\n")


async def test_import_then_load_round_trips(engine: AsyncEngine) -> None:
    summary = await import_catalog(engine, parse_catalog_csv(CSV))
    assert (summary.products, summary.variants) == (3, 5)
    catalog = await load_catalog(engine)
    assert len(catalog) == 3
    product = catalog.get("P1")
    assert product is not None and product.name == "直筒牛仔裤"
    assert sorted((v.color, v.size, v.stock) for v in product.variants) == [
        ("蓝色", "L", 5),
        ("黑色", "L", 0),
        ("黑色", "M", 3),
    ]
    assert [p.sku for p in catalog.similar_in_stock("P1", size="L")] == ["P2"]
    assert catalog.find_sku("p2 还有吗") == "P2"


async def test_reimport_is_idempotent_and_replaces_variants(engine: AsyncEngine) -> None:
    await import_catalog(engine, parse_catalog_csv(CSV))
    await import_catalog(engine, parse_catalog_csv(CSV))
    first = await load_catalog(engine)
    update = "sku,name,price,category,color,size,stock\nP1,直筒牛仔裤,139,牛仔裤,黑色,L,8\n"
    await import_catalog(engine, parse_catalog_csv(update))
    second = await load_catalog(engine)
    p1 = second.get("P1")
    assert p1 is not None
    assert p1.price == 139.0
    assert [(v.color, v.size, v.stock) for v in p1.variants] == [("黑色", "L", 8)]
    assert len(first) == len(second) == 3  # P2, P3 untouched


async def test_tables_can_be_created_on_an_empty_database(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        await migrate(engine)
        assert len(await load_catalog(engine)) == 0
    finally:
        await engine.dispose()
