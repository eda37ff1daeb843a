"""Latency of signed Chatwoot deliveries through ``POST /webhooks/chatwoot``.

A measurement, not a test: a real server on SQLite, alternating customer questions and agent
replies over many conversations, each answered only once stored. Run from the repo root:
``.venv/bin/python -m tests.service.measure_chatwoot_latency [N]``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.integrations.chatwoot_fixtures import incoming, outgoing
from tests.service.server import run_server
from tests.service.test_chatwoot_webhook import SECRET, deliver
from tests.service.test_live import fast_settings


async def measure(count: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        settings = fast_settings(Path(tmp), greeting_s=30, reply_s=30, chatwoot_secret=SECRET)
        async with (
            run_server(settings) as server,
            httpx.AsyncClient(base_url=server.base) as client,
        ):
            millis = []
            for i in range(count):
                if i % 2 == 0:
                    payload = incoming(10_000 + i, "我170cm 130斤穿什么码")
                else:
                    payload = outgoing(10_000 + i, "亲，建议选 L 码")
                payload["conversation"]["id"] = 1000 + i // 2
                started = time.perf_counter()
                response = await deliver(client, payload)
                millis.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"delivery {i}: HTTP {response.status_code} {response.text}")
    millis.sort()
    return (
        f"{count} deliveries: p50 {statistics.median(millis):.1f} ms, "
        f"p90 {millis[int(count * 0.9)]:.1f} ms, p99 {millis[int(count * 0.99)]:.1f} ms, "
        f"max {millis[-1]:.1f} ms"
    )


if __name__ == "__main__":
    print(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 400)))
