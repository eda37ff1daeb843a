"""The storable check names the refused part by its path, at any depth."""

from __future__ import annotations

import pytest

from assist.core.errors import InvalidEvent
from assist.core.storable import check_storable


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"id": "e1", "text": "a\x00b"}, "event.text"),
        ({"id": "e1", "extra": {"items": [1, 2, 3, float("nan")]}}, "event.extra.items[3]"),
        ({"id": "e1", "extra": {"deep": [{"x": "\ud800"}]}}, "event.extra.deep[0].x"),
        ({"id": "e1", "extra": {"k\x00": 1}}, "a key of event.extra"),
    ],
)
def test_a_refused_part_is_named_by_its_path(value: object, where: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        check_storable(value, "e1")
    assert caught.value.message.startswith(where + " ")
    assert caught.value.event_id == "e1"


def test_a_flat_event_of_plain_values_passes() -> None:
    check_storable({"id": "e1", "text": "您好", "amount": 1.5, "n": 3, "ok": True, "x": None})
