"""The database: one engine per process, one session per unit of work.

SQLite (the default) runs in WAL mode with a busy timeout and foreign keys on, and every writing transaction
starts with `BEGIN IMMEDIATE`: a writer takes the lock when it begins, so two saves at once queue behind each
other instead of one failing with "database is locked" half-way through. PostgreSQL needs none of that.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlmodel import Session, create_engine

__all__ = ["Database", "DatabaseError", "is_unavailable", "normalise_url", "safe_url", "secrets_of"]

#: How long a SQLite writer waits for another one before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 30


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database can't be reached or used just now (down, restarting, out of
    connections, locked past the busy timeout), rather than a mistake in what was asked of it."""
    if isinstance(error, SATimeoutError):
        return True
    if isinstance(error, OperationalError):
        if isinstance(error.orig, sqlite3.Error):  # SQLite says "operational" of bad SQL too: only these are outages
            return any(word in str(error.orig).lower() for word in _SQLITE_OUTAGES)
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


_SQLITE_OUTAGES = ("locked", "unable to open", "disk i/o", "readonly", "read-only", "busy")


#: PostgreSQL connections a process keeps open, and the most it opens under load. The most that can be in use
#: at once in `costbot serve`: its request threads (8 over HTTP, 10 in Socket Mode), 5 running deferred work,
#: the estimate-notes writer, the work recovery, the scheduler leader's lock (held while it leads), the pass,
#: its 4 posting threads (`bot.scheduler.POST_WORKERS`) and the hourly prune: 24. Beyond POOL_MAX a thread
#: waits for a connection (up to 30 s) instead of overloading the server.
POOL_KEPT = 5
POOL_MAX = 25


class DatabaseError(Exception):
    """The database can't be used (bad URL, unreachable server, unknown driver); the message says what to do."""


def normalise_url(url: str) -> str:
    """The SQLAlchemy URL for `url`: `postgres://` and bare `postgresql://` (as hosting platforms hand them
    out) use psycopg 3, the driver costbot installs; a password with a raw `@` (`bob:p@ss@host`) is read as the
    password it is (everything before the last `@` of the authority is the user and password).

    Raises:
        DatabaseError: Not a URL SQLAlchemy can read, or a database costbot doesn't support.
    """
    url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url.strip())
    parts = _split(url)
    if parts is not None and "@" in parts.userinfo:
        url = f"{parts.scheme}{quote(unquote(parts.userinfo), safe=':')}@{parts.rest}"
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
    """`url` with any password masked, for messages and logs: in the authority however it is written (raw `@`,
    `%40`), and in the query string (`?password=…`)."""
    parts = _split(url)
    if parts is None:
        return url if "@" not in url and "password" not in url.lower() else "(unreadable URL)"
    user, colon, _ = parts.userinfo.partition(":")
    authority = f"{user}{':***' if colon else ''}@" if parts.has_at else ""
    rest = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", parts.rest)
    return f"{parts.scheme}{authority}{rest}"


def secrets_of(url: str) -> list[str]:
    """The password in `url` and the pieces a driver might echo of it (split at its `@`s), longest first."""
    parts = _split(url)
    found: set[str] = set()
    if parts is not None:
        _, colon, password = parts.userinfo.partition(":")
        if colon and password:
            plain = unquote(password)
            found |= {password, plain, *(piece for piece in plain.split("@") if len(piece) >= 3)}
        found |= {m.group(2) for m in _SECRET_PARAM.finditer(parts.rest) if m.group(2) != "***"}
    return sorted((s for s in found if s), key=lambda s: (-len(s), s))


class _Parts(NamedTuple):
    scheme: str  # `postgresql+psycopg://`
    userinfo: str  # `bob:p@ss`; "" without one
    rest: str  # `host:5432/db?sslmode=require`
    has_at: bool  # whether an `@` ends the user information (`@host` has one, with no user)


_SECRET_PARAM = re.compile(r"(?i)\b(password|passwd|pass|sslpassword)=([^&#]*)")


def _split(url: str) -> _Parts | None:
    scheme, sep, tail = url.partition("://")
    if not sep:
        return None
    if tail.startswith("/"):  # no authority at all: `sqlite:///data/x@y.db` is a path
        return _Parts(scheme + sep, "", tail, False)
    at = _userinfo_end(tail)
    if at is None:
        return _Parts(scheme + sep, "", tail, False)
    return _Parts(scheme + sep, tail[:at], tail[at + 1 :], True)


def _userinfo_end(tail: str) -> int | None:
    """Where the user information ends: the last `@` that can end it. A password may hold `@`, `/` and `?`
    (`u:p@ss@host`, `u:p?ss@host`); a user name holds neither `:` nor `/`, so a `/` before any `:` is the path,
    and an `@` after the host (`host/my@db`) is the path's."""
    for at in (i for i in range(len(tail) - 1, -1, -1) if tail[i] == "@"):
        before = tail[:at]
        colon, slash = before.find(":"), before.find("/")
        if slash != -1 and (colon == -1 or slash < colon):
            continue  # the path began before any password
        if re.search(r"@[^@]*/", before):
            continue  # an earlier `@` ended the user information, and a path followed the host
        return at
    return None


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
        #: SQLite has one writer at a time: this process's writers wait for each other here, woken as soon as
        #: the lock is free, rather than in SQLite's busy handler, which sleeps in growing steps (up to 100 ms).
        self._one_writer = threading.RLock() if self.is_sqlite else None

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
        with self._turn(write), Session(self._writer if write else self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def _turn(self, write: bool) -> Iterator[None]:
        """On SQLite, this process's turn to write (waiting as long as SQLite's busy timeout would)."""
        if not write or self._one_writer is None:
            yield
            return
        if not self._one_writer.acquire(timeout=SQLITE_BUSY_TIMEOUT):
            raise SATimeoutError(f"waited {SQLITE_BUSY_TIMEOUT} s for this process's other writers to finish")
        try:
            yield
        finally:
            self._one_writer.release()

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, and in tests between databases)."""
        self.engine.dispose()


def _create_engine(url: str, *, echo: bool) -> Engine:
    if not url.startswith("sqlite"):
        # A server that vanishes (its host down, the network cut) is noticed in about a minute, not hours.
        alive = {
            "connect_timeout": 10,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args=alive,
            pool_size=POOL_KEPT,
            max_overflow=POOL_MAX - POOL_KEPT,
        )
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
