"""Bring the schema up to date with Alembic: on start-up, or by `costbot db upgrade`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError, ProgrammingError

from storage.db import Database, DatabaseError, safe_url, secrets_of

__all__ = ["current_revision", "head_revision", "known_revisions", "upgrade"]

_MIGRATIONS = Path(__file__).parent / "migrations"
#: Alembic runs a migration through module-level proxies (`alembic.context`, `alembic.op`), one set per
#: process: two threads upgrading at once would overwrite each other's. Processes are kept apart by the
#: database (SQLite's write lock, PostgreSQL's advisory lock in env.py); threads of one process by this.
_UPGRADING = threading.Lock()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    """The revision this version of costbot expects."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision this version of costbot has a migration for."""
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None: empty, never migrated).

    Raises:
        DatabaseError: The database can't be reached.
    """
    try:
        with db.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as error:
        raise DatabaseError(_unreachable(db, error)) from None


def upgrade(db: Database, revision: str = "head") -> None:
    """Apply every migration up to `revision` (all of them by default); nothing to do is fine.

    Raises:
        DatabaseError: The database can't be reached or refused a change.
    """
    _migrate(db, command.upgrade, revision)


def downgrade(db: Database, revision: str) -> None:
    """Undo the migrations after `revision` (an operator's step back before running an older costbot).

    Raises:
        DatabaseError: The database can't be reached or refused a change.
    """
    _migrate(db, command.downgrade, revision)


def _migrate(db: Database, step: Callable[[Config, str], None], revision: str) -> None:
    config = _config()
    try:
        # The lock before the connection: on SQLite that begins by taking the write lock another thread may hold.
        with (
            _UPGRADING,
            db.engine.connect() as connection,
            _foreign_keys_off(connection),
            connection.execution_options(costbot_write=True).begin(),
        ):
            config.attributes["connection"] = connection
            step(config, revision)
    except (OperationalError, ProgrammingError) as error:
        raise DatabaseError(_unreachable(db, error)) from None


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while migrating: altering a table copies it and drops the old one, and with
    foreign keys on, that drop would delete every row that refers to it (ON DELETE CASCADE: the versions and
    thread replies of every scenario). The pragma only works outside a transaction, hence on the raw
    connection, before the migration's transaction begins; the migration checks the keys before it commits."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _unreachable(db: Database, error: Exception) -> str:
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    for secret in secrets_of(db.url):  # a driver may name a host or user it parsed out of the password
        reason = reason.replace(secret, "***")
    return f"DATABASE_URL: can't use {safe_url(db.url)} ({reason}); check that the server runs and the URL is right."
