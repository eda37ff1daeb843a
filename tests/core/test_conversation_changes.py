"""A panel learns that a conversation left it: closed, or transferred to a colleague."""

from __future__ import annotations

from assist.core.engine import Engine
from assist.core.events import Event
from assist.core.outputs import ConversationChange, Suggestion, SuggestionResult
from tests.core.test_engine_assist import T0, ev, run


def changes(engine: Engine, *events: Event) -> list[dict[str, object]]:
    outputs = run(engine, *events)
    return [o.to_frame() for o in outputs if isinstance(o, ConversationChange)]


def test_closing_a_conversation_tells_its_agent_even_with_no_timer_running() -> None:
    engine = Engine()
    frames = changes(
        engine,
        ev("e-1", "customer_message", 0, text="在吗"),
        ev("e-2", "agent_message", 3, text="您好"),
        ev("e-3", "conversation_closed", 9),
    )
    assert frames == [
        {
            "type": "conversation",
            "conversation_id": "c-1",
            "agent_id": "a-1",
            "change": "closed",
            "at": "2026-11-23T12:00:09.000Z",
        }
    ]


def test_a_transfer_tells_the_agent_who_lost_the_conversation_and_names_the_new_one() -> None:
    engine = Engine()
    frames = changes(
        engine,
        ev("e-1", "customer_message", 0, text="在吗"),
        ev("e-2", "conversation_transferred", 2, agent_id="a-2"),
    )
    assert [(f["agent_id"], f["change"], f.get("to_agent_id")) for f in frames] == [
        ("a-1", "transferred", "a-2")
    ]


def test_messages_from_the_same_agent_change_nothing() -> None:
    engine = Engine()
    assert (
        changes(
            engine,
            ev("e-1", "customer_message", 0, text="在吗"),
            ev("e-2", "agent_message", 1, text="您好"),
            ev("e-3", "conversation_transferred", 2, agent_id="a-1"),
        )
        == []
    )


def test_a_suggestion_frame_carries_the_customers_words_and_when_they_came() -> None:
    result = SuggestionResult("stock", 0.9)
    frame = Suggestion("c-1", "a-1", "m-1", result, "有L码吗", T0).to_frame()
    assert (frame["text"], frame["at"]) == ("有L码吗", "2026-11-23T12:00:00.000Z")
