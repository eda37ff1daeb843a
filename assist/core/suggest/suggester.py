"""The reply-suggestion engine: customer text in, intent + facts + ready replies out.

``Suggester.build`` takes the validated phrasebook, shop rules and size chart and builds
the matcher once; ``suggest`` is then pure and read-only, so the service can
call it from any thread and swap in a freshly loaded instance to reload the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from assist.core.outputs import SuggestionResult
from assist.core.qa.followup import COMPLAINT_INTENT
from assist.core.suggest.catalog import Catalog, Product
from assist.core.suggest.context import SuggestContext
from assist.core.suggest.matcher import UNKNOWN, Matcher, normalize
from assist.core.suggest.model import IntentModel
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

__all__ = ["LEFT_WITHOUT_BUYING", "SuggestContext", "Suggester"]

_MAX_REPLIES = 3
LEFT_WITHOUT_BUYING = "left_without_buying"
_NO_CONTEXT = SuggestContext()

# Returns: a defect the shop pays the postage for (seed 002 ch.3 e: only non-quality
# returns are at the buyer's cost) …
_DEFECT = re.compile(
    r"质量|坏|破|瑕疵|次品|残次|发错|寄错|少发|漏发|线头|开线|脱线|开胶|起皮|掉漆|污渍|脏|"
    r"异味|臭|发霉|漏(水|气|油)?|裂|断了|缺(了)?(个|件|零件|配件|扣子)|少(了)?(个|件|只|条|配件)|"
    r"划痕|变形|杂质|不能用|用不了|故障|不亮|不转|起球|掉毛|缩水|色差|掉色|褪色|"
    r"针眼|破洞|有洞|霉|虫|跟图片不一样|与描述不符|描述不符|假货"
)
# … and goods made to order: special sizes and pre-orders (seed 002 ch.2: not returnable).
_MADE_TO_ORDER = re.compile(
    r"预售|预定|预订|定制|订制|定做|订做|特殊尺码|特殊码|特大码|加大码|加肥"
)
# "包邮我就付款" asks for free shipping: the concession the seed's second step grants.
_FREE_SHIPPING = re.compile(r"包邮|免邮|运费|邮费|快递费")


MAX_CHARS = 500


def _money(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


@dataclass(frozen=True)
class Suggester:
    book: Phrasebook
    shop: ShopRules
    chart: SizeChart
    matcher: Matcher
    catalog: Catalog

    @cached_property
    def _fields(self) -> dict[str, frozenset[str]]:
        """The ``{fields}`` of every reply template, parsed once."""
        return {
            template: frozenset(template_fields(template))
            for spec in self.book.intents.values()
            for templates in spec.replies.values()
            for template in templates
        }

    @cached_property
    def _variables(self) -> dict[str, str]:
        """The shop's template variables, read from the (pydantic) model once."""
        return self.shop.variables()

    @classmethod
    def build(
        cls,
        book: Phrasebook,
        shop: ShopRules,
        chart: SizeChart,
        catalog: Catalog | None = None,
        model: IntentModel | None = None,
    ) -> Suggester:
        """A suggester over validated models (read by :mod:`assist.assembly`)."""
        return cls(book, shop, chart, Matcher(book, model), catalog or Catalog.empty())

    def with_catalog(self, catalog: Catalog) -> Suggester:
        return Suggester(self.book, self.shop, self.chart, self.matcher, catalog)

    def may_be_complaint(self, text: str) -> bool:
        """A complaint keyword or statement of the phrasebook is in ``text`` (the rules'
        half, no model): under load, a suggestion already answered is still made when
        this says so, since the supervisors' complaint alert comes with it."""
        return self.matcher.mentions(COMPLAINT_INTENT, normalize(text[:MAX_CHARS]))

    def suggest(
        self,
        text: str,
        product_id: str | None = None,
        *,
        context: SuggestContext | None = None,
    ) -> SuggestionResult:
        """Intent, facts and replies for one customer message.

        ``context`` tells what happened in the conversation so far: after a paid order a
        thank-you gets the new-VIP reply (seed 002 ch.3 §4 购买之后) first.
        """
        context = context or _NO_CONTEXT
        # A customer's question is in its first lines; reading at most this much bounds
        # the time one pasted essay can hold the event loop (and every timer) up.
        normal = normalize(text[:MAX_CHARS])
        match = self.matcher.match_normal(normal)
        if match.intent == UNKNOWN:
            return SuggestionResult(UNKNOWN, match.confidence)
        slots: dict[str, Any] = {}
        variables = dict(self._variables)
        family = "default"
        if match.intent == "sizing":
            family = self._sizing(normal, slots, variables)
        elif match.intent == "stock":
            family = self._stock(normal, product_id, slots, variables)
        elif match.intent == "bargaining":
            family = self._bargaining(normal, product_id, match.bargain_type, slots, variables)
        elif match.intent == "returns":
            family = self._returns(normal, slots)
        elif match.intent == "thanks_bye" and context.order_paid:
            family = "after_purchase"
            slots["after"] = "order_paid"
        replies = self._render(match.intent, family, variables)
        return SuggestionResult(match.intent, match.confidence, slots, replies)

    def left_without_buying(self) -> SuggestionResult:
        """The see-you-again reply for a conversation closed without an order
        (seed 002 ch.3 §4 咨询未购买): the engine offers it at the close."""
        replies = self._render("thanks_bye", LEFT_WITHOUT_BUYING, dict(self._variables))
        return SuggestionResult("thanks_bye", 1.0, {"after": "closed_without_order"}, replies)

    @staticmethod
    def _returns(normal: str, slots: dict[str, Any]) -> str:
        """Which returns policy applies: made to order, a defect, or a change of mind."""
        if _MADE_TO_ORDER.search(normal):
            slots["return_case"] = "made_to_order"
            return "made_to_order"
        if _DEFECT.search(normal):
            slots["return_case"] = "defect"
            return "quality"
        slots["return_case"] = "change_of_mind"
        return "default"

    def _render(self, intent: str, family: str, variables: dict[str, str]) -> tuple[str, ...]:
        families = self.book.intents[intent].replies
        templates = list(families.get(family) or families["default"])
        if intent == "greeting" and "busy" in families:
            templates += families["busy"]
        if intent == "thanks_bye" and family == "after_purchase":
            templates += families["default"][1:]
        fields = self._fields
        usable = [t for t in templates if fields[t] <= variables.keys()]
        if not usable:
            usable = [t for t in families["default"] if fields[t] <= variables.keys()]
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
        if kind == "ultimatum" and (list_price is None or price is None):
            # No price to judge: the seed's two steps — a bundle first, then give in
            # with free shipping.
            if _FREE_SHIPPING.search(normal):
                slots["concession"] = "free_shipping"
                return "ultimatum_free_shipping"
            return "ultimatum"
        if kind == "excuse" and (list_price is None or price is None):
            return "excuse"  # both answers; the one needing the price only when it is known
        if kind not in ("ultimatum", "excuse") or list_price is None or price is None:
            return "default"
        reasonable = price >= list_price * (1.0 - self.shop.max_discount) - 1e-9
        variables["bundle_price"] = _money(round(list_price * self.shop.bundle_factor))
        if kind == "ultimatum":
            return "ultimatum_reasonable" if reasonable else "ultimatum_unreasonable"
        return "excuse_small" if reasonable else "excuse_large"
