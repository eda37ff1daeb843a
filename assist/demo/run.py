"""Run the demo: a fresh SQLite file, the sample catalogue, the service and the simulator.

The service is the real one (``create_app`` under uvicorn); only its settings differ:
a throw-away database, and with ``speed`` > 1 deadlines divided by ``speed`` so a test
(or an impatient visitor) sees the whole story in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import uvicorn

from assist.assembly import load_sla
from assist.demo.script import AGENTS
from assist.demo.simulator import Simulator
from assist.service.app import create_app
from assist.settings import Settings, load_settings
from assist.store.catalog import import_catalog, parse_catalog_csv
from assist.store.database import migrate, open_database

__all__ = ["SAMPLE_CATALOG", "demo_settings", "prepare_database", "run_demo", "urls"]

SAMPLE_CATALOG = "sample_catalog.csv"


def demo_settings(db_path: Path, host: str, port: int, speed: float) -> Settings:
    base = load_settings(db_url=f"sqlite+aiosqlite:///{db_path}", host=host, port=port)
    sla = load_sla(base)
    return base.model_copy(
        update={
            "greeting_s": sla.greeting_s / speed,
            "reply_s": sla.reply_s / speed,
            "warn_s": sla.warn_s / speed,
            "escalate_s": sla.escalate_s / speed,
        }
    )


async def prepare_database(settings: Settings) -> int:
    """Create the schema and import the shipped sample catalogue; the product count."""
    text = resources.files("assist.data").joinpath(SAMPLE_CATALOG).read_text(encoding="utf-8")
    products = parse_catalog_csv(text, SAMPLE_CATALOG)
    database = open_database(settings.db_url)
    try:
        await migrate(database)
        summary = await import_catalog(database, products)
    finally:
        await database.dispose()
    return summary.products


def urls(base: str) -> list[tuple[str, str]]:
    pages = [("首页 landing", "/"), ("主管看板 supervisor board", "/supervisor")]
    pages += [(f"侧边栏 panel {agent}", f"/panel/{agent}") for agent in AGENTS]
    pages += [("接口文档 API docs", "/docs")]
    return [(name, base + path) for name, path in pages]


async def run_demo(
    port: int,
    speed: float = 1.0,
    host: str = "127.0.0.1",
    say: Callable[[str], None] = print,
    rounds: int | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C) with the simulator playing; clean up after."""
    folder = Path(tempfile.mkdtemp(prefix="assist-demo-"))
    try:
        settings = demo_settings(folder / "demo.db", host, port, speed)
        products = await prepare_database(settings)
        config = uvicorn.Config(
            create_app(settings), host=host, port=port, log_level="warning", lifespan="on"
        )
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                serving.result()  # the port was taken: say so, with uvicorn's reason
                return
            await asyncio.sleep(0.05)
        bound = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://{host}:{bound}"
        say(f"assist demo: {products} sample products, database {folder / 'demo.db'}")
        say("打开 / open:")
        for name, url in urls(base):
            say(f"  {name:<28} {url}")
        say("按 Ctrl-C 停止 / Ctrl-C stops the demo.")
        simulator = Simulator(f"ws://{host}:{bound}", speed=speed, rounds=rounds)
        playing = asyncio.create_task(simulator.run())
        try:
            await serving
        finally:
            playing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await playing
    finally:
        shutil.rmtree(folder, ignore_errors=True)
