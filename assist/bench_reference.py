"""The bare reference ingest that ``assist bench`` measures assist against.

The same FastAPI + uvicorn websocket stack as assist, doing only what any ingest must:
parse each frame, keep the events (in a bounded in-memory ring, so a long run does not
grow memory), and answer one ack per event, in order. No timers, no NLP, no store.
Absolute figures move 2–3× between machines and with whatever else runs on them; a ratio
to this reference, taken in the same run with the same client, does not.

Run it alone with ``python -m assist.bench_reference --port 8100``.
"""

from __future__ import annotations

import argparse
import json
from collections import deque
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

__all__ = ["create_reference_app", "main"]

_KEPT_EVENTS = 200_000
# Same websocket limits as `assist serve`, so the two stacks differ only in the work done.
WS_MAX_BYTES = 1024 * 1024


def create_reference_app() -> FastAPI:
    """An app with ``/healthz`` and a parse-keep-ack ``/ws/ingest``."""
    app = FastAPI()
    kept: deque[Any] = deque(maxlen=_KEPT_EVENTS)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "kept": len(kept)}

    @app.websocket("/ws/ingest")
    async def ingest(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                decoded = json.loads(await websocket.receive_text())
                items = decoded if isinstance(decoded, list) else [decoded]
                kept.extend(items)
                replies = [{"ack": item.get("id")} for item in items]
                body = replies if isinstance(decoded, list) else replies[0]
                await websocket.send_text(json.dumps(body, separators=(",", ":")))
        except WebSocketDisconnect:
            pass

    return app


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args(argv)
    uvicorn.run(
        create_reference_app(),
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_max_size=WS_MAX_BYTES,
        ws_ping_interval=20,
        ws_ping_timeout=20,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
