"""Fuzz: generated frames through the ingest parser and the core; nothing escapes, nothing
accepted is lost, everything accepted can be stored and every answer can be sent.

``make test`` runs at least 10,000 frames (a few seconds); ``make fuzz`` sets
``ASSIST_FUZZ_EXAMPLES`` for a longer run. Frames mix well-formed events, events with
hostile values (lone surrogates, NUL, NaN, 1e309, deep nesting, odd ``ts``), arbitrary
JSON and raw garbage.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from random import Random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assist.assembly import build_engine
from assist.core.engine import Engine
from assist.core.errors import InvalidEvent
from assist.core.events import Event, EventType
from assist.core.outputs import EventRecord
from assist.core.protocol import decode_frame_shaped
from assist.core.storable import check_storable
from assist.core.timeutil import EARLIEST, LATEST
from assist.service.hub import encode_frame
from assist.settings import load_settings
from assist.store.writer import Batch

EXAMPLES = int(os.environ.get("ASSIST_FUZZ_EXAMPLES", "210"))
FRAMES_PER_EXAMPLE = 50
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
TYPES = [kind.value for kind in EventType] + ["nope"]

# Every code point, lone surrogates and NUL included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
chat_text = st.sampled_from(["在吗", "有L码吗", "亲，马上为您查询", "手机13812345678", ""])
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, 1e-320, 2**63, -(2**63)]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)
ts_values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "2026-12-02T10:00:00+08:00",
            "2026-12-02T02:00:00Z",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-10:00",
            "2026-12-02",
            "1764640800000",
            "garbage",
        ]
    ),
    any_text,
)
ids = st.one_of(st.sampled_from(["e-1", "e-2", "c-1", "a-1", ""]), any_text, st.integers())


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": draw(ids),
        "type": draw(st.sampled_from(TYPES)),
        "conversation_id": draw(st.one_of(st.sampled_from(["c-1", "c-2", "c-3"]), ids)),
    }
    optional = {
        "ts": ts_values,
        "agent_id": st.one_of(st.sampled_from(["a-1", "a-2"]), ids),
        "customer_id": ids,
        "text": st.one_of(chat_text, any_text),
        "amount": st.one_of(numbers, any_text),
        "order_id": ids,
        "product_id": ids,
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            event[name] = draw(strategy)
    for key, value in draw(st.dictionaries(any_text, json_values, max_size=3)).items():
        event.setdefault(key, value)
    return event


@st.composite
def plausible_events(draw: st.DrawFn) -> dict[str, Any]:
    """Events a real platform sends, so that the core, not only the parser, is exercised."""
    kind = draw(st.sampled_from(TYPES[:-1]))
    event: dict[str, Any] = {
        "id": f"e-{draw(st.integers(0, 400))}",
        "type": kind,
        "conversation_id": f"c-{draw(st.integers(0, 6))}",
        "agent_id": draw(st.sampled_from(["a-1", "a-2"])),
        "customer_id": "u-1",
    }
    if draw(st.booleans()):
        seconds = draw(st.integers(-600, 600))
        event["ts"] = int(NOW.timestamp() * 1000) + seconds * 1000
    if kind in ("customer_message", "agent_message") or draw(st.booleans()):
        event["text"] = draw(st.one_of(chat_text, any_text))
    if kind == "order_paid" or draw(st.booleans()):
        event["amount"] = draw(st.floats(0, 10_000))
    return event


def dumps(value: Any) -> str:
    # allow_nan writes NaN/Infinity as the tokens a sloppy sender would send.
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


MUTATIONS = ['"', "\\", "{", "}", "[", "]", ",", ":", "\\ud800", "\\u0000", "NaN", "1e309", "-"]


def mutate(text: str, rnd: Random) -> str:
    """Classic fuzzing: a few characters of a real frame deleted, replaced or inserted."""
    chars = list(text)
    for _ in range(rnd.randint(1, 4)):
        where = rnd.randrange(len(chars) + 1)
        action = rnd.random()
        if action < 0.3 and where < len(chars):
            del chars[where]
        elif action < 0.6 and where < len(chars):
            chars[where] = rnd.choice(MUTATIONS)
        else:
            chars.insert(where, rnd.choice(MUTATIONS))
    return "".join(chars)


@st.composite
def frame_batches(draw: st.DrawFn) -> list[str | bytes]:
    """``FRAMES_PER_EXAMPLE`` frames combined from a few drawn ingredients.

    Drawing every frame whole costs hypothesis ~4 ms each; drawing a small pool of events,
    values and garbage and combining them with a drawn ``Random`` keeps ten thousand frames
    within seconds while every ingredient still comes from the strategies above.
    """
    pool = draw(st.lists(st.one_of(plausible_events(), events()), min_size=2, max_size=6))
    values = draw(st.lists(json_values, min_size=1, max_size=3))
    garbage = draw(st.lists(st.one_of(st.binary(max_size=40), any_text), min_size=1, max_size=2))
    rnd = draw(st.randoms(use_true_random=False))
    batch: list[str | bytes] = []
    for _ in range(FRAMES_PER_EXAMPLE):
        roll = rnd.random()
        if roll < 0.4:
            event = dict(rnd.choice(pool))
            if rnd.random() < 0.2:
                event[rnd.choice([*event, "extra"])] = rnd.choice(values)
            batch.append(dumps(event))
        elif roll < 0.55:
            batch.append(dumps(rnd.sample(pool, rnd.randint(0, len(pool)))))
        elif roll < 0.65:
            batch.append(dumps(rnd.choice(values)))
        elif roll < 0.7:
            depth = rnd.choice([1, 15, 16, 17, 100, 999, 1000, 3000])
            batch.append('{"id": "d", "x": ' + "[" * depth + "]" * depth + "}")
        elif roll < 0.9:
            batch.append(mutate(dumps(rnd.choice(pool)), rnd))
        else:
            batch.append(rnd.choice(garbage))
    return batch


def assert_storable(event: Event) -> None:
    """What the writer would be given can be written as given."""
    check_storable(event.to_dict())
    assert EARLIEST <= event.ts < LATEST
    json.dumps(event.to_dict(), allow_nan=False).encode("utf-8")


def run_frame(engine: Engine, raw: str | bytes) -> int:
    """Check one frame's journey; return how many of its events were accepted."""
    items, is_batch = decode_frame_shaped(raw, NOW)
    assert is_batch or len(items) == 1  # an empty array is answered with an empty array
    batch = Batch()
    accepted = 0
    for item in items:
        # Every answer can go back on the socket as UTF-8 text.
        if isinstance(item, InvalidEvent):
            encode_frame(item.to_frame()).encode("utf-8")
            continue
        assert isinstance(item, Event)
        assert_storable(item)
        accepted += 1
        result = engine.handle(item, NOW)
        if not result.duplicate:
            # Nothing accepted is lost: its record is the first output, for the store.
            record = result.outputs[0]
            assert isinstance(record, EventRecord) and record.event is item
        batch.add(result.outputs, NOW)
        encode_frame({"ack": item.id}).encode("utf-8")
    json.dumps([row for _, row in batch.rows()], default=str, allow_nan=False).encode("utf-8")
    return accepted


def test_ten_thousand_generated_frames_pass_the_parser_and_the_core() -> None:
    engine = build_engine(load_settings(reload_interval_s=0))
    count = accepted = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(frame_batches())
    def run(batch: list[str | bytes]) -> None:
        nonlocal count, accepted
        for raw in batch:
            accepted += run_frame(engine, raw)
        count += len(batch)

    run()
    assert count >= 10_000 or "ASSIST_FUZZ_EXAMPLES" in os.environ
    assert accepted >= count // 10  # the core saw plenty, not only the parser
