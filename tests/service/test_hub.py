"""Fan-out: bounded queues per subscriber; the slow one is dropped, nobody else waits."""

from __future__ import annotations

from assist.service.hub import Hub, Subscriber


def frame(n: int, kind: str = "alert") -> dict[str, object]:
    return {"type": kind, "n": n}


async def test_a_subscriber_that_stops_reading_is_dropped_and_others_keep_receiving() -> None:
    dropped: list[Subscriber] = []
    hub = Hub(queue_limit=3, on_drop=dropped.append)
    stuck = hub.subscribe(None)
    reader = hub.subscribe(None)
    for n in range(5):
        hub.publish(frame(n), "a-1")
        reader.queue.get_nowait()
    assert dropped == [stuck] and stuck.dropped.is_set()
    assert stuck.queue.qsize() == 3
    assert hub.counts() == (1, 0)
    hub.publish(frame(5), "a-1")
    assert reader.queue.get_nowait() == '{"type":"alert","n":5}'


async def test_agents_get_only_their_frames_and_supervisors_only_the_types_they_asked_for() -> None:
    hub = Hub(queue_limit=10)
    panel = hub.subscribe("a-1")
    other = hub.subscribe("a-2")
    board = hub.subscribe(None, frozenset({"alert"}))
    hub.publish(frame(1, "timer"), "a-1")
    hub.publish(frame(2, "alert"), "a-1")
    assert panel.queue.qsize() == 2 and other.queue.qsize() == 0
    assert board.queue.qsize() == 1
    hub.unsubscribe(panel)
    hub.publish(frame(3, "timer"), "a-1")
    assert panel.queue.qsize() == 2 and hub.counts() == (1, 1)
