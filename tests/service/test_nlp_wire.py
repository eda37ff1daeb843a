"""Requests and results survive the trip to a worker as plain rows."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from assist.assembly import load_linter, load_suggester
from assist.core.nlp import NlpResult, run_request
from assist.core.outputs import Finding, NlpKind, NlpRequest, SuggestionResult
from assist.core.suggest.catalog import Product, Variant
from assist.service import nlp_wire
from assist.service.nlp_wire import request_of, request_rows, result_row, results_of
from assist.settings import load_settings

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

REQUESTS = [
    NlpRequest(NlpKind.SUGGEST, "c", "a-1", "m1", AT, text="这款有L码吗", product_id="p-9"),
    NlpRequest(NlpKind.SUGGEST, "c", "a-1", "m2", AT, text="谢谢", order_paid=True),
    NlpRequest(
        NlpKind.LINT,
        "c",
        "a-1",
        "m3",
        AT,
        text="不能退哦",
        first_in_conversation=True,
        typing_s=2.5,
    ),
    NlpRequest(NlpKind.CLOSE, "c", "a-1", "m4", AT, texts=("好的", "稍等")),
]


def trip(value: object) -> object:
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def test_a_workers_copy_of_a_request_gets_the_same_answer() -> None:
    settings = load_settings()
    suggester, linter = load_suggester(settings), load_linter(settings)
    rows = trip(request_rows(REQUESTS))
    assert isinstance(rows, list)
    for request, row in zip(REQUESTS, rows, strict=True):
        copy = request_of(row)
        assert copy.message_id == request.message_id
        assert run_request(copy, suggester, linter) == run_request(request, suggester, linter)


def test_results_come_back_equal() -> None:
    findings = (
        Finding("negative_phrase", "error", "换个说法", "不能", 0, 2, ("可以帮您看看",)),
        Finding("missing_closing", "warning", "道别"),
    )
    suggestion = SuggestionResult("stock", 0.98, {"size": "L", "body": {"cm": 170}}, ("有的亲",))
    results: list[NlpResult | None] = [suggestion, findings, (), None]
    rows = trip([result_row(result) for result in results])
    assert isinstance(rows, list)
    assert results_of(rows) == results


def test_a_catalogue_travels_to_a_worker_unchanged() -> None:
    products = [
        Product(
            "sku-1", "纯棉T恤", 99.0, "T恤", (Variant("黑色", "L", 3), Variant("白色", "M", 0))
        ),
        Product("sku-2", "帆布包", 59.5, None, ()),
    ]
    rows = nlp_wire.product_rows(products)
    assert nlp_wire.products_of(pickle.loads(pickle.dumps(rows))) == products
