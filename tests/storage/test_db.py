import copy
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from storage import Database, DatabaseError, normalise_url, remember_estimate, safe_url
from storage.db import secrets_of
from tests.storage.factories import count_rows


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://costbot@db.internal/costbot", "postgresql+psycopg://costbot@db.internal/costbot"),
        (
            "postgresql://costbot:pw@db.internal:5432/costbot",
            "postgresql+psycopg://costbot:pw@db.internal:5432/costbot",
        ),
        ("postgresql+psycopg://costbot@db.internal/costbot", "postgresql+psycopg://costbot@db.internal/costbot"),
        ("sqlite:///costbot.db", "sqlite:///costbot.db"),
        ("sqlite:////var/lib/costbot/costbot.db", "sqlite:////var/lib/costbot/costbot.db"),
        ("  sqlite:///costbot.db\n", "sqlite:///costbot.db"),
    ],
)
def test_normalise_url_points_postgres_at_psycopg_and_leaves_the_rest(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_normalise_url_refuses_mysql_naming_what_costbot_supports() -> None:
    with pytest.raises(DatabaseError, match="SQLite or PostgreSQL, not mysql"):
        normalise_url("mysql://costbot@db.internal/costbot")


@pytest.mark.parametrize("url", ["not a url", "", "://", "costbot.db"])
def test_normalise_url_refuses_what_is_not_a_url(url: str) -> None:
    with pytest.raises(DatabaseError, match=r"DATABASE_URL: expected a URL such as sqlite:///"):
        normalise_url(url)


def test_a_database_refuses_an_unsupported_url() -> None:
    with pytest.raises(DatabaseError, match="mysql"):
        Database("mysql+pymysql://costbot@db.internal/costbot")


def test_safe_url_masks_the_password() -> None:
    masked = safe_url("postgresql+psycopg://costbot:s3cret-pw@db.internal:5432/costbot")
    assert masked == "postgresql+psycopg://costbot:***@db.internal:5432/costbot"


def test_safe_url_leaves_a_url_without_password_as_it_is() -> None:
    assert safe_url("sqlite:///costbot.db") == "sqlite:///costbot.db"


def test_safe_url_of_garbage_says_so_without_repeating_it() -> None:
    assert safe_url("user:s3cret-pw@") == "(unreadable URL)"


def test_repr_of_a_database_hides_the_password() -> None:
    database = Database("postgresql://costbot:s3cret-pw@db.internal/costbot")  # the engine connects lazily
    try:
        assert "s3cret-pw" not in repr(database)
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("pragma", "expected"), [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 30000)]
)
def test_sqlite_connections_have_the_pragmas_costbot_relies_on(
    sqlite_db: Database, pragma: str, expected: object
) -> None:
    with sqlite_db.session() as session:
        assert session.connection().exec_driver_sql(f"PRAGMA {pragma}").scalar_one() == expected


def test_a_writing_unit_on_sqlite_holds_the_write_lock_from_its_first_statement(
    sqlite_db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "costbot.db", timeout=0, isolation_level=None)
    try:
        with sqlite_db.session() as session:
            session.connection().exec_driver_sql("SELECT 1")
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_a_reading_unit_on_sqlite_leaves_writers_free(sqlite_db: Database, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "costbot.db", timeout=0, isolation_level=None)
    try:
        with sqlite_db.session(write=False) as session:
            session.connection().exec_driver_sql("SELECT COUNT(*) FROM scenario")
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_unit_of_work_commits_when_its_block_ends(db: Database) -> None:
    with db.session() as session:
        remember_estimate(session=session, team_id="T0TEAM1", channel_id="C0CHAN1", user_id="U0ALICE", text="chat")
    assert count_rows(db, "last_estimate") == 1


def test_a_unit_of_work_rolls_back_when_its_block_raises(db: Database) -> None:
    with pytest.raises(RuntimeError, match="Slack said no"), db.session() as session:
        remember_estimate(session=session, team_id="T0TEAM1", channel_id="C0CHAN1", user_id="U0ALICE", text="chat")
        session.flush()
        raise RuntimeError("Slack said no")
    assert count_rows(db, "last_estimate") == 0


def test_a_failed_unit_leaves_its_pooled_connection_usable(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        session.connection().execute(sql("SELECT 1"))
        raise RuntimeError("boom")
    with db.session() as session:
        remember_estimate(session=session, team_id="T0TEAM1", channel_id="C0CHAN1", user_id="U0ALICE", text="chat")
    assert count_rows(db, "last_estimate") == 1


def test_a_copy_of_the_database_is_the_database(sqlite_db: Database) -> None:
    assert copy.deepcopy(sqlite_db) is sqlite_db


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://costbot:s3cr@t-pw@db.internal:5432/costbot",
        "postgresql+psycopg://costbot:s3cr%40t-pw@db.internal:5432/costbot",
        "postgres://costbot:s3cr@t-pw@db.internal/costbot?sslmode=require",
        "postgresql+psycopg://db.internal/costbot?user=costbot&password=s3cr@t-pw",
        "postgresql+psycopg://db.internal/costbot?sslpassword=s3cr@t-pw",
    ],
)
def test_safe_url_masks_a_password_however_it_is_written(url: str) -> None:
    masked = safe_url(url)
    assert "s3cr" not in masked and "t-pw" not in masked and "***" in masked
    assert "db.internal" in masked


def test_a_raw_at_in_a_password_is_read_as_part_of_it() -> None:
    assert (
        normalise_url("postgresql+psycopg://bob:p@ss@db.internal/x") == "postgresql+psycopg://bob:p%40ss@db.internal/x"
    )
    assert normalise_url("sqlite:////data/x@y.db") == "sqlite:////data/x@y.db"  # a path: left alone
    assert safe_url("sqlite:////data/x@y.db") == "sqlite:////data/x@y.db"


def test_the_secrets_of_a_url_include_what_a_driver_might_echo() -> None:
    assert secrets_of("postgresql+psycopg://bob:s3cr@t-pw@db.internal/x") == ["s3cr@t-pw", "s3cr", "t-pw"]
    assert secrets_of("postgresql+psycopg://db.internal/x?password=hunter2") == ["hunter2"]
    assert secrets_of("sqlite:///costbot.db") == []


def test_a_start_up_error_never_shows_a_piece_of_the_password(tmp_path: Path) -> None:
    from storage import upgrade

    db = Database("postgresql+psycopg://bob:s3cr@t-pw@127.0.0.1:1/x")
    with pytest.raises(DatabaseError) as error:
        upgrade(db)
    assert "s3cr" not in str(error.value) and "t-pw" not in str(error.value) and "127.0.0.1" in str(error.value)


def test_postgresql_is_reached_with_a_raw_at_in_the_password() -> None:
    """The server here trusts local connections, so any password gets in: only the host parsed right does."""
    from sqlalchemy import text

    from tests.databases import POSTGRES_SKIP_REASON, postgres_url

    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    scheme, _, rest = server.partition("://")
    user, _, host = rest.partition("@")
    db = Database(f"{scheme}://{user.split(':')[0]}:p@ss@{host}")
    with db.session(write=False) as session:
        assert session.exec(text("SELECT 1")).one()[0] == 1  # type: ignore[call-overload]
    assert "p@ss" not in repr(db) and "ss@" not in repr(db)


@pytest.mark.parametrize(
    ("url", "shown", "secret"),
    [
        ("postgresql+psycopg://u:p?ss-word@host/db", "postgresql+psycopg://u:***@host/db", "p?ss-word"),
        ("postgresql+psycopg://u:pw-0001@host/my@db", "postgresql+psycopg://u:***@host/my@db", "pw-0001"),
        ("postgresql+psycopg://u:pw-0001@[::1]:5432/db", "postgresql+psycopg://u:***@[::1]:5432/db", "pw-0001"),
        ("postgresql+psycopg://host/db@x", "postgresql+psycopg://host/db@x", None),
    ],
)
def test_the_user_information_ends_where_a_password_can_end(url: str, shown: str, secret: str | None) -> None:
    assert safe_url(url) == shown
    assert secrets_of(normalise_url(url))[:1] == ([secret] if secret else [])
    assert normalise_url("postgresql+psycopg://u:p@host/my@db") == "postgresql+psycopg://u:p@host/my@db"


def test_only_sqlite_errors_that_are_outages_count_as_unavailable(sqlite_db: Database) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from storage import is_unavailable

    assert is_unavailable(OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked")))
    assert not is_unavailable(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: nope")))
