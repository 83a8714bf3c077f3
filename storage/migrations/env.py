"""Alembic's environment: costbot's tables, on the connection `storage.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    if connection.dialect.name == "sqlite" and connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        # Altering a table copies it and drops the old one; with foreign keys on, the drop deletes every row
        # that refers to it. storage.migrate turns them off first.
        raise RuntimeError("migrate SQLite through storage.migrate (upgrade/downgrade): foreign keys must be off")
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two replicas starting at once: the second waits here, then finds the schema up to date.
            connection.execute(text("SELECT pg_advisory_xact_lock(7410071)"))
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # storage.migrate turns SQLite's foreign keys off while tables are copied; nothing may dangle after.
            dangling = connection.execute(text("PRAGMA foreign_key_check")).all()
            if dangling:
                raise RuntimeError(f"the migration left rows without their parent rows: {dangling[:5]}")


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `costbot db upgrade` (storage.migrate), which passes a connection")
_run(connection)
