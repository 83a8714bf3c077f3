"""bot.leader: one scheduler leads at a time on PostgreSQL (a session advisory lock), every one on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.leader import LOCK_KEY, Leadership
from storage import Database
from tests.databases import fresh_postgres_url


@pytest.fixture
def postgres() -> Iterator[str]:
    with fresh_postgres_url() as url:
        yield url


def _holder(db: Database) -> list[int]:
    """The backends holding the scheduler's lock."""
    with db.engine.connect() as connection:
        query = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = (:key & 4294967295)::oid"
        return list(connection.execute(text(query), {"key": LOCK_KEY}).scalars())


def test_on_sqlite_every_scheduler_leads(sqlite_db: Database) -> None:
    assert Leadership(sqlite_db).lead() and Leadership(sqlite_db).lead()


def test_on_postgres_one_leads_and_a_standby_takes_over_when_its_session_dies(postgres: str) -> None:
    one, two, admin = Database(postgres), Database(postgres), Database(postgres)
    try:
        first, second = Leadership(one), Leadership(two)
        assert (first.lead(), second.lead()) == (True, False)
        assert (first.lead(), second.lead()) == (True, False)  # the lead is kept, pass after pass
        (pid,) = _holder(admin)
        with admin.engine.connect() as connection:  # the leader's process dies: its session ends
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            connection.commit()
        assert second.lead() is True  # the standby's next pass
        assert first.lead() is False  # the old leader sees its session gone, and stands by
        second.release()
        assert first.lead() is True  # a shutdown hands the lead on at once
        first.release()
        assert _holder(admin) == []
    finally:
        for db in (one, two, admin):
            db.dispose()
