"""Alembic environment: runs against the connection patron hands over (see store.migrate)."""

from __future__ import annotations

from alembic import context

from patron.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - patron always passes its own connection
    raise RuntimeError("run migrations through `patron init`, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
