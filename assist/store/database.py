"""Opening the database and bringing its schema up to date with Alembic.

SQLite is the embedded default (a file next to the service); PostgreSQL is chosen by URL.
Migrations run at start-up, inside the service process, so a new version of assist
upgrades the schema of an existing database before it touches a row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

__all__ = ["DEFAULT_DB_URL", "migrate", "open_database"]

DEFAULT_DB_URL = "sqlite+aiosqlite:///./assist.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the stats endpoints read while the batch writer writes; NORMAL sync is
    # durable across process crashes, which is what a chat-assist log needs.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_database(url: str = DEFAULT_DB_URL) -> AsyncEngine:
    """An async engine for ``url``; ``sqlite+aiosqlite://`` alone is a private in-memory DB.

    ``hide_parameters``: a failed statement's message never carries its values, which are
    customer text, phone numbers and addresses."""
    if url.startswith("sqlite"):
        in_memory = url.rstrip("/").endswith(":memory:") or url in (
            "sqlite+aiosqlite://",
            "sqlite+aiosqlite:///",
        )
        kwargs: dict[str, Any] = {}
        if in_memory:
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        database = create_async_engine(url, hide_parameters=True, **kwargs)
        if not in_memory:
            event.listen(database.sync_engine, "connect", _sqlite_pragmas)
        return database
    return create_async_engine(
        url, pool_size=5, max_overflow=5, pool_pre_ping=True, hide_parameters=True
    )


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")


async def migrate(database: AsyncEngine) -> None:
    """Upgrade the schema to the newest migration (a no-op when it is current)."""
    async with database.begin() as connection:
        await connection.run_sync(_upgrade)
