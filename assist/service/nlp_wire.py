"""NLP requests and results as rows of plain values, for the trip to a worker and back.

Pickling the dataclasses themselves (what a ``ProcessPoolExecutor`` did) cost ~3 µs a
request each way, most of it in the dataclass ``__getstate__``/``__setstate__`` that
pickle calls per object; a tuple of strings, numbers and flags pickles in C, ~0.3 µs.
Results are rebuilt with the dataclasses' own constructors, again cheaper than
``__setstate__``.

A worker gets only what :func:`assist.core.nlp.run_request` reads. The conversation,
the agent and the event time stay with the request on the event loop's side, which
builds the frames from it (:func:`assist.core.nlp.request_outputs`); the worker's copy
has neutral values there (the message id is kept, for the log of a request that fails).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from assist.core.nlp import NlpResult
from assist.core.outputs import Finding, NlpKind, NlpRequest, SuggestionResult
from assist.core.suggest.catalog import Product, Variant

__all__ = [
    "ProductRow",
    "RequestRow",
    "ResultRow",
    "product_rows",
    "products_of",
    "request_of",
    "request_rows",
    "result_row",
    "results_of",
]

# kind (its index in NlpKind), message id, text, product id, first in conversation,
# typing s, texts, order paid
RequestRow = tuple[int, str, str, str | None, bool, float | None, tuple[str, ...], bool]
SuggestionRow = tuple[str, float, dict[str, Any], tuple[str, ...]]
FindingRow = tuple[str, str, str, str | None, int | None, int | None, tuple[str, ...]]
# A suggestion is a tuple, findings a list: the shape says which (mypy can narrow on it).
ResultRow = SuggestionRow | list[FindingRow] | None

_KINDS = tuple(NlpKind)
_KIND_INDEX = {kind: index for index, kind in enumerate(_KINDS)}
_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def request_rows(batch: Sequence[NlpRequest]) -> list[RequestRow]:
    """Rows for a batch (one comprehension: this runs on the event loop, per request)."""
    index = _KIND_INDEX
    return [
        (
            index[r.kind],
            r.message_id,
            r.text,
            r.product_id,
            r.first_in_conversation,
            r.typing_s,
            r.texts,
            r.order_paid,
        )
        for r in batch
    ]


def request_of(row: RequestRow) -> NlpRequest:
    """The worker's copy of a request: what ``run_request`` reads, the rest neutral."""
    kind, message_id, text, product_id, first, typing_s, texts, order_paid = row
    return NlpRequest(
        _KINDS[kind],
        "",
        None,
        message_id,
        _NO_TIME,
        text,
        product_id,
        first,
        typing_s,
        texts,
        order_paid,
    )


def result_row(result: NlpResult | None) -> ResultRow:
    if result is None:
        return None
    if isinstance(result, SuggestionResult):
        return (result.intent, result.confidence, result.slots, result.replies)
    return [
        (f.rule, f.severity, f.advice, f.phrase, f.start, f.end, f.alternatives) for f in result
    ]


def results_of(rows: Sequence[ResultRow]) -> list[NlpResult | None]:
    """The results a worker sent back, rebuilt (on the event loop, per request)."""
    results: list[NlpResult | None] = []
    append = results.append
    for row in rows:
        if row is None:
            append(None)
        elif isinstance(row, list):
            append(tuple([Finding(*finding) for finding in row]))
        else:
            append(SuggestionResult(*row))
    return results


# sku, name, price, category, variants as (colour, size, stock)
ProductRow = tuple[str, str, float, str | None, tuple[tuple[str, str, int], ...]]


def product_rows(products: Sequence[Product]) -> tuple[ProductRow, ...]:
    """The catalogue a worker loads with its rules, as plain rows: pickling 2,000
    products as dataclasses took ~90 ms of the event loop, as rows a few ms."""
    return tuple(
        (p.sku, p.name, p.price, p.category, tuple((v.color, v.size, v.stock) for v in p.variants))
        for p in products
    )


def products_of(rows: Sequence[ProductRow]) -> list[Product]:
    return [
        Product(sku, name, price, category, tuple(Variant(*v) for v in variants))
        for sku, name, price, category, variants in rows
    ]
