"""bot.observe: what each request is, counted and timed at the gate; /readyz and /metrics beside /healthz."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bot.app import create_app
from bot.config import Settings
from bot.gate import shape_of
from bot.observe import REGISTRY, Readiness
from bot.server import wsgi_app
from storage import Database
from tests.bot.wsgi import JSON_TYPE, call
from tests.fakeslack import (
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    button_payload,
    command_body,
    event_body,
    interaction_body,
    message_event,
    sign,
)

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (command_body("video 10s x 1M users", response_url="u"), FORM, "command:estimate"),
        (command_body("save plan video 10s", response_url="u"), FORM, "command:save"),
        (command_body("LIST", response_url="u"), FORM, "command:list"),
        (command_body("", response_url="u"), FORM, "command:estimate"),
        (event_body(message_event("hi", ts="1.1")), JSON_TYPE, "event:message"),
        (interaction_body(button_payload("share_estimate", "x", response_url="u")), FORM, "block_actions"),
    ],
)
def test_a_request_is_named_by_its_kind_and_workspace(body: bytes, content_type: str, kind: str) -> None:
    assert shape_of(body, content_type) == (kind, TEAM)


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_each_request_is_counted_timed_and_logged_once(
    http_settings: Settings, sqlite_db: Database, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    app = wsgi_app(create_app(http_settings, db=sqlite_db), signing_secret=SIGNING_SECRET)
    before = _sample("costbot_requests_total", kind="command:estimate", outcome="ok")
    timed = _sample("costbot_ack_seconds_count", kind="command:estimate")
    caplog.set_level(logging.INFO, logger="costbot.requests")
    body = command_body("video 10s x 1M users", response_url=fake_slack.response_url())
    assert call(app, body, headers=sign(body))[0] == 200
    assert _sample("costbot_requests_total", kind="command:estimate", outcome="ok") == before + 1
    assert _sample("costbot_ack_seconds_count", kind="command:estimate") == timed + 1
    (line,) = [r for r in caplog.records if r.name == "costbot.requests"]
    assert (line.kind, line.workspace, line.outcome, line.status) == ("command:estimate", TEAM, "ok", 200)  # type: ignore[attr-defined]
    assert line.latency_ms > 0  # type: ignore[attr-defined]


def test_readyz_says_what_it_checked_and_503_when_a_check_fails(http_settings: Settings, sqlite_db: Database) -> None:
    def broken() -> tuple[bool, str]:
        raise RuntimeError("boom")

    fine = Readiness({"database": lambda: (True, "ok, schema 0005")})
    failing = Readiness({"database": lambda: (True, "ok"), "scheduler": lambda: (False, "stopped"), "x": broken})
    bolt = create_app(http_settings, db=sqlite_db)
    status, body = call(wsgi_app(bolt, signing_secret=SIGNING_SECRET, ready=fine), method="GET", path="/readyz")
    assert (status, json.loads(body)) == (200, {"ready": True, "database": "ok, schema 0005"})
    status, body = call(wsgi_app(bolt, signing_secret=SIGNING_SECRET, ready=failing), method="GET", path="/readyz")
    assert status == 503
    assert json.loads(body) == {
        "ready": False,
        "database": "ok",
        "scheduler": "stopped",
        "x": "check failed (RuntimeError)",
    }


def test_every_metric_is_named_in_the_prometheus_text(http_settings: Settings, sqlite_db: Database) -> None:
    app: Any = wsgi_app(create_app(http_settings, db=sqlite_db), signing_secret=SIGNING_SECRET)
    status, body = call(app, method="GET", path="/metrics")
    assert status == 200
    text = body.decode()
    for name in (
        "costbot_requests_total",
        "costbot_ack_seconds",
        "costbot_digests_total",
        "costbot_scheduler_pass_seconds",
        "costbot_scheduler_running",
        "costbot_work_recovered_total",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text, name  # fmt: skip


def test_what_the_gate_refuses_or_sees_twice_is_counted_too(http_settings: Settings, sqlite_db: Database) -> None:
    app = wsgi_app(create_app(http_settings, db=sqlite_db), signing_secret=SIGNING_SECRET)
    refused, repeated = (
        _sample("costbot_requests_total", kind="gate", outcome="refused"),
        _sample("costbot_requests_total", kind="gate", outcome="repeated"),
    )
    body = command_body("video 10s", response_url="https://hooks.slack.com/commands/T/1/x")
    assert call(app, body, headers={"X-Slack-Signature": "v0=bad", "X-Slack-Request-Timestamp": "1"})[0] == 401
    headers = sign(body)
    assert [call(app, body, headers=headers)[0] for _ in range(2)] == [200, 200]  # the second is a replay
    assert _sample("costbot_requests_total", kind="gate", outcome="refused") == refused + 1
    assert _sample("costbot_requests_total", kind="gate", outcome="repeated") == repeated + 1
