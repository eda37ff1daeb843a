"""Fan-out: bounded queues per subscriber; alerts first; a stuck reader is dropped, a
subscriber the saturated server is behind on sheds old non-alert frames instead."""

from __future__ import annotations

from assist.service.hub import STALLED_S, Hub, Subscriber


def frame(n: int, kind: str = "alert") -> dict[str, object]:
    return {"type": kind, "n": n}


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_subscriber_that_stops_reading_is_dropped_and_others_keep_receiving() -> None:
    dropped: list[Subscriber] = []
    hub = Hub(queue_limit=3, on_drop=dropped.append)
    stuck = hub.subscribe(None)
    reader = hub.subscribe(None)
    for n in range(5):
        hub.publish(frame(n), "a-1")
        reader.take_nowait()
    assert dropped == [stuck] and stuck.dropped.is_set()
    assert stuck.pending == 3
    assert hub.counts() == (1, 0)
    hub.publish(frame(5), "a-1")
    assert reader.take_nowait() == '{"type":"alert","n":5}'


async def test_agents_get_only_their_frames_and_supervisors_only_the_types_they_asked_for() -> None:
    hub = Hub(queue_limit=10)
    panel = hub.subscribe("a-1")
    other = hub.subscribe("a-2")
    board = hub.subscribe(None, frozenset({"alert"}))
    hub.publish(frame(1, "timer"), "a-1")
    hub.publish(frame(2, "alert"), "a-1")
    assert panel.pending == 2 and other.pending == 0
    assert board.pending == 1
    assert hub.wants("timer", "a-1") and not hub.wants("timer", "a-3")
    hub.unsubscribe(panel)
    hub.publish(frame(3, "timer"), "a-1")
    assert panel.pending == 2 and hub.counts() == (1, 1)


async def test_alerts_are_sent_ahead_of_frames_queued_before_them() -> None:
    hub = Hub(queue_limit=10)
    board = hub.subscribe(None, frozenset({"alert", "suggestion"}))
    hub.publish(frame(1, "suggestion"), None)
    hub.publish(frame(2, "suggestion"), None)
    hub.publish(frame(3, "alert"), None)
    order = [await board.next() for _ in range(3)]
    assert order == [
        '{"type":"alert","n":3}',
        '{"type":"suggestion","n":1}',
        '{"type":"suggestion","n":2}',
    ]


async def test_a_reading_subscriber_the_server_is_behind_on_sheds_old_frames_not_alerts() -> None:
    shed: list[int] = []
    dropped: list[Subscriber] = []
    hub = Hub(queue_limit=4, on_drop=dropped.append, on_shed=shed.append)
    board = hub.subscribe(None, frozenset({"alert", "suggestion"}))
    for n in range(6):
        hub.publish(frame(n, "suggestion"), None)
    hub.publish(frame(6, "alert"), None)
    assert dropped == [] and sum(shed) == 3
    texts = [board.take_nowait() for _ in range(board.pending)]
    assert texts == [
        '{"type":"alert","n":6}',
        '{"type":"suggestion","n":3}',
        '{"type":"suggestion","n":4}',
        '{"type":"suggestion","n":5}',
    ]


async def test_a_full_queue_whose_socket_has_hung_drops_the_subscriber() -> None:
    dropped: list[Subscriber] = []
    hub = Hub(queue_limit=2, on_drop=dropped.append)
    ticks = Ticks()
    board = hub.subscribe(None, frozenset({"alert", "suggestion"}))
    board.clock = ticks
    board.sending_since = ticks.now  # a send started and never finished
    hub.publish(frame(1, "suggestion"), None)
    hub.publish(frame(2, "suggestion"), None)
    hub.publish(frame(3, "suggestion"), None)
    assert dropped == []  # not hung for long yet: an old frame is shed
    ticks.now += STALLED_S
    hub.publish(frame(4, "suggestion"), None)
    assert dropped == [board] and board.dropped.is_set()
