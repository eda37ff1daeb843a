"""The storable check names the refused part by its path, at any depth."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


_FLAT_TEXT = st.text(alphabet=st.sampled_from(["a", "您", "\x00", "\ud800", "\udc00", "😀"]))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        _FLAT_TEXT, st.one_of(_FLAT_TEXT, st.integers(), st.none(), st.booleans()), max_size=6
    )
)
def test_a_flat_event_is_refused_exactly_when_one_of_its_parts_is(value: dict[str, Any]) -> None:
    """The flat fast path (one joined check) agrees with checking part by part."""
    parts = [*value, *(v for v in value.values() if isinstance(v, str))]
    bad = [p for p in parts if "\x00" in p or any("\ud800" <= c <= "\udfff" for c in p)]
    if bad:
        with pytest.raises(InvalidEvent):
            check_storable(value, "e1")
    else:
        check_storable(value, "e1")


def test_adjacent_halves_of_a_surrogate_pair_are_still_refused() -> None:
    # Joined, "\ud83d" + "\ude00" sit side by side; Python never pairs them into one.
    with pytest.raises(InvalidEvent) as caught:
        check_storable({"id": "e1", "a": "x\ud83d", "b": "\ude00y"}, "e1")
    assert caught.value.message.startswith(("event.a ", "event.b "))
