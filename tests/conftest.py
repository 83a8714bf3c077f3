"""Shared fixtures: the bundled catalog unless a test sets a price book, no Slack settings from the shell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeslack import FakeSlack

_SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
             "COSTBOT_LOG_LEVEL")  # fmt: skip


@pytest.fixture(autouse=True)
def _no_user_price_book(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COSTBOT_PRICES", raising=False)
    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)


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
