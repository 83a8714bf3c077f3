"""Shared fixtures: the bundled catalog unless a test sets a price book, no Slack settings from the shell,
the fake Slack, and real databases (SQLite files; PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from costing import use_cache_dir, use_price_book
from storage import Database
from storage.migrate import upgrade
from tests.checkout import ROOT, foreign_packages
from tests.databases import fresh_postgres_url, truncate_all
from tests.fakeslack import FakeSlack


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test another copy of costbot than the one beside these tests (a stale install, a second checkout)."""
    foreign = foreign_packages()
    if foreign:
        pytest.exit(f"these tests belong to {ROOT} but import {', '.join(foreign)}; run them from {ROOT}", returncode=4)


_SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
             "COSTBOT_LOG_LEVEL", "COSTBOT_PRICE_UPDATES", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
             "SLACK_STATE_SECRET", "COSTBOT_PUBLIC_URL")  # fmt: skip


@pytest.fixture(autouse=True)
def _no_user_price_book(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("COSTBOT_PRICES", raising=False)
    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)
    use_price_book(None)  # a test names its price book with use_price_book, or COSTBOT_PRICES for the CLI
    yield
    use_price_book(None)
    use_cache_dir(None)


@pytest.fixture(scope="session")
def fake_slack_server() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_slack(fake_slack_server: FakeSlack) -> FakeSlack:
    """The session's fake Slack, with no calls recorded and no failures scripted."""
    fake_slack_server.reset()
    return fake_slack_server


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[Database]:
    with fresh_postgres_url() as url:
        db = Database(url)
        upgrade(db)
        yield db
        db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a SQLite file, then the PostgreSQL server (skipped without one)."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'costbot.db'}")
        upgrade(database)
        yield database
        database.dispose()
        return
    database = request.getfixturevalue("_postgres_database")
    truncate_all(database)
    yield database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite file, for tests that need one database only."""
    database = Database(f"sqlite:///{tmp_path / 'costbot.db'}")
    upgrade(database)
    yield database
    database.dispose()
