"""Choosing a size from the customer's body, following the shop's rulebook (seed 002 ch.3 b).

Measured girths are the most reliable, so they win: the garment must be at least the
measured waist/hip plus ``ease_cm``. Failing that, the size the customer usually wears
maps through the chart's table ("28" → L). Height and weight come last: the smallest size
cut for both.
"""

from __future__ import annotations

from collections.abc import Callable

from assist.core.suggest.phrasebook import SizeChart, SizeRow

__all__ = ["recommend_size"]


def _smallest(chart: SizeChart, fits: Callable[[SizeRow], bool]) -> int:
    for index, row in enumerate(chart.sizes):
        if fits(row):
            return index
    return len(chart.sizes) - 1


def recommend_size(
    chart: SizeChart,
    *,
    height_cm: float | None = None,
    weight_kg: float | None = None,
    waist_cm: float | None = None,
    hip_cm: float | None = None,
    usual_size: str | None = None,
) -> str | None:
    """The recommended size name, or None when nothing usable was given."""
    ease = chart.ease_cm
    if waist_cm is not None or hip_cm is not None:
        index = 0
        if waist_cm is not None:
            index = max(index, _smallest(chart, lambda r: r.waist_cm >= waist_cm + ease))
        if hip_cm is not None:
            index = max(index, _smallest(chart, lambda r: r.hip_cm >= hip_cm + ease))
        return chart.sizes[index].name
    if usual_size is not None and usual_size.upper() in chart.usual:
        return chart.usual[usual_size.upper()]
    if height_cm is None and weight_kg is None:
        return None
    index = 0
    if height_cm is not None:
        index = max(index, _smallest(chart, lambda r: r.max_height_cm >= height_cm))
    if weight_kg is not None:
        index = max(index, _smallest(chart, lambda r: r.max_weight_kg >= weight_kg))
    return chart.sizes[index].name
