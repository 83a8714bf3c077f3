"""What the bot's tests share: the settings `costbot serve` reads in HTTP mode, pointed at the fake Slack."""

from __future__ import annotations

import pytest

from bot.config import Settings, load_settings
from tests.fakeslack import BOT_TOKEN, SIGNING_SECRET, FakeSlack


@pytest.fixture
def http_settings(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for HTTP mode from the environment (no .env file): the fake Slack's token, secret and URL."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    return load_settings(mode="http", env_file=None)
