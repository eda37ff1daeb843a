"""Shared fixtures for the suggestion-engine tests: load the real files once per session."""

from __future__ import annotations

import pytest

from assist.assembly import (
    load_suggester,
)
from assist.core.suggest.catalog import Catalog, Product, Variant
from assist.core.suggest.suggester import Suggester
from assist.settings import load_settings


@pytest.fixture(scope="session")
def suggester() -> Suggester:
    return load_suggester(load_settings())


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.of(
        [
            Product(
                "P100",
                "直筒牛仔裤",
                129.0,
                "牛仔裤",
                (
                    Variant("黑色", "L", 0),
                    Variant("黑色", "M", 4),
                    Variant("蓝色", "L", 6),
                ),
            ),
            Product("P200", "修身小脚牛仔裤", 119.0, "牛仔裤", (Variant("黑色", "L", 3),)),
            Product("P300", "高腰阔腿牛仔裤", 139.0, "牛仔裤", (Variant("蓝色", "S", 0),)),
            Product("P400", "纯棉T恤", 59.0, "T恤", (Variant("白色", "L", 9),)),
        ]
    )
