"""bot.backlog: deferred work is bounded; past the bound the app refuses new requests at once (503), and takes
them again once the backlog drains. Through the gate and the real Bolt app, with the fake Slack on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from bot.app import create_app
from bot.backlog import Backlog
from bot.config import Settings
from bot.server import wsgi_app
from storage import Database
from tests.bot.wsgi import call
from tests.fakeslack import SIGNING_SECRET, FakeSlack, command_body, sign


@pytest.fixture
def backlog() -> Backlog:
    return Backlog(workers=1, limit=2)


@pytest.fixture
def app(http_settings: Settings, sqlite_db: Database, backlog: Backlog) -> Any:
    return wsgi_app(create_app(http_settings, db=sqlite_db, backlog=backlog), signing_secret=SIGNING_SECRET)


def test_the_backlog_counts_what_it_holds() -> None:
    backlog, gate = Backlog(workers=1, limit=3), threading.Event()
    futures = [backlog.submit(gate.wait, 5) for _ in range(3)]
    assert backlog.held == 3 and backlog.full
    gate.set()
    for future in futures:
        future.result(timeout=5)
    time.sleep(0.05)  # the counts drop in done callbacks
    assert backlog.held == 0 and not backlog.full
    backlog.shutdown()


def test_a_full_backlog_refuses_new_requests_at_once_and_takes_them_again(
    app: Any, backlog: Backlog, fake_slack: FakeSlack
) -> None:
    gate = threading.Event()
    stuck = [backlog.submit(gate.wait, 10) for _ in range(2)]  # a burst's deferred work, not done yet
    body = command_body("list", response_url=fake_slack.response_url("busy"))
    started = time.monotonic()
    status, answer = call(app, body, headers=sign(body))
    assert (status, answer) == (503, b"") and time.monotonic() - started < 1
    gate.set()
    for future in stuck:
        future.result(timeout=5)
    time.sleep(0.05)
    body = command_body("list", response_url=fake_slack.response_url("later"))
    assert call(app, body, headers=sign(body))[0] == 200
    fake_slack.wait_for_responses()
    assert [c.name for c in fake_slack.responses()] == ["later"]


def test_an_event_refused_while_busy_is_handled_when_slack_retries_it(
    app: Any, backlog: Backlog, fake_slack: FakeSlack
) -> None:
    """The refusal must not count the event as seen: Slack's retry (signed anew) is then handled."""
    from tests.fakeslack import event_body

    event = {"type": "app_mention", "channel": "C0GENERAL", "user": "U0BOB", "text": "<@U0BOT> video 10s",
             "ts": "1800000000.000900", "event_ts": "1800000000.000900"}  # fmt: skip
    body = event_body(event, event_id="EvBUSY0001")
    gate = threading.Event()
    stuck = [backlog.submit(gate.wait, 10) for _ in range(2)]
    assert call(app, body, headers=sign(body), content_type="application/json")[0] == 503
    gate.set()
    for future in stuck:
        future.result(timeout=5)
    time.sleep(0.05)
    retry = {
        **sign(body, timestamp=int(time.time()) + 1),
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_error",
    }
    assert call(app, body, headers=retry, content_type="application/json")[0] == 200
    fake_slack.wait_for(lambda calls: any(c.name == "chat.postMessage" for c in calls))
