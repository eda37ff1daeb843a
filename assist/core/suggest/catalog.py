"""The shop's catalogue as frozen in-memory data, so stock answers never touch the database.

The service loads it once from SQL (``assist.store.catalog.load_catalog``) and swaps in a
new one after an import; the suggester only reads it, from any thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["Catalog", "Product", "Variant"]


@dataclass(frozen=True, slots=True)
class Variant:
    """Stock of one colour/size; empty strings mean "one colour"/"one size"."""

    color: str
    size: str
    stock: int

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.color, self.size and f"{self.size}码") if part)


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    price: float
    category: str | None
    variants: tuple[Variant, ...] = ()

    @property
    def colors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.color for v in self.variants if v.color))

    @property
    def sizes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.size for v in self.variants if v.size))

    def matching(self, color: str | None = None, size: str | None = None) -> tuple[Variant, ...]:
        return tuple(
            v
            for v in self.variants
            if (color is None or v.color == color) and (size is None or v.size == size)
        )

    def in_stock(self, color: str | None = None, size: str | None = None) -> bool:
        return any(v.stock > 0 for v in self.matching(color, size))


@dataclass(frozen=True, slots=True)
class Catalog:
    products: Mapping[str, Product] = field(default_factory=lambda: MappingProxyType({}))
    _sku_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def empty(cls) -> Catalog:
        return cls()

    @classmethod
    def of(cls, products: Iterable[Product]) -> Catalog:
        by_sku = {p.sku: p for p in products}
        pattern = None
        if by_sku:
            # Longest first so "sku-12" never shadows "sku-123".
            alternatives = sorted(by_sku, key=len, reverse=True)
            pattern = re.compile(
                r"(?<![0-9a-z])(" + "|".join(re.escape(s.lower()) for s in alternatives) + r")"
                r"(?![0-9a-z])"
            )
        return cls(MappingProxyType(by_sku), pattern)

    def __len__(self) -> int:
        return len(self.products)

    def get(self, sku: str | None) -> Product | None:
        return None if sku is None else self.products.get(sku)

    def find_sku(self, text: str) -> str | None:
        """The first catalogue sku written in ``text`` (case-insensitive), if any."""
        if self._sku_pattern is None:
            return None
        match = self._sku_pattern.search(text.lower())
        if match is None:
            return None
        wanted = match.group(1)
        return next((s for s in self.products if s.lower() == wanted), None)

    def similar_in_stock(
        self, sku: str, size: str | None = None, limit: int = 3
    ) -> tuple[Product, ...]:
        """Other products of the same category with stock (in ``size`` when it is given)."""
        product = self.products.get(sku)
        if product is None:
            return ()
        found = [
            other
            for other in self.products.values()
            if other.sku != sku
            and other.category == product.category
            and other.in_stock(size=size if size in other.sizes else None)
        ]
        found.sort(key=lambda p: (abs(p.price - product.price), p.sku))
        return tuple(found[:limit])
