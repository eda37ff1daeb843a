"""Fuzz against the running service: schemathesis over the OpenAPI description, and
generated frames down one ingest websocket. No 5xx, every frame answered, socket up.

``make test`` keeps both short; ``make fuzz`` sets ``ASSIST_FUZZ_EXAMPLES`` for more.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case
from websockets.asyncio.client import connect

from assist.service.app import create_app
from assist.settings import Settings
from tests.security.test_fuzz import frame_batches

pytestmark = pytest.mark.e2e

LONG = "ASSIST_FUZZ_EXAMPLES" in os.environ
SCHEMA_EXAMPLES = 200 if LONG else 25
SOCKET_BATCHES = 100 if LONG else 8


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on its own thread and loop (schemathesis calls it synchronously)."""
    db = tmp_path_factory.mktemp("fuzz") / "assist.db"
    app = create_app(Settings(db_url=f"sqlite+aiosqlite:///{db}", reload_interval_s=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(1000):
        if server.started:
            break
        thread.join(0.01)
    assert server.started, "the server did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def test_no_generated_request_gets_a_server_error(live_url: str) -> None:
    """Every operation of the OpenAPI description, positive and negative data."""
    api = schemathesis.openapi.from_url(live_url + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=SCHEMA_EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Case) -> None:
                case.call_and_validate(checks=[not_a_server_error])

            try:
                call()
            except Unsatisfiable:
                # Negative data for an operation that takes no input cannot be made.
                assert mode is GenerationMode.NEGATIVE, operation.label


def generated_frames(batches: int) -> list[str | bytes]:
    frames: list[str | bytes] = []

    @settings(max_examples=batches, deadline=None, database=None)
    @given(frame_batches())
    def collect(batch: list[str | bytes]) -> None:
        frames.extend(batch)

    collect()
    return frames


def on_the_wire(raw: str | bytes) -> str | bytes:
    """A text frame must be valid UTF-8, so a client cannot send a lone surrogate as text;
    such a frame goes out as the bytes a broken client would write (a binary frame)."""
    if isinstance(raw, str):
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            return raw.encode("utf-8", "surrogatepass")
    return raw


def test_the_ingest_socket_answers_every_generated_frame_and_stays_up(live_url: str) -> None:
    frames = [on_the_wire(raw) for raw in generated_frames(SOCKET_BATCHES)]

    async def drive() -> None:
        async with connect(live_url.replace("http", "ws") + "/ws/ingest") as ingest:
            for raw in frames:
                await ingest.send(raw)
                reply = json.loads(await asyncio.wait_for(ingest.recv(), 10))
                assert isinstance(reply, dict | list), raw
            last = {"id": "final", "type": "complaint", "conversation_id": "c-final"}
            await ingest.send(json.dumps(last))
            assert json.loads(await asyncio.wait_for(ingest.recv(), 10)) == {"ack": "final"}

    asyncio.run(drive())
    assert len(frames) >= SOCKET_BATCHES
