"""The NLP worker pool: message order per conversation, a bounded queue, rule reloads."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assist.assembly import load_linter, load_suggester
from assist.core.nlp import request_outputs, run_request
from assist.core.outputs import (
    Alert,
    AlertKind,
    LintReport,
    NlpKind,
    NlpRequest,
    Output,
    Suggestion,
)
from assist.core.suggest.catalog import Catalog
from assist.service.nlp_pool import NlpPool
from assist.settings import REPO_ROOT, Settings, load_settings

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def ask(conversation: str, n: int, text: str = "这款有L码吗") -> NlpRequest:
    return NlpRequest(NlpKind.SUGGEST, conversation, "a-1", f"{conversation}-m{n}", AT, text=text)


def answer(conversation: str, n: int, text: str = "有的亲") -> NlpRequest:
    return NlpRequest(NlpKind.LINT, conversation, "a-1", f"{conversation}-m{n}", AT, text=text)


def message_ids(outputs: list[Output]) -> list[str]:
    return [o.message_id for o in outputs if isinstance(o, Suggestion | LintReport)]


def inline_rules(settings: Settings) -> tuple[object, object]:
    return load_suggester(settings, Catalog.empty()), load_linter(settings)


async def started(
    settings: Settings, workers: int, limit: int = 10_000
) -> tuple[NlpPool, list[Output]]:
    delivered: list[Output] = []
    suggester, linter = load_suggester(settings), load_linter(settings)
    pool = NlpPool(
        settings, delivered.extend, lambda: (suggester, linter), workers=workers, limit=limit
    )
    await pool.start(Catalog.empty())
    return pool, delivered


async def drained(pool: NlpPool) -> None:
    while pool.pending:
        await asyncio.sleep(0.01)


async def test_worker_processes_keep_each_conversations_messages_in_order() -> None:
    settings = load_settings()
    pool, delivered = await started(settings, workers=2)
    try:
        conversations = [f"c{i}" for i in range(6)]
        sent: list[NlpRequest] = []
        for round_ in range(40):
            frame = [
                ask(c, round_) if round_ % 2 == 0 else answer(c, round_) for c in conversations
            ]
            sent.extend(frame)
            pool.submit(frame)
            if round_ % 7 == 0:
                await asyncio.sleep(0)
        await drained(pool)
    finally:
        await pool.close()

    for conversation in conversations:
        expected = [r.message_id for r in sent if r.conversation_id == conversation]
        got = [m for m in message_ids(delivered) if m.startswith(conversation + "-")]
        assert got == expected
    suggester, linter = load_suggester(settings), load_linter(settings)
    inline = [o for r in sent for o in request_outputs(r, run_request(r, suggester, linter))]
    assert sorted(map(repr, delivered)) == sorted(map(repr, inline))


async def test_a_pool_that_falls_behind_skips_suggestions_the_agent_has_answered() -> None:
    pool, delivered = await started(load_settings(), workers=0)
    # One frame with more than a lane's batch waiting: the pool is behind, and the agent
    # has answered "busy" after its first 700 customer messages.
    pool.submit([ask("busy", n) for n in range(700)] + [answer("busy", 700), ask("busy", 701)])
    await drained(pool)
    await pool.close()
    assert pool.metrics.skipped == {"suggest": 700}
    assert message_ids(delivered) == ["busy-m700", "busy-m701"]


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.parametrize(
    "angry",
    ["你们这什么态度，我要投诉", "东西是坏的", "一周了连个物流信息都没有"],
    ids=["asked-for", "defect-told", "delay-told"],
)
async def test_a_complaint_is_not_skipped_while_behind_so_its_alert_is_raised(
    workers: int, angry: str
) -> None:
    pool, delivered = await started(load_settings(), workers=workers)
    pool.submit(
        [ask("busy", n) for n in range(400)] + [ask("busy", 400, text=angry), answer("busy", 401)]
    )
    await drained(pool)
    await pool.close()
    assert pool.metrics.skipped == {"suggest": 400}
    assert message_ids(delivered) == ["busy-m400", "busy-m401"]
    alerts = [o for o in delivered if isinstance(o, Alert)]
    assert [(a.kind, a.message_id) for a in alerts] == [(AlertKind.COMPLAINT, "busy-m400")]


async def test_ingest_is_told_to_wait_while_the_queue_is_over_its_limit() -> None:
    pool, delivered = await started(load_settings(), workers=0, limit=300)
    pool.submit([ask(f"c{n}", n) for n in range(1000)])
    assert not pool.has_room()
    await asyncio.wait_for(pool.wait_room(), 30)
    assert pool.queued < 300
    await drained(pool)
    await pool.close()
    assert len(message_ids(delivered)) == 1000
    assert pool.metrics.skipped == {}


async def test_a_pool_that_keeps_up_skips_nothing() -> None:
    pool, delivered = await started(load_settings(), workers=0)
    pool.submit([ask("calm", 0), answer("calm", 1)])
    await drained(pool)
    await pool.close()
    assert message_ids(delivered) == ["calm-m0", "calm-m1"]
    assert pool.metrics.skipped == {}


class _BrokenOnOneText:
    """A suggester that fails on one text, as a rule bug meeting an odd message would."""

    def __init__(self, real: object) -> None:
        self.real = real

    def suggest(self, text: str, *args: object, **kwargs: object) -> object:
        if text == "坏消息":
            raise ValueError("a rule that cannot handle this text")
        return self.real.suggest(text, *args, **kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


async def test_a_message_that_breaks_the_suggester_costs_only_its_own_suggestion() -> None:
    settings = load_settings()
    delivered: list[Output] = []
    suggester, linter = _BrokenOnOneText(load_suggester(settings)), load_linter(settings)
    pool = NlpPool(settings, delivered.extend, lambda: (suggester, linter), workers=0, limit=100)
    await pool.start(Catalog.empty())
    pool.submit([ask("odd", 0), ask("odd", 1, text="坏消息"), ask("odd", 2), answer("odd", 3)])
    await asyncio.wait_for(drained(pool), 10)
    await pool.close()
    assert message_ids(delivered) == ["odd-m0", "odd-m2", "odd-m3"]
    assert pool.pending == 0


async def test_workers_reload_the_rules_when_told(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO_ROOT / "rules", rules)
    settings = load_settings(rules_dir=rules)
    pool, delivered = await started(settings, workers=1)
    try:
        pool.submit([answer("r", 0, text="您好，这个我们不能退哦")])
        await drained(pool)
        before = [o for o in delivered if isinstance(o, LintReport)]
        lint = rules / "lint.yaml"
        lint.write_text(lint.read_text(encoding="utf-8").replace("不能", "不行"), encoding="utf-8")
        pool.reload(Catalog.empty())
        pool.submit([answer("r", 1, text="您好，这个我们不能退哦")])
        await drained(pool)
    finally:
        await pool.close()
    after = [o for o in delivered if isinstance(o, LintReport)][len(before) :]
    assert "negative_phrase" in {f.rule for f in before[0].findings}
    assert "negative_phrase" not in {f.rule for f in after[0].findings}


async def test_a_worker_that_dies_is_replaced_and_its_batch_is_not_lost() -> None:
    settings = load_settings()
    pool, delivered = await started(settings, workers=1)
    try:
        worker = pool._lanes[0].worker
        assert worker is not None and worker.process.pid is not None
        os.kill(worker.process.pid, signal.SIGKILL)  # the worker, killed
        worker.process.join()
        pool.submit([ask("d", 0), answer("d", 1)])
        await drained(pool)
        assert pool.metrics.failures >= 1
        assert message_ids(delivered) == ["d-m0", "d-m1"]
        pool.submit([ask("d", 2)])  # the replacement worker takes the next batch
        await drained(pool)
    finally:
        await pool.close()
    assert message_ids(delivered) == ["d-m0", "d-m1", "d-m2"]


async def test_batches_bigger_than_a_socket_takes_at_once_arrive_whole_and_in_order() -> None:
    settings = load_settings()
    pool, delivered = await started(settings, workers=1)
    # ~840 KB of closing checks, several times what a socket buffer holds: the rest
    # waits in the lane's outbox until the worker has read the start.
    sent = [
        NlpRequest(
            NlpKind.CLOSE, "big", "a-1", f"big-m{n}", AT, texts=(f"{n}号这款我们有货的" * 2000,)
        )
        for n in range(20)
    ] + [answer("big", 20)]
    try:
        pool.submit(sent)
        await drained(pool)
    finally:
        await pool.close()
    assert message_ids(delivered) == [r.message_id for r in sent]
    suggester, linter = load_suggester(settings), load_linter(settings)
    assert delivered == [
        o for r in sent for o in request_outputs(r, run_request(r, suggester, linter))
    ]


async def test_a_batch_that_cannot_be_sent_costs_its_frames_not_the_lane() -> None:
    pool, delivered = await started(load_settings(), workers=1)
    unpicklable = (lambda: "再见",)
    try:
        pool.submit([NlpRequest(NlpKind.CLOSE, "x", "a-1", "x-m0", AT, texts=unpicklable)])  # type: ignore[arg-type]
        await drained(pool)
        pool.submit([answer("x", 1)])
        await drained(pool)
    finally:
        await pool.close()
    assert pool.metrics.failures == 1
    assert message_ids(delivered) == ["x-m1"]
