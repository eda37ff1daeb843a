"""The demo's script shows what the README promises: every intent family, paid and unpaid
orders, a transfer, a complaint, a negative phrase, and late answers."""

from __future__ import annotations

from assist.assembly import load_linter, load_suggester
from assist.demo.script import AGENTS, SCRIPT
from assist.demo.simulator import event_for
from assist.settings import load_settings

INTENTS = {
    "greeting", "stock", "sizing", "logistics", "bargaining", "returns",
    "color_difference", "authenticity", "complaint", "thanks_bye",
}  # fmt: skip


def test_the_customers_in_the_script_ask_about_every_intent_family() -> None:
    suggester = load_suggester(load_settings())
    asked = {
        suggester.suggest(step.text or "", c.product_id).intent
        for c in SCRIPT
        for step in c.steps
        if step.type == "customer_message"
    }
    assert INTENTS <= asked


def test_the_script_has_orders_paid_and_unpaid_a_transfer_and_a_complaint() -> None:
    types = [step.type for c in SCRIPT for step in c.steps]
    for kind in ("order_placed", "order_paid", "conversation_transferred", "complaint"):
        assert kind in types
    placed = {
        step.extra["order_id"] for c in SCRIPT for step in c.steps if step.type == "order_placed"
    }
    paid = {step.extra["order_id"] for c in SCRIPT for step in c.steps if step.type == "order_paid"}
    assert paid < placed  # at least one order is left unpaid
    assert {c.agent_id for c in SCRIPT} == set(AGENTS)


def test_some_agent_says_a_negative_phrase() -> None:
    linter = load_linter(load_settings())
    flagged = [
        step.text
        for c in SCRIPT
        for step in c.steps
        if step.type == "agent_message"
        and any(f.rule == "negative_phrase" for f in linter.lint_text(step.text or ""))
    ]
    assert len(flagged) >= 2


def test_a_greeting_and_a_reply_come_after_the_default_deadlines() -> None:
    slow = []
    for conversation in SCRIPT:
        waiting_since = None
        for step in conversation.steps:
            if step.type == "customer_message" and waiting_since is None:
                waiting_since = step.at_s
            elif step.type == "agent_message" and waiting_since is not None:
                slow.append(step.at_s - waiting_since)
                waiting_since = None
    assert max(slow) > 60  # an escalation (default 60 s)
    assert sum(1 for wait in slow if 15 < wait <= 60) >= 2  # late greetings / replies


def test_each_round_gets_its_own_ids_so_the_demo_can_run_for_hours() -> None:
    conversation = SCRIPT[0]
    step = conversation.steps[-1]
    first, second = event_for(conversation, step, 1, 9), event_for(conversation, step, 2, 9)
    assert first["id"] != second["id"]
    assert first["conversation_id"] != second["conversation_id"]
    paid = next(s for s in conversation.steps if s.type == "order_paid")
    assert event_for(conversation, paid, 3, 1)["order_id"] == "o-3-1"
