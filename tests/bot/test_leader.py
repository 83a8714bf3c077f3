"""bot.leader: one scheduler leads at a time on PostgreSQL (a session advisory lock), every one on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.leader import LOCK_KEY, Leadership, workspace_key
from bot.observe import REGISTRY
from storage import Database
from tests.databases import fresh_postgres_url
from tests.fakeslack import TEAM


@pytest.fixture
def postgres() -> Iterator[str]:
    with fresh_postgres_url() as url:
        yield url


def _holder(db: Database, team: str = TEAM) -> list[int]:
    """The backends holding the workspace's scheduler lock (a two-key advisory lock: classid, objid)."""
    query = (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
        " AND classid = CAST(:one AS oid) AND objid = CAST(:two AS oid)"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with db.engine.connect() as connection:
        keys = {"one": LOCK_KEY % 2**32, "two": workspace_key(team) % 2**32}
        return list(connection.execute(text(query), keys).scalars())


def test_on_sqlite_every_scheduler_leads(sqlite_db: Database) -> None:
    assert Leadership(sqlite_db).lead() and Leadership(sqlite_db).lead()


def test_on_postgres_one_leads_and_a_standby_takes_over_when_its_session_dies(postgres: str) -> None:
    one, two, admin = Database(postgres), Database(postgres), Database(postgres)
    try:
        first, second = Leadership(one, TEAM), Leadership(two, TEAM)
        assert (first.lead(), second.lead()) == (True, False)
        assert (first.lead(), second.lead()) == (True, False)  # the lead is kept, pass after pass
        (pid,) = _holder(admin)
        with admin.engine.connect() as connection:  # the leader's process dies: its session ends
            # Waits (up to 5 s) until the session has ended: the lock goes with it.
            connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            connection.commit()
        assert second.lead() is True  # the standby's next pass
        assert first.lead() is False  # the old leader sees its session gone, and stands by
        second.release()
        assert first.lead() is True  # a shutdown hands the lead on at once
        first.release()
        assert _holder(admin) == []
        assert REGISTRY.get_sample_value("costbot_scheduler_leading") == 0
    finally:
        for db in (one, two, admin):
            db.dispose()


def test_each_workspace_has_its_own_leader(postgres: str) -> None:
    one, two = Database(postgres), Database(postgres)
    try:
        ours, theirs = Leadership(one, TEAM), Leadership(two, "T0OTHER")
        assert (ours.lead(), theirs.lead()) == (True, True)
        assert REGISTRY.get_sample_value("costbot_scheduler_leading") == 1
        ours.release()
        theirs.release()
    finally:
        one.dispose()
        two.dispose()
