"""The database: one engine per process, one session per unit of work.

SQLite (the default) runs in WAL mode with a busy timeout and foreign keys on, and every writing transaction
starts with `BEGIN IMMEDIATE`: a writer takes the lock when it begins, so two saves at once queue behind each
other instead of one failing with "database is locked" half-way through. PostgreSQL needs none of that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

__all__ = ["Database", "DatabaseError", "normalise_url", "safe_url"]

#: How long a SQLite writer waits for another one before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 30


class DatabaseError(Exception):
    """The database can't be used (bad URL, unreachable server, unknown driver); the message says what to do."""


def normalise_url(url: str) -> str:
    """The SQLAlchemy URL for `url`: `postgres://` and bare `postgresql://` (as hosting platforms hand them
    out) use psycopg 3, the driver costbot installs.

    Raises:
        DatabaseError: Not a URL SQLAlchemy can read, or a database costbot doesn't support.
    """
    url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url.strip())
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            "DATABASE_URL: expected a URL such as sqlite:///costbot.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise DatabaseError(
            f"DATABASE_URL: costbot stores its data in SQLite or PostgreSQL, not {parsed.get_backend_name()}"
        )
    return url


def safe_url(url: str) -> str:
    """`url` with any password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


class Database:
    """The process's engine and how to open a unit of work on it.

    Listeners receive it through Bolt's context, which copies what it hands to lazy listeners; a copy of the
    database is the database itself (one engine, one connection pool per process).
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.engine: Engine = _create_engine(self.url, echo=echo)
        self._writer = self.engine.execution_options(costbot_write=True)

    def __repr__(self) -> str:
        return f"Database({safe_url(self.url)!r})"

    def __deepcopy__(self, memo: dict[int, Any]) -> Database:
        return self

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises.

        Args:
            write: The unit writes. On SQLite it then takes the write lock when it begins (waiting up to
                `SQLITE_BUSY_TIMEOUT` for another writer); reading units never wait.
        """
        with Session(self._writer if write else self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, and in tests between databases)."""
        self.engine.dispose()


def _create_engine(url: str, *, echo: bool) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, echo=echo, pool_pre_ping=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        pool_size=10,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite would otherwise open transactions itself, lazily and DEFERRED; costbot begins them (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if ":memory:" not in url and url.rstrip("/") not in {"sqlite:", "sqlite+pysqlite:"}:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode: a power cut loses at most the last commit
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("costbot_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
