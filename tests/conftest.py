"""Shared fixtures: ``db_url`` runs a store test on SQLite and on PostgreSQL.

PostgreSQL comes from ``ASSIST_TEST_PG_URL`` (default: the local trust-auth server's
``test`` database). Each test module gets its own throwaway database, created from the
``test`` database and dropped afterwards, so parallel runs never collide; each test then
starts from an empty schema. Without a reachable server the PostgreSQL tests skip —
unless ``ASSIST_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

# The suite builds hundreds of services; each would start a worker process per core.
# Their NLP runs on the event loop instead (ASSIST_WORKERS=0, the same lanes and the same
# deferral); tests/service/test_nlp_pool.py and the flood test start real workers.
os.environ.setdefault("ASSIST_WORKERS", "0")


def _pg_url() -> str:
    return os.environ.get("ASSIST_TEST_PG_URL", DEFAULT_PG_URL)


def _unavailable(reason: str) -> None:
    if os.environ.get("ASSIST_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (ASSIST_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", connect_args={"timeout": 5})
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test module, dropped afterwards."""
    admin_url = _pg_url()
    name = f"assist_t_{secrets.token_hex(6)}"
    try:
        asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError) as exc:
        _unavailable(f"cannot reach {make_url(admin_url).render_as_string()}: {exc}")
    except Exception as exc:  # asyncpg's own errors: auth, missing database, ...
        _unavailable(f"cannot create a database at {admin_url}: {exc!r}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables) on each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'assist.db'}"
    url: str = request.getfixturevalue("pg_database_url")
    asyncio.run(_admin(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public"))
    return url
