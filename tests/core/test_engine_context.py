"""The engine tells the suggester what happened in the conversation (orders) and offers
the see-you-again reply when a customer leaves without buying (seed 002 ch.3 §4)."""

from __future__ import annotations

from assist.core.engine import Engine
from assist.core.events import Event
from assist.core.nlp import run_request
from assist.core.outputs import NlpRequest, Output, Suggestion, SuggestionResult
from assist.core.suggest.suggester import Suggester
from tests.core.test_engine_assist import ev


def suggestions(engine: Engine, *events: Event) -> list[Suggestion]:
    outputs: list[Output] = []
    for event in events:
        outputs += engine.handle(event, event.ts).outputs
    return [o for o in outputs if isinstance(o, Suggestion)]


def test_thanks_after_an_order_paid_gets_the_vip_reply(suggester: Suggester) -> None:
    found = suggestions(
        Engine(suggester=suggester),
        ev("m1", "customer_message", 0, text="这条裤子有L码吗"),
        ev("o1", "order_paid", 30, amount=129),
        ev("m2", "customer_message", 40, text="好的谢谢"),
    )
    thanks = found[-1]
    assert thanks.message_id == "m2"
    assert thanks.result.intent == "thanks_bye"
    assert "VIP" in thanks.result.replies[0]


def test_thanks_without_an_order_gets_no_vip_reply(suggester: Suggester) -> None:
    found = suggestions(
        Engine(suggester=suggester),
        ev("m1", "customer_message", 0, text="好的谢谢"),
    )
    assert not any("VIP" in reply for reply in found[0].result.replies)


def test_a_close_without_an_order_offers_the_see_you_again_reply(suggester: Suggester) -> None:
    found = suggestions(
        Engine(suggester=suggester),
        ev("m1", "customer_message", 0, text="有优惠吗"),
        ev("x", "conversation_closed", 60),
    )
    farewell = found[-1]
    assert farewell.message_id == "x"
    assert farewell.result.slots == {"after": "closed_without_order"}
    assert "收藏" in farewell.result.replies[0]


def test_a_close_after_an_order_or_without_a_customer_word_offers_nothing(
    suggester: Suggester,
) -> None:
    bought = suggestions(
        Engine(suggester=suggester),
        ev("m1", "customer_message", 0, text="有优惠吗"),
        ev("o1", "order_placed", 20),
        ev("x", "conversation_closed", 60),
    )
    assert [s.message_id for s in bought] == ["m1"]
    silent = suggestions(
        Engine(suggester=suggester),
        ev("open", "conversation_opened", 0),
        ev("x", "conversation_closed", 60),
    )
    assert silent == []


def test_the_order_context_travels_with_a_deferred_request(suggester: Suggester) -> None:
    # The live service runs suggestions in worker processes: the request carries it.
    engine = Engine(suggester=suggester, defer_nlp=True)
    outputs: list[Output] = []
    for event in (
        ev("o1", "order_paid", 0, amount=99),
        ev("m1", "customer_message", 10, text="收到啦 谢谢"),
    ):
        outputs += engine.handle(event, event.ts).outputs
    (request,) = [o for o in outputs if isinstance(o, NlpRequest)]
    assert request.order_paid
    result = run_request(request, suggester, None)
    assert isinstance(result, SuggestionResult)
    assert "VIP" in result.replies[0]
