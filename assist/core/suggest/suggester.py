"""The reply-suggestion engine: customer text in, intent + facts + ready replies out.

``Suggester.build`` takes the validated phrasebook, shop rules and size chart and builds
the matcher once; ``suggest`` is then pure and read-only, so the service can
call it from any thread and swap in a freshly loaded instance to reload the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assist.core.outputs import SuggestionResult
from assist.core.suggest.catalog import Catalog, Product
from assist.core.suggest.matcher import UNKNOWN, Matcher, normalize
from assist.core.suggest.phrasebook import (
    Phrasebook,
    ShopRules,
    SizeChart,
    template_fields,
)
from assist.core.suggest.sizing import recommend_size
from assist.core.suggest.slots import (
    extract_body,
    extract_color,
    extract_price,
    extract_size,
    extract_usual_size,
)

__all__ = ["Suggester"]

_MAX_REPLIES = 3


MAX_CHARS = 500


def _money(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


@dataclass(frozen=True, slots=True)
class Suggester:
    book: Phrasebook
    shop: ShopRules
    chart: SizeChart
    matcher: Matcher
    catalog: Catalog

    @classmethod
    def build(
        cls,
        book: Phrasebook,
        shop: ShopRules,
        chart: SizeChart,
        catalog: Catalog | None = None,
    ) -> Suggester:
        """A suggester over validated models (read by :mod:`assist.assembly`)."""
        return cls(book, shop, chart, Matcher(book), catalog or Catalog.empty())

    def with_catalog(self, catalog: Catalog) -> Suggester:
        return Suggester(self.book, self.shop, self.chart, self.matcher, catalog)

    def suggest(self, text: str, product_id: str | None = None) -> SuggestionResult:
        # A customer's question is in its first lines; reading at most this much bounds
        # the time one pasted essay can hold the event loop (and every timer) up.
        text = text[:MAX_CHARS]
        match = self.matcher.match(text)
        if match.intent == UNKNOWN:
            return SuggestionResult(UNKNOWN, match.confidence)
        normal = normalize(text)
        slots: dict[str, Any] = {}
        variables: dict[str, str] = self.shop.variables()
        family = "default"
        if match.intent == "sizing":
            family = self._sizing(normal, slots, variables)
        elif match.intent == "stock":
            family = self._stock(normal, product_id, slots, variables)
        elif match.intent == "bargaining":
            family = self._bargaining(normal, product_id, match.bargain_type, slots, variables)
        elif match.intent == "returns" and re.search(r"质量|坏|破|瑕疵|发错|寄错|少发", normal):
            family = "quality"
        replies = self._render(match.intent, family, variables)
        return SuggestionResult(match.intent, match.confidence, slots, replies)

    def _render(self, intent: str, family: str, variables: dict[str, str]) -> tuple[str, ...]:
        families = self.book.intents[intent].replies
        templates = list(families.get(family) or families["default"])
        if intent == "greeting" and "busy" in families:
            templates += families["busy"]
        if intent == "thanks_bye":
            for extra in ("after_purchase", "left_without_buying"):
                templates += families.get(extra, [])
        usable = [t for t in templates if set(template_fields(t)) <= variables.keys()]
        if not usable:
            usable = [t for t in families["default"] if set(template_fields(t)) <= variables.keys()]
        return tuple(t.format_map(variables) for t in usable[:_MAX_REPLIES])

    def _product(self, normal: str, product_id: str | None) -> Product | None:
        product = self.catalog.get(product_id)
        if product is None:
            product = self.catalog.get(self.catalog.find_sku(normal))
        return product

    def _sizing(self, normal: str, slots: dict[str, Any], variables: dict[str, str]) -> str:
        body = extract_body(normal)
        usual = extract_usual_size(normal)
        slots.update(body)
        if usual is not None:
            slots["usual_size"] = usual
        size = recommend_size(
            self.chart,
            height_cm=body.get("height_cm"),
            weight_kg=body.get("weight_kg"),
            waist_cm=body.get("waist_cm"),
            hip_cm=body.get("hip_cm"),
            usual_size=usual,
        )
        if size is None:
            return "default"
        slots["size"] = size
        variables["size"] = size
        measured = {"waist_cm", "hip_cm"} & body.keys()
        if usual is not None and not measured and usual.upper() in self.chart.usual:
            variables["usual_size"] = usual
            return "usual"
        return "recommend"

    def _stock(
        self,
        normal: str,
        product_id: str | None,
        slots: dict[str, Any],
        variables: dict[str, str],
    ) -> str:
        product = self._product(normal, product_id)
        color = extract_color(normal, product.colors if product else ())
        size = extract_size(normal, product.sizes if product else ())
        if color is not None:
            slots["color"] = color
        if size is not None:
            slots["size"] = size
        if product is None:
            return "default"
        slots["sku"] = product.sku
        in_stock = product.in_stock(color, size)
        slots["in_stock"] = in_stock
        variables.update(
            sku=product.sku,
            product_name=product.name,
            product_price=_money(product.price),
            color=color or "",
            size=size or "",
            variant=" ".join(p for p in (color, size and f"{size}码") if p) or "这款",
        )
        if in_stock:
            return "in_stock"
        similar = self.catalog.similar_in_stock(product.sku, size=size)
        if not similar:
            return "out_of_stock_no_similar"
        variables["similar"] = "、".join(
            f"{p.name}（{p.sku}，{_money(p.price)}元）" for p in similar
        )
        slots["similar"] = [p.sku for p in similar]
        return "out_of_stock"

    def _bargaining(
        self,
        normal: str,
        product_id: str | None,
        bargain_type: str | None,
        slots: dict[str, Any],
        variables: dict[str, str],
    ) -> str:
        kind = bargain_type or "general"
        slots["bargain_type"] = kind
        product = self._product(normal, product_id)
        list_price = product.price if product else None
        price = extract_price(normal, list_price)
        if product is not None:
            slots["sku"] = product.sku
            variables.update(
                sku=product.sku, product_name=product.name, product_price=_money(product.price)
            )
        if price is not None:
            slots["price"] = price
            variables["price"] = _money(price)
        if kind == "promise" or kind == "comparison":
            return kind
        if kind not in ("ultimatum", "excuse") or list_price is None or price is None:
            return "default"
        reasonable = price >= list_price * (1.0 - self.shop.max_discount) - 1e-9
        variables["bundle_price"] = _money(round(list_price * self.shop.bundle_factor))
        if kind == "ultimatum":
            return "ultimatum_reasonable" if reasonable else "ultimatum_unreasonable"
        return "excuse_small" if reasonable else "excuse_large"
