"""Alembic's environment: runs migrations on the connection Charter hands it."""

from __future__ import annotations

from alembic import context

from charter.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Charter always passes its connection
    raise RuntimeError("run migrations through `charter db upgrade`")
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
