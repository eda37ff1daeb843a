from datetime import UTC, datetime

from assist.core.errors import InvalidEvent
from assist.core.events import Event, EventType
from assist.core.protocol import MAX_FRAME_BYTES, decode_frame

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_batch_gets_one_answer_per_element_in_order() -> None:
    frame = (
        '[{"id": "e1", "type": "customer_message", "conversation_id": "c", "text": "在吗"},'
        ' {"id": "e2", "type": "nope", "conversation_id": "c"}, 7]'
    )
    first, second, third = decode_frame(frame, NOW)
    assert isinstance(first, Event) and first.type is EventType.CUSTOMER_MESSAGE
    assert first.ts == NOW
    assert isinstance(second, InvalidEvent) and second.code == "unknown_type"
    assert second.event_id == "e2"
    assert isinstance(third, InvalidEvent) and third.code == "invalid_event"


def test_invalid_json_and_oversized_frames_are_named() -> None:
    (bad,) = decode_frame("{not json", NOW)
    assert isinstance(bad, InvalidEvent) and bad.code == "invalid_json"
    (big,) = decode_frame("x" * (MAX_FRAME_BYTES + 1), NOW)
    assert isinstance(big, InvalidEvent) and big.code == "too_large"


def test_missing_text_and_bad_ts_name_the_field() -> None:
    (no_text,) = decode_frame('{"id": "e", "type": "agent_message", "conversation_id": "c"}', NOW)
    assert isinstance(no_text, InvalidEvent) and "text" in no_text.message
    (bad_ts,) = decode_frame(
        '{"id": "e", "type": "conversation_opened", "conversation_id": "c", "ts": "yesterday"}',
        NOW,
    )
    assert isinstance(bad_ts, InvalidEvent) and bad_ts.code == "invalid_ts"


def test_a_future_ts_is_clamped_to_receive_time_and_epoch_ms_is_accepted() -> None:
    (future,) = decode_frame(
        '{"id": "e", "type": "conversation_opened", "conversation_id": "c",'
        ' "ts": "2030-01-01T00:00:00+08:00"}',
        NOW,
    )
    assert isinstance(future, Event) and future.ts == NOW
    millis = int(NOW.timestamp() * 1000) - 5000
    (past,) = decode_frame(
        f'{{"id": "e", "type": "conversation_opened", "conversation_id": "c", "ts": {millis}}}',
        NOW,
    )
    assert isinstance(past, Event) and (NOW - past.ts).total_seconds() == 5


def test_the_frame_shape_decides_between_one_reply_and_an_array() -> None:
    from assist.core.protocol import decode_frame_shaped

    event = '{"id": "e", "type": "conversation_opened", "conversation_id": "c"}'
    assert decode_frame_shaped(event, NOW)[1] is False
    assert decode_frame_shaped(f"[{event}]", NOW)[1] is True
    assert decode_frame_shaped("[]", NOW) == ([], True)
    assert decode_frame_shaped("[not json", NOW)[1] is False
