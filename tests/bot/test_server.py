"""The WSGI side in process: health check, routing, verification, on a real loopback socket."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bot.app import create_app
from bot.config import Settings
from bot.server import http_server
from storage import Database
from tests.bot.wsgi import serving
from tests.fakeslack import SIGNING_SECRET, FakeSlack


@pytest.fixture
def server_url(http_settings: Settings, sqlite_db: Database) -> Iterator[str]:
    app = create_app(http_settings, db=sqlite_db)
    server = http_server(app, signing_secret=SIGNING_SECRET, host="127.0.0.1", port=0, threads=2)
    with serving(server) as port:
        yield f"http://127.0.0.1:{port}"


def status(url: str, method: str = "GET", body: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_health_check_answers_get_and_head(server_url: str) -> None:
    assert status(f"{server_url}/healthz") == 200
    assert status(f"{server_url}/healthz", method="HEAD") == 200


def test_other_paths_are_not_found(server_url: str) -> None:
    assert status(f"{server_url}/") == 404
    assert status(f"{server_url}/slack/events") == 405  # GET: Slack only ever POSTs here


def test_an_unsigned_post_is_refused(server_url: str, fake_slack: FakeSlack) -> None:
    assert status(f"{server_url}/slack/events", method="POST", body=b"command=/cost&text=video") == 401
    assert fake_slack.calls == []
