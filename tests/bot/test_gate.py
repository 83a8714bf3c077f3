"""bot.gate: what reaches POST /slack/events is refused before it is parsed unless it is Slack's, well formed and
new. The real Bolt app stands behind the gate (answering through the fake Slack Web API on 127.0.0.1); requests
are WSGI environments built here, and a few go over a real loopback socket."""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.config import Settings
from bot.gate import MAX_BODY_BYTES
from bot.server import EVENTS_PATH, http_server, wsgi_app
from storage import Database, upgrade
from tests.bot.wsgi import FORM, JSON_TYPE, Unreadable, call, serving
from tests.fakeslack import (
    SIGNING_SECRET,
    FakeSlack,
    button_payload,
    command_body,
    interaction_body,
    sign,
)


@pytest.fixture
def app(http_settings: Settings, sqlite_db: Database) -> Any:
    return wsgi_app(create_app(http_settings, db=sqlite_db), signing_secret=SIGNING_SECRET)


# --- before verification ----------------------------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_unread(app: Any, fake_slack: FakeSlack) -> None:
    status, _ = call(app, length=str(MAX_BODY_BYTES + 1), stream=Unreadable())
    assert status == 413 and fake_slack.calls == []


@pytest.mark.parametrize(("length", "status"), [("", 411), ("12abc", 400), ("-5", 400)])
def test_a_missing_or_unreadable_length_is_refused(app: Any, length: str, status: int) -> None:
    assert call(app, length=length, stream=Unreadable())[0] == status


@pytest.mark.parametrize(
    "content_type", ["text/plain", "multipart/form-data; boundary=x", f"{FORM}; charset=latin-1", ""]
)
def test_only_forms_and_json_in_utf8_are_read(app: Any, content_type: str) -> None:
    body = command_body("video 10s", response_url="https://hooks.slack.com/x")
    assert call(app, body, headers=sign(body), content_type=content_type)[0] == 415


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "nope"},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64},
    ],
)
def test_an_unsigned_or_forged_request_is_refused_with_401(
    app: Any, fake_slack: FakeSlack, headers: dict[str, str]
) -> None:
    body = command_body("video 10s", response_url="https://hooks.slack.com/x")
    assert call(app, body, headers=headers)[0] == 401
    assert fake_slack.calls == []


def test_a_stale_signature_is_refused(app: Any) -> None:
    body = command_body("video 10s", response_url="https://hooks.slack.com/x")
    assert call(app, body, headers=sign(body, timestamp=int(time.time()) - 301))[0] == 401


# --- after verification -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"type": "event_callback", ', JSON_TYPE),
        (b"[1, 2, 3]", JSON_TYPE),
        (b'{"event": {}}', JSON_TYPE),
        (b"command=/cost&text=video", JSON_TYPE),
        (b"payload=not-json", FORM),
        (b"payload=%5B%5D", FORM),
        (b"payload=%7B%7D", FORM),
        (b"text=video&user_id=U1", FORM),
        (b"command=/cost&text=\xff\xfe", FORM),
        (b"[" * 100_000 + b"]" * 100_000, JSON_TYPE),
        (b"a=1&&&b", FORM),
    ],
    ids=lambda value: value[:20] if isinstance(value, bytes) else value,
)
def test_a_signed_body_that_is_not_slacks_shape_gets_400(
    app: Any, fake_slack: FakeSlack, body: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert call(app, body, headers=sign(body), content_type=content_type)[0] == 400
    assert fake_slack.calls == []
    refused = [r for r in caplog.records if r.name == "bot.gate"]
    assert len(refused) == 1 and refused[0].exc_info is None  # one line, no traceback
    assert body[:40].decode("utf-8", "replace") not in refused[0].getMessage()  # never the body


def test_the_same_signed_request_is_run_once(app: Any, fake_slack: FakeSlack) -> None:
    body = command_body("video 10s x 1M users", response_url=fake_slack.response_url())
    headers = sign(body)
    first, answer = call(app, body, headers=headers)
    assert first == 200 and b"1,000,000" in answer
    again, repeat = call(app, body, headers=headers)
    assert (again, repeat) == (200, b"")


def test_a_slack_retry_signed_anew_still_reaches_the_app(app: Any, fake_slack: FakeSlack) -> None:
    body = command_body("video 10s", response_url=fake_slack.response_url())
    now = int(time.time())
    assert call(app, body, headers=sign(body, timestamp=now))[1] != b""
    assert call(app, body, headers=sign(body, timestamp=now + 1))[1] != b""


def test_a_well_formed_interaction_passes_the_gate(app: Any, fake_slack: FakeSlack) -> None:
    body = interaction_body(button_payload("share_estimate", "video 10s", response_url=fake_slack.response_url()))
    assert call(app, body, headers=sign(body))[0] == 200
    fake_slack.wait_for(lambda calls: len(calls) > 0)  # Bolt ran the listener: it answered through Slack


@pytest.mark.parametrize("path", ["/", "/slack/install", "/slack/events/x"])
def test_other_paths_are_not_found_and_not_read(app: Any, path: str) -> None:
    assert call(app, path=path, length="10", stream=Unreadable())[0] == 404


# --- fuzz -------------------------------------------------------------------------------------------------------

_HEADER_VALUES = st.one_of(st.text(max_size=40), st.just(""), st.integers().map(str))
_BODIES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
        max_leaves=20,
    ).map(lambda value: json.dumps(value).encode()),
    st.text(max_size=60).map(lambda text: ("command", text)),  # a /cost command: built in the test
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=_BODIES,
    content_type=st.sampled_from([FORM, JSON_TYPE, f"{FORM}; charset=utf-8", "text/plain", ""]),
    sign_it=st.booleans(),
    timestamp=_HEADER_VALUES,
    signature=_HEADER_VALUES,
)
def test_no_request_gets_a_5xx(
    app: Any, fake_slack: FakeSlack, body: Any, content_type: str, sign_it: bool, timestamp: str, signature: str
) -> None:
    if isinstance(body, tuple):  # answered through the fake Slack: nothing may wait on a host that isn't there
        body = command_body(body[1], response_url=fake_slack.response_url("fuzz"))
    headers = sign(body) if sign_it else {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    status, _ = call(app, body, headers=headers, content_type=content_type)
    assert status < 500


# --- over a real socket -----------------------------------------------------------------------------------------


@pytest.fixture
def server(http_settings: Settings, sqlite_db: Database) -> Iterator[int]:
    bolt = create_app(http_settings, db=sqlite_db)
    running = http_server(bolt, signing_secret=SIGNING_SECRET, host="127.0.0.1", port=0, threads=2)
    with serving(running) as port:
        yield port


def test_a_huge_body_is_refused_before_it_is_sent(server: int) -> None:
    """500 MB announced, nothing sent: the answer comes at once, and nothing was buffered."""
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    connection.putrequest("POST", EVENTS_PATH)
    connection.putheader("Content-Type", FORM)
    connection.putheader("Content-Length", str(500 * 1024 * 1024))
    connection.endheaders()
    started = time.monotonic()
    response = connection.getresponse()
    assert response.status == 413 and time.monotonic() - started < 2
    connection.close()


# --- tampered interactions --------------------------------------------------------------------------------------


def test_a_signed_click_naming_a_foreign_response_url_is_refused(app: Any, fake_slack: FakeSlack) -> None:
    body = interaction_body(button_payload("share_estimate", "video 10s", response_url="https://evil.example/x"))
    assert call(app, body, headers=sign(body))[0] == 400
    time.sleep(0.2)  # nothing is deferred either
    assert [c for c in fake_slack.calls if c.name != "auth.test"] == []


def test_a_signed_command_naming_a_foreign_response_url_is_refused(app: Any, fake_slack: FakeSlack) -> None:
    body = command_body("save plan video 10s", response_url="https://evil.example/hook")
    assert call(app, body, headers=sign(body))[0] == 400
    time.sleep(0.2)
    assert [c for c in fake_slack.calls if c.name != "auth.test"] == []


def test_a_form_whose_metadata_was_changed_saves_nothing(app: Any, fake_slack: FakeSlack) -> None:
    from bot.blocks import save_modal
    from bot.seals import Seal
    from tests.fakeslack import view_submission_payload

    where = {"text": "video 10s", "channel": "C0GENERAL", "response_url": fake_slack.response_url(),
             "thread_ts": None, "replace": False}  # fmt: skip
    sealed = Seal(SIGNING_SECRET).seal(where)
    view = save_modal("video 10s", private_metadata=sealed.replace("C0GENERAL", "C0SECRET"))
    values = {"name": {"name": {"type": "plain_text_input", "value": "plan"}}}
    body = interaction_body(view_submission_payload(view, values))
    status, answer = call(app, body, headers=sign(body))
    assert status == 200 and b"didn't come from costbot" in answer
    time.sleep(0.2)
    assert fake_slack.api_calls("chat.postMessage") == []


def test_slacks_unsigned_certificate_check_is_answered_200_and_goes_no_further(app: Any, fake_slack: FakeSlack) -> None:
    assert call(app, b"ssl_check=1&token=legacy-token") == (200, b"")
    assert call(app, b"ssl_check=1&token=x&command=/cost")[0] == 401  # anything more is a request: signed or not
    assert [c for c in fake_slack.calls if c.name != "auth.test"] == []


def test_bolts_deferred_only_switch_is_not_taken_from_outside(app: Any, fake_slack: FakeSlack) -> None:
    """Bolt runs only a listener's deferred half when a request says so in a header the signature doesn't cover:
    the gate drops it, so the command is acknowledged, written down and answered as any other."""
    body = command_body("save plan video 10s x 1M users", response_url=fake_slack.response_url("lazy"))
    headers = {**sign(body), "X-Slack-Bolt-Lazy-Only": "1", "X-Slack-Bolt-Lazy-Function-Name": "scenario_command"}
    assert call(app, body, headers=headers)[0] == 200
    (answer,) = fake_slack.wait_for_responses(1)
    assert "Saved *plan* (v1)" in json.dumps(answer.body)


def test_a_request_refused_with_a_5xx_is_run_when_it_comes_again(
    http_settings: Settings, fake_slack: FakeSlack, tmp_path: Any
) -> None:
    """Slack's first retry can come within the second, signed the same: it is no replay of work that was done."""
    path = tmp_path / "later" / "costbot.db"
    db = Database(f"sqlite:///{path}")
    app = wsgi_app(create_app(http_settings, db=db), signing_secret=SIGNING_SECRET)
    raw = json.dumps({"type": "event_callback", "team_id": "T0TEAM1", "event_id": "EvSAME", "event": {
        "type": "app_mention", "user": "U0ALICE", "text": "<@U0BOT> video 10s", "ts": "1.5", "channel": "C0GENERAL"}
    }).encode()  # fmt: skip
    headers = sign(raw)
    assert call(app, raw, headers=headers, content_type=JSON_TYPE)[0] == 503  # the database isn't there yet
    path.parent.mkdir()
    upgrade(db)
    assert call(app, raw, headers=headers, content_type=JSON_TYPE)[0] == 200
    fake_slack.wait_for_api("chat.postMessage")
