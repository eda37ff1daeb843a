"""Chatwoot payloads → assist events: every published fixture, and the variants its code sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assist.core.errors import InvalidEvent
from assist.core.events import MAX_TEXT_LENGTH, parse_event
from assist.core.timeutil import parse_ts
from assist.integrations.chatwoot import Mapped, map_payload
from tests.integrations.chatwoot_fixtures import (
    FIXTURES,
    assigned,
    incoming,
    load,
    outgoing,
    private_note,
    typing_on,
    with_status,
)

CONVERSATION = "chatwoot:1:150"
CUSTOMER = "chatwoot:1:contact:163"
AGENT = "chatwoot:1:7"

# Each published file: the events it gives, or the start of why it gives none, or the
# start of the error a partial docs template earns.
EXPECTED: dict[str, list[dict[str, Any]] | str] = {
    # The captured inbox has a bot: its conversations are pending until the bot hands over.
    "message_created_incoming.json": "ignored: conversation pending",
    "message_created_incoming_api_channel_docs.json": [
        {
            "id": "chatwoot:1:message:0",
            "type": "customer_message",
            "conversation_id": "chatwoot:1:0",
            "customer_id": "chatwoot:1:contact:0",
            "ts": "2020-08-30T15:43:04.000Z",
            "text": "This is a incoming message from API Channel",
        }
    ],
    # Illustrative docs sample: string ids, conversation.display_id, a non-ISO time.
    "message_created_docs_sample.json": [
        {
            "id": "chatwoot:1:message:1",
            "type": "customer_message",
            "conversation_id": "chatwoot:1:1",
            "customer_id": "chatwoot:1:contact:1",
            "ts": "2020-03-03T13:05:57.000Z",
            "text": "Hi",
        }
    ],
    "conversation_created.json": "ignored: conversation pending",
    "conversation_status_changed.json": "ignored: status pending",
    "conversation_updated.json": "ignored: no status or assignee change",
    "conversation_typing_off.json": "ignored: typing stopped",
    "webwidget_triggered.json": "ignored: webwidget_triggered is not used",
    "contact_updated_custom_attributes.json": "ignored: contact_updated is not used",
    "contact_updated_last_activity.json": "ignored: contact_updated is not used",
    "dashboard_app_context.json": "ignored: appContext is not used",
    "docs_template_message_created.json": "error: message_created: message_type is missing",
    "docs_template_conversation_created.json": "error: conversation_created: conversation id",
    "docs_template_conversation_status_changed.json": "error: conversation_status_changed: conv",
    "docs_template_conversation_updated.json": "error: conversation_updated: conversation id",
    "docs_template_conversation_object.json": "error: event is missing",
    "docs_template_message_object.json": "error: event is missing",
    "docs_template_contact_object.json": "error: event is missing",
    "docs_template_user_object.json": "error: event is missing",
    "dashboard_app_conversation.json": "error: event is missing",
    "dashboard_app_contact.json": "error: event is missing",
    "dashboard_app_current_agent.json": "error: event is missing",
}


def test_every_published_fixture_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_published_payload_maps_as_expected(name: str) -> None:
    expected = EXPECTED[name]
    if isinstance(expected, str) and expected.startswith("error: "):
        with pytest.raises(InvalidEvent) as caught:
            map_payload(load(name), delivery_id="d-1")
        assert caught.value.message.startswith(expected.removeprefix("error: "))
        return
    mapped = map_payload(load(name), delivery_id="d-1")
    if isinstance(expected, str):
        assert mapped.events == []
        assert mapped.ignored is not None
        assert mapped.ignored.startswith(expected.removeprefix("ignored: "))
        return
    assert mapped == Mapped(expected)
    for event in mapped.events:  # and the core accepts every one as it is
        parse_event(event, received_at=parse_ts("2026-01-01T00:00:00Z"))


def events(payload: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
    return map_payload(payload, **options).events


def test_a_customer_message_in_an_open_conversation_is_a_customer_message() -> None:
    assert events(incoming()) == [
        {
            "id": "chatwoot:1:message:810",
            "type": "customer_message",
            "conversation_id": CONVERSATION,
            "customer_id": CUSTOMER,
            "ts": "2025-11-15T03:35:14.179Z",
            "text": "你好",
        }
    ]


def test_a_conversation_created_open_is_opened_with_the_account_of_its_messages() -> None:
    # No conversation-level account before v4.14.2: it comes from messages[].account_id.
    assert events(load("conversation_created.json") | {"status": "open"}) == [
        {
            "id": "chatwoot:1:150:created:1763177714",
            "type": "conversation_opened",
            "conversation_id": CONVERSATION,
            "customer_id": CUSTOMER,
            "ts": "2025-11-15T03:35:14.000Z",
        }
    ]


def test_while_a_bot_handles_a_pending_conversation_customer_events_start_no_wait() -> None:
    pending = incoming()
    pending["conversation"]["status"] = "pending"
    assert map_payload(pending).ignored == "conversation pending: a bot is handling it"
    # The bot's hand-over (pending → open) is what opens it for the agents.
    assert [e["type"] for e in events(with_status("open"))] == ["conversation_opened"]


def test_an_agents_reply_is_an_agent_message_from_that_agent() -> None:
    [event] = events(outgoing(811, "您好，欢迎光临"))
    assert event == {
        "id": "chatwoot:1:message:811",
        "type": "agent_message",
        "conversation_id": CONVERSATION,
        "agent_id": AGENT,
        "ts": "2025-11-15T03:35:14.179Z",
        "text": "您好，欢迎光临",
    }


def test_a_private_note_gives_nothing_even_assists_own() -> None:
    assert map_payload(private_note()) == Mapped(ignored="private note")
    own = outgoing(813, "坐席助手建议：亲，建议选 L 码", private=True)
    assert events(own) == []


@pytest.mark.parametrize(
    "sender",
    [
        {"id": 3, "name": "Bot", "type": "agent_bot"},
        {"id": 4, "name": "Captain", "type": "captain_assistant"},
        None,
    ],
)
def test_bot_and_system_messages_give_nothing(sender: dict[str, Any] | None) -> None:
    mapped = map_payload(outgoing(814, "自动回复", sender=sender))
    assert mapped.events == [] and mapped.ignored is not None


def test_template_and_activity_messages_give_nothing() -> None:
    assert events(incoming() | {"message_type": "template"}) == []
    assert events(incoming() | {"message_type": 2}) == []


def test_an_integer_message_type_as_in_the_docs_template_is_understood() -> None:
    [event] = events(incoming() | {"message_type": 0})
    assert event["type"] == "customer_message"


def test_a_customer_message_carries_the_assigned_agent_but_not_a_bot() -> None:
    payload = incoming()
    payload["conversation"]["meta"]["assignee"] = {"id": 7, "name": "小王", "type": "user"}
    assert events(payload)[0]["agent_id"] == AGENT
    payload["conversation"]["meta"]["assignee"] = {"id": 2, "name": "Bot", "type": "agent_bot"}
    assert "agent_id" not in events(payload)[0]


def test_resolving_closes_and_reopening_opens_with_ids_shared_by_both_webhook_kinds() -> None:
    [closed] = events(with_status("resolved", 1763178000.125))
    assert closed == {
        "id": "chatwoot:1:150:closed:1763178000.125",
        "type": "conversation_closed",
        "conversation_id": CONVERSATION,
        "ts": "2025-11-15T03:40:00.125Z",
    }
    [opened] = events(with_status("open", 1763178100.5))
    assert opened["type"] == "conversation_opened"
    assert opened["customer_id"] == CUSTOMER
    # conversation_updated fires alongside with the same updated_at: the same event id.
    updated = with_status("resolved", 1763178000.125) | {
        "event": "conversation_updated",
        "changed_attributes": [{"status": {"previous_value": "open", "current_value": "resolved"}}],
    }
    assert events(updated) == [closed]


def test_the_agent_bot_routes_opened_and_resolved_events_map_the_same_way() -> None:
    resolved = with_status("resolved") | {"event": "conversation_resolved"}
    assert [e["type"] for e in events(resolved)] == ["conversation_closed"]
    opened = with_status("open") | {"event": "conversation_opened"}
    assert [e["type"] for e in events(opened)] == ["conversation_opened"]


@pytest.mark.parametrize("status", ["pending", "snoozed"])
def test_pending_and_snoozed_change_nothing(status: str) -> None:
    assert events(with_status(status)) == []


def test_an_assignment_to_an_agent_is_a_transfer_to_that_agent() -> None:
    [transfer] = events(assigned(7, 1763177900.25))
    assert transfer == {
        "id": "chatwoot:1:150:assigned:chatwoot:1:7:1763177900.25",
        "type": "conversation_transferred",
        "conversation_id": CONVERSATION,
        "ts": "2025-11-15T03:38:20.250Z",
        "agent_id": AGENT,
    }
    parse_event(transfer)


def test_unassigning_gives_no_transfer() -> None:
    payload = assigned()
    payload["meta"]["assignee"] = None
    assert events(payload) == []


def test_an_agent_typing_a_reply_is_agent_typing_and_others_typing_are_not() -> None:
    [typing] = events(typing_on(), delivery_id="5b0c7d8e-0000-4000-8000-000000000001")
    assert typing["type"] == "agent_typing"
    assert typing["agent_id"] == AGENT and typing["conversation_id"] == CONVERSATION
    assert "ts" not in typing  # Chatwoot sends no time: assist stamps receive time
    assert typing["id"].endswith("5b0c7d8e-0000-4000-8000-000000000001")
    assert events(typing_on(by_agent=False)) == []
    assert events(typing_on(is_private=True)) == []


def test_a_conversation_started_by_an_agent_does_not_start_a_greeting_wait() -> None:
    payload = load("conversation_created.json") | {"status": "open"}
    payload["messages"][0]["message_type"] = 1
    assert events(payload) == []


def test_without_any_account_id_the_configured_default_is_used_or_it_is_an_error() -> None:
    payload = load("conversation_created.json") | {"status": "open"}
    payload["messages"] = []
    with pytest.raises(InvalidEvent, match="ASSIST_CHATWOOT_ACCOUNT_ID"):
        map_payload(payload)
    [event] = events(payload, default_account_id="9")
    assert event["conversation_id"] == "chatwoot:9:150"


def test_a_conversation_level_account_as_sent_since_v4_14_2_wins() -> None:
    payload = load("conversation_created.json") | {"status": "open", "account": {"id": 3}}
    assert events(payload)[0]["conversation_id"] == "chatwoot:3:150"


@pytest.mark.parametrize(
    ("created_at", "ts"),
    [
        ("2025-11-15T03:35:14.179Z", "2025-11-15T03:35:14.179Z"),
        (1763177714, "2025-11-15T03:35:14.000Z"),
        (1763177714.5, "2025-11-15T03:35:14.500Z"),
        (1763177714179, "2025-11-15T03:35:14.179Z"),
        ("2025-11-15 03:35:14 UTC", "2025-11-15T03:35:14.000Z"),
    ],
)
def test_iso_and_epoch_times_become_the_protocols_iso_utc(created_at: object, ts: str) -> None:
    assert events(incoming() | {"created_at": created_at})[0]["ts"] == ts


@pytest.mark.parametrize("created_at", [None, "yesterday", 0, True])
def test_an_unusable_time_is_left_out_so_receive_time_applies(created_at: object) -> None:
    assert "ts" not in events(incoming() | {"created_at": created_at})[0]


def test_a_message_without_text_still_starts_a_wait() -> None:
    [event] = events(incoming() | {"content": None})
    assert event["text"] == ""


def test_a_very_long_message_is_cut_to_what_one_frame_holds() -> None:
    [event] = events(incoming(text="码" * (MAX_TEXT_LENGTH + 5)))
    assert len(event["text"]) <= MAX_TEXT_LENGTH
    assert len(json.dumps(event, ensure_ascii=False).encode()) < 64 * 1024
    parse_event(event)


@pytest.mark.parametrize(
    "payload",
    [[], "x", {"event": 5}, {"id": 1}],
    ids=["array", "string", "numeric event", "no event"],
)
def test_a_delivery_that_is_not_an_event_object_is_invalid(payload: object) -> None:
    with pytest.raises(InvalidEvent):
        map_payload(payload)


def test_a_message_without_an_id_or_conversation_is_invalid() -> None:
    with pytest.raises(InvalidEvent, match="message id"):
        map_payload(incoming() | {"id": None})
    with pytest.raises(InvalidEvent, match="conversation is missing"):
        map_payload(incoming() | {"conversation": None})


def test_ids_that_could_break_the_namespacing_are_refused() -> None:
    with pytest.raises(InvalidEvent, match="message id"):
        map_payload(incoming() | {"id": "810:evil"})


def test_the_configured_custom_attribute_names_the_product_asked_about() -> None:
    # The captured contact carries the shop's goods_id in its custom attributes.
    [event] = events(incoming(), product_attribute="goods_id")
    assert event["product_id"] == "prod_12345"
    payload = incoming()
    payload["conversation"]["custom_attributes"] = {"goods_id": 4711}
    assert events(payload, product_attribute="goods_id")[0]["product_id"] == "4711"
    assert "product_id" not in events(incoming())[0]
    assert "product_id" not in events(incoming(), product_attribute="sku")[0]
