"""Alembic environment: runs on the connection that :func:`assist.store.database.migrate`
hands over, so migrations work the same for SQLite and PostgreSQL, sync or async."""

from __future__ import annotations

from alembic import context

from assist.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through assist.store.database.migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
