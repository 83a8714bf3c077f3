"""Real databases for tests: a SQLite file per test, and PostgreSQL when `TEST_DATABASE_URL` names a server.

PostgreSQL tests run in a database of their own, created for the test session and dropped after it, so the
server's `test` database is left as it was.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage import Database
from storage.db import normalise_url

__all__ = ["POSTGRES_SKIP_REASON", "fresh_postgres_url", "postgres_url"]

POSTGRES_SKIP_REASON = (
    "TEST_DATABASE_URL is not set; set it to a PostgreSQL URL such as "
    "postgresql+psycopg://postgres@127.0.0.1:5432/test to run the PostgreSQL tests (.ci/run does)"
)


def postgres_url() -> str | None:
    """The server named by TEST_DATABASE_URL, or None."""
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_url(url) if url else None


@contextmanager
def fresh_postgres_url() -> Iterator[str]:
    """A new, empty database on the TEST_DATABASE_URL server, dropped afterwards."""
    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    name = f"costbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def truncate_all(db: Database) -> None:
    """Empty every costbot table (between tests sharing one PostgreSQL database)."""
    from sqlmodel import SQLModel

    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
