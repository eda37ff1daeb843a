"""``assist serve``: the live service under uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]

# Frames beyond 64 KiB get a typed `too_large` error from the protocol; uvicorn only
# closes the socket for frames beyond this much larger bound.
_WS_MAX_BYTES = 1024 * 1024


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="run the live service (websocket + HTTP)")
    parser.add_argument("--host", help="address to bind (ASSIST_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (ASSIST_PORT, default 8000)")
    parser.add_argument("--db", help="database URL (ASSIST_DB_URL, default ./assist.db)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging
    import sys

    import uvicorn

    from assist.assembly import load_sla, load_tokens
    from assist.core.errors import RulesError
    from assist.security.bind import bind_refusal
    from assist.security.logfilter import install_redaction, uvicorn_log_config
    from assist.service.app import create_app
    from assist.settings import load_settings

    overrides: dict[str, object] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.db:
        overrides["db_url"] = args.db
    settings = load_settings(**overrides)
    # The store's worker thread and the event loop share the GIL; a shorter switch
    # interval bounds how long a timer can wait behind a batch being bound to SQL.
    sys.setswitchinterval(0.001)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_redaction(settings.mask_pii)
    try:
        load_sla(settings)  # fail fast, with the file and line, before binding the port
        tokens = load_tokens(settings)
    except RulesError as exc:
        print(f"assist serve: {exc}", file=sys.stderr)
        return 2
    refusal = bind_refusal(settings.host, bool(tokens))
    if refusal is not None:
        print(f"assist serve: {refusal}", file=sys.stderr)
        return 2
    if tokens:
        logging.getLogger("assist").info(
            "%d tokens configured; APIs, channels and pages need one (open: /, /healthz, "
            "/docs, static files; the Chatwoot webhook checks its signature)",
            len(tokens),
        )
    else:
        logging.getLogger("assist").warning(
            "no tokens configured (ASSIST_TOKENS or rules/tokens.yaml): serving on %s "
            "(loopback only) without authentication",
            settings.host,
        )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=uvicorn_log_config(settings.mask_pii),
        ws_max_size=_WS_MAX_BYTES,
        ws_ping_interval=20,
        ws_ping_timeout=20,
    )
    return 0
