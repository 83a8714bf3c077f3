"""Live token prices (`COSTBOT_PRICE_UPDATES`): genai-prices' own updater against a real loopback server.

Every test leaves genai-prices' global snapshot as it found it and no updater thread running (the autouse
fixture), so no other test sees refreshed prices. The server answers each request from a script (status, body,
and optionally a hold: the request waits for an event), which is how the tests know, without sleeping, that a
fetch has finished: the updater only asks again once it has installed (or refused) what it fetched before.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from genai_prices import data_snapshot
from genai_prices.types import _providers_from_raw

from bot.config import ConfigError, load_settings
from bot.logs import RedactingFormatter
from bot.price_updates import (
    MAX_BYTES,
    PRICE_UPDATES_ENV,
    parse_setting,
    shown,
    start_price_updates,
    stop_price_updates,
    wait_for_prices,
)
from costing import estimate
from costing.tokens import find_token_price, token_data
from tests.checkout import COSTBOT
from tests.fakeslack import BOT_TOKEN, SIGNING_SECRET, FakeSlack

DATA_FILE = Path(__file__).parent.parent / "data" / "genai_prices_minimal.json"
#: openai/gpt-4o at $3.25 in, $13 out (bundled: $2.50, $10); anthropic/claude-sonnet-4-5 at $4 in, $20 out.
MINIMAL = DATA_FILE.read_bytes()
GPT_4O = "chat 1000 in 1000 out gpt-4o"
SONNET = "chat 1000 in 1000 out claude-sonnet-4-5"
REFRESHED_GPT_4O = Decimal("0.01625")  # 1000 × $3.25/1M + 1000 × $13/1M
REFRESHED_SONNET = Decimal("0.024")  # 1000 × $4/1M + 1000 × $20/1M
SECRET = "hunter2-s3cret"
THREAD = "genai_prices:update"  # the name genai-prices gives its background thread
LONG = 600.0  # an interval no test lives to see twice
SHORT = 0.05  # an interval for tests that need a second fetch (held by the server until the test wants it)


def _with_gpt_4o(input_mtok: str, output_mtok: str) -> bytes:
    raw = json.loads(MINIMAL)
    raw[0]["models"][0]["prices"] = {"input_mtok": input_mtok, "output_mtok": output_mtok}
    return json.dumps(raw).encode()


def _without(model_id: str) -> bytes:
    raw = json.loads(MINIMAL)
    for provider in raw:
        provider["models"] = [m for m in provider["models"] if m["id"] != model_id]
    return json.dumps(raw).encode()


# --- the loopback price server ------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: bytes = MINIMAL
    #: Spaces streamed after `body` (a large body without holding it in memory).
    pad: int = 0
    #: The request waits for this before answering (released at teardown at the latest).
    hold: threading.Event | None = None


@dataclass
class PriceServer:
    """An HTTP server on 127.0.0.1 answering request n with script[n] (the last answer repeats)."""

    script: list[Answer] = field(default_factory=lambda: [Answer()])
    authorizations: list[str | None] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> PriceServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                with server._changed:
                    index = len(server.authorizations)
                    server.authorizations.append(self.headers.get("Authorization"))
                    server._changed.notify_all()
                    answer = server.script[min(index, len(server.script) - 1)]
                if answer.hold is not None:
                    answer.hold.wait(timeout=30)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.body) + answer.pad))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    chunk = b" " * (1 << 20)
                    for start in range(0, answer.pad, len(chunk)):  # streamed, as a large file would be
                        self.wfile.write(chunk[: min(len(chunk), answer.pad - start)])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (a body over the limit)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="price-server", daemon=True
        ).start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, *, secrets: bool = False) -> str:
        if secrets:
            return f"http://user:{SECRET}@127.0.0.1:{self.port}/v2/data.json?key={SECRET}"
        return f"http://127.0.0.1:{self.port}/v2/data.json"

    @property
    def shown_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2/data.json"

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> None:
        """Until `count` requests have arrived: request n+1 arriving means fetch n was installed or refused."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.authorizations) >= count, timeout=timeout)
        assert arrived, f"{len(self.authorizations)} requests, expected {count}"

    def stop(self) -> None:
        for answer in self.script:
            if answer.hold is not None:
                answer.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _join_updater(timeout: float = 10.0) -> None:
    for thread in threading.enumerate():
        if thread.name == THREAD:
            thread.join(timeout)
            assert not thread.is_alive(), "genai-prices' updater thread did not stop"


@pytest.fixture(autouse=True)
def _restore_prices(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stop any updater, wait for its thread, and put genai-prices' snapshot back as it was."""
    monkeypatch.delenv(PRICE_UPDATES_ENV, raising=False)  # conftest doesn't clear it; a shell's must not leak in
    before = data_snapshot.get_snapshot()
    yield
    stop_price_updates()
    _join_updater()
    data_snapshot.set_custom_snapshot(None)
    if data_snapshot.get_snapshot() is not before:
        data_snapshot.set_custom_snapshot(before)
    assert data_snapshot.get_snapshot() is before


@pytest.fixture
def server(_restore_prices: None) -> Iterator[PriceServer]:
    """Torn down before `_restore_prices`: holds are released first, so the updater thread can finish."""
    running = PriceServer().start()
    yield running
    running.stop()


@pytest.fixture
def bundled_gpt_4o() -> Decimal:
    """gpt-4o's price before any refresh (the bundled snapshot), captured before a test starts one."""
    assert token_data().origin is None, "another test left refreshed prices behind"
    return estimate(GPT_4O).api.unit_usd


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def _run_once(url: str, *, interval: float = LONG) -> bool:
    """Start refreshing, wait for the first fetch's outcome, then stop and wait for the thread to end (by then
    everything the fetch logs is logged: genai-prices logs a failure just after reporting it to waiters)."""
    started = start_price_updates(url, interval=interval)
    assert started is not None
    outcome = wait_for_prices(timeout=10)
    stop_price_updates()
    _join_updater()
    return outcome


# --- parse_setting and shown ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("off", "off"),
        ("OFF", "off"),
        ("ON", "on"),
        (" on ", "on"),
        ("\ton\n", "on"),
        ("http://127.0.0.1:8000/data.json", "http://127.0.0.1:8000/data.json"),
        ("  https://prices.example/v2/data.json  ", "https://prices.example/v2/data.json"),
        ("https://user:pw@prices.example/data.json?key=k", "https://user:pw@prices.example/data.json?key=k"),
    ],
)
def test_parse_setting_accepts_off_on_and_http_urls_normalised(value: str, expected: str) -> None:
    assert parse_setting(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "yes", "true", "1", "of", "onn", "ftp://prices.example/data.json", "file:///tmp/data.json", "http://",
     "https://", "prices.example/data.json", "http:///data.json", "http://prices example/data.json",
     f"ftp://user:{SECRET}@prices.example/data.json"],
)  # fmt: skip
def test_parse_setting_refuses_anything_else_naming_what_would_work(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_setting(value)
    message = str(caught.value)
    assert message == "expected off, on, or the http(s) URL of a genai-prices data file (data.json)"
    assert SECRET not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://user:{SECRET}@prices.example:8443/v2/data.json?token={SECRET}",
         "https://prices.example:8443/v2/data.json"),
        (f"http://{SECRET}@127.0.0.1:9/data.json", "http://127.0.0.1:9/data.json"),
        (f"https://prices.example/data.json?token={SECRET}&x=1#{SECRET}", "https://prices.example/data.json"),
        ("https://prices.example", "https://prices.example"),
        ("https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/data.json",
         "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/data.json"),
    ],
)  # fmt: skip
def test_shown_drops_user_password_query_and_fragment_and_keeps_host_port_and_path(url: str, expected: str) -> None:
    assert shown(url) == expected
    assert SECRET not in shown(url)


def test_shown_keeps_an_ipv6_host_in_brackets() -> None:
    assert shown(f"http://[::1]:8080/data.json?key={SECRET}") == "http://[::1]:8080/data.json"


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/data.json", "http://127.0.0.1:abc/data.json"])
def test_a_url_with_an_impossible_port_is_refused_by_the_settings(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv(PRICE_UPDATES_ENV, url)
    with pytest.raises(ConfigError) as caught:
        load_settings(mode="database", env_file=None)
    assert caught.value.problems[0].startswith(f"{PRICE_UPDATES_ENV}: expected off, on")


@pytest.mark.parametrize("port", ["99999", "abc"])
def test_an_impossible_port_still_starts_and_each_fetch_fails_without_credentials(
    port: str, bundled_gpt_4o: Decimal, caplog: pytest.LogCaptureFixture
) -> None:
    """The settings refuse such a URL (above); started anyway, from code, it fails each fetch in one line."""
    line = start_price_updates(f"http://user:{SECRET}@127.0.0.1:{port}/data.json?key={SECRET}", interval=LONG)
    assert line == f"refreshing token prices from http://127.0.0.1:{port}/data.json every 10 min ({PRICE_UPDATES_ENV})"
    assert wait_for_prices(timeout=10) is False
    stop_price_updates()
    _join_updater()
    [record] = warnings(caplog)
    assert record.name == "genai-prices" and SECRET not in record.getMessage() and record.exc_info is None
    assert estimate(GPT_4O).api.unit_usd == bundled_gpt_4o


# --- start, stop, wait ----------------------------------------------------------------------------------


def test_off_starts_nothing() -> None:
    assert start_price_updates("off") is None
    assert not any(t.name == THREAD for t in threading.enumerate())
    assert wait_for_prices(timeout=0.01) is False
    assert token_data().origin is None


def test_waiting_with_no_updater_is_false_at_once() -> None:
    stop_price_updates()  # nothing to stop: no error
    assert wait_for_prices(timeout=5) is False


def test_the_start_line_names_the_source_without_credentials_and_the_interval(server: PriceServer) -> None:
    line = start_price_updates(server.url(secrets=True), interval=LONG)
    assert line == f"refreshing token prices from {server.shown_url} every 10 min ({PRICE_UPDATES_ENV})"
    assert wait_for_prices(timeout=10) is True


def test_a_refresh_prices_estimates_from_the_fetched_file_and_says_so(
    server: PriceServer, bundled_gpt_4o: Decimal, logs: pytest.LogCaptureFixture
) -> None:
    bundled_label = token_data().label
    assert bundled_label.startswith("genai-prices ") and " data of " in bundled_label
    day = date.today()

    start_price_updates(server.url(secrets=True), interval=LONG)
    assert wait_for_prices(timeout=10) is True

    e = estimate(GPT_4O)
    assert e.api.unit_usd == REFRESHED_GPT_4O != bundled_gpt_4o
    assert e.api.price.description == "$3.25/1M input, $13.00/1M output tokens"
    assert e.api.price.kind == "genai-prices, refreshed"
    labels = {f"genai-prices data fetched {d.isoformat()} from 127.0.0.1" for d in (day, date.today())}
    assert e.api.price.data in labels
    assert token_data().label == e.api.price.data
    assert token_data().origin == server.shown_url  # no credentials kept, even here
    assert estimate(SONNET).api.unit_usd == REFRESHED_SONNET
    # The credentials in the URL are used for the request (basic auth), and appear in no warning.
    assert server.authorizations == ["Basic " + base64.b64encode(f"user:{SECRET}".encode()).decode()]
    assert warnings(logs) == []
    refreshed = [r.getMessage() for r in logs.records if r.name == "bot.price_updates"]
    assert refreshed == [f"token prices refreshed from {server.shown_url}: 2 providers"]

    # Stopping keeps what was fetched (genai-prices' rule); only dropping the custom snapshot goes back.
    stop_price_updates()
    _join_updater()
    assert estimate(GPT_4O).api.unit_usd == REFRESHED_GPT_4O
    data_snapshot.set_custom_snapshot(None)
    assert estimate(GPT_4O).api.unit_usd == bundled_gpt_4o
    assert estimate(GPT_4O).api.price.data == bundled_label == token_data().label


def test_a_second_refresh_with_new_prices_is_seen_by_the_next_estimate(server: PriceServer) -> None:
    """Lookups are cached per snapshot (costing.token_index, costing.choice): a new snapshot must miss them."""
    second, parked = threading.Event(), threading.Event()
    server.script = [Answer(), Answer(body=_with_gpt_4o("5", "20"), hold=second), Answer(hold=parked)]
    start_price_updates(server.url(), interval=SHORT)
    assert wait_for_prices(timeout=10) is True
    assert estimate(GPT_4O).api.unit_usd == REFRESHED_GPT_4O
    assert find_token_price("gpt-4o").input_mtok == Decimal("3.25")  # type: ignore[union-attr]

    second.set()
    server.wait_for_requests(3)  # the third request means the second file is in use
    assert estimate(GPT_4O).api.unit_usd == Decimal("0.025")  # 1000 × $5/1M + 1000 × $20/1M
    assert find_token_price("gpt-4o").input_mtok == Decimal("5")  # type: ignore[union-attr]
    assert wait_for_prices(timeout=10) is True


def test_a_second_refresh_is_seen_by_the_bots_cached_estimates(server: PriceServer) -> None:
    from bot.replies import estimate_text

    if datetime.now(UTC).second >= 57:  # both estimates must fall in one minute for the cache to be reached
        threading.Event().wait(60.5 - datetime.now(UTC).second)
    second, parked = threading.Event(), threading.Event()
    server.script = [Answer(), Answer(body=_with_gpt_4o("5", "20"), hold=second), Answer(hold=parked)]
    start_price_updates(server.url(), interval=SHORT)
    assert wait_for_prices(timeout=10) is True
    minute = datetime.now(UTC).minute
    assert estimate_text(GPT_4O).api.unit_usd == REFRESHED_GPT_4O

    second.set()
    server.wait_for_requests(3)
    assert estimate(GPT_4O).api.unit_usd == Decimal("0.025")  # the pure core sees it
    if datetime.now(UTC).minute != minute:
        pytest.skip("the minute turned between the two estimates; the cache wasn't reached")
    assert estimate_text(GPT_4O).api.unit_usd == Decimal("0.025")


# --- failures: the last good prices stay, and one line says why ------------------------------------------


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (Answer(status=500, body=b"oops"), "answered HTTP 500"),
        (Answer(status=404, body=b"not here"), "answered HTTP 404"),
        (Answer(body=b"<html>rate limited</html>"), "is not a genai-prices data file (JSONDecodeError)"),
        (Answer(body=b'{"providers": []}'), "is not a genai-prices data file (ValueError)"),
        (Answer(body=b'[{"id": "openai"}]'), "is not a genai-prices data file (ValidationError)"),
        (Answer(body=b'[{"id": "openai", "name": "OpenAI", "api_pattern": "x", "models": [{"id": "gpt-4o", '
                     b'"match": {"equals": "gpt-4o"}, "prices": {"input_mtok": "cheap"}}]}]'),
         "is not a genai-prices data file (ValidationError)"),
        (Answer(body=b"[]"), "prices none of the default models for chat (gpt-6-luna, gpt-5.4-mini, "
                             "claude-haiku-4-5); agent (claude-sonnet-5-5, claude-sonnet-4-6); embed ("
                             "text-embedding-3-small, gemini-embedding-001)"),
        (Answer(body=_without("claude-sonnet-5-5")),
         "prices none of the default models for agent (claude-sonnet-5-5, claude-sonnet-4-6)"),
        (Answer(body=_without("gpt-6-luna")),
         "prices none of the default models for chat (gpt-6-luna, gpt-5.4-mini, claude-haiku-4-5)"),
        (Answer(body=b"[", pad=MAX_BYTES), f"sent more than {MAX_BYTES:,} bytes"),
    ],
    ids=["500", "404", "not-json", "not-a-list", "not-providers", "bad-price", "empty", "no-agent-default",
         "no-chat-default", "too-large"],
)  # fmt: skip
def test_a_bad_fetch_keeps_the_bundled_prices_and_logs_one_line(
    server: PriceServer, bundled_gpt_4o: Decimal, logs: pytest.LogCaptureFixture, answer: Answer, why: str
) -> None:
    server.script = [answer]
    assert _run_once(server.url(secrets=True)) is False

    e = estimate(GPT_4O)
    assert e.api.unit_usd == bundled_gpt_4o
    assert token_data().origin is None and e.api.price.data == token_data().label
    [line] = warnings(logs)
    assert line.name == "genai-prices" and line.levelno == logging.ERROR
    assert line.getMessage() == (
        "Error updating genai-prices in the background (PriceUpdateError): "
        f"{server.shown_url} {why}; keeping the last prices"
    )
    assert SECRET not in line.getMessage() and "user" not in line.getMessage()
    assert line.exc_info is None and "Traceback" not in line.getMessage()
    assert not [r for r in logs.records if r.name == "bot.price_updates"]  # the updater's line is the one


def test_a_body_of_exactly_the_limit_is_read(server: PriceServer) -> None:
    server.script = [Answer(body=MINIMAL, pad=MAX_BYTES - len(MINIMAL))]
    assert _run_once(server.url()) is True
    assert estimate(GPT_4O).api.unit_usd == REFRESHED_GPT_4O


def test_an_unreachable_server_keeps_the_bundled_prices_and_logs_one_line(
    bundled_gpt_4o: Decimal, logs: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as bound:  # bound, never listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        assert _run_once(f"http://user:{SECRET}@127.0.0.1:{port}/data.json?key={SECRET}") is False
    assert estimate(GPT_4O).api.unit_usd == bundled_gpt_4o
    [line] = warnings(logs)
    assert line.name == "genai-prices"
    assert line.getMessage() == (
        "Error updating genai-prices in the background (PriceUpdateError): "
        f"can't fetch http://127.0.0.1:{port}/data.json (ConnectError); keeping the last prices"
    )
    assert line.exc_info is None


def test_a_good_fetch_then_a_broken_one_keeps_the_fetched_prices(
    server: PriceServer, bundled_gpt_4o: Decimal, logs: pytest.LogCaptureFixture
) -> None:
    parked = threading.Event()
    server.script = [Answer(), Answer(body=b"<html>gone</html>"), Answer(body=b"<html>gone</html>", hold=parked)]
    start_price_updates(server.url(secrets=True), interval=SHORT)
    assert wait_for_prices(timeout=10) is True
    label = token_data().label
    assert estimate(GPT_4O).api.unit_usd == REFRESHED_GPT_4O

    server.wait_for_requests(3)  # the second fetch was refused; the third waits
    assert wait_for_prices(timeout=10) is False  # the latest fetch failed
    e = estimate(GPT_4O)
    assert e.api.unit_usd == REFRESHED_GPT_4O != bundled_gpt_4o
    assert e.api.price.data == label == token_data().label
    [line] = warnings(logs)
    assert line.getMessage() == (
        "Error updating genai-prices in the background (PriceUpdateError): "
        f"{server.shown_url} is not a genai-prices data file (JSONDecodeError); keeping the last prices"
    )
    assert SECRET not in line.getMessage()


def test_a_file_listing_the_defaults_without_prices_is_refused(server: PriceServer, bundled_gpt_4o: Decimal) -> None:
    raw = json.loads(MINIMAL)
    (luna,) = [m for m in raw[0]["models"] if m["id"] == "gpt-6-luna"]
    luna["prices"] = {}
    server.script = [Answer(body=json.dumps(raw).encode())]
    assert _run_once(server.url()) is False
    assert estimate(GPT_4O).api.unit_usd == bundled_gpt_4o


def test_a_refresh_never_breaks_an_estimate_without_a_model(server: PriceServer) -> None:
    from bot.router import answer

    _run_once(server.url())  # refused (the defaults are missing) or accepted: either way answers must come
    reply = answer("chat 1000 in 1000 out")  # documented: never raises for anything an operator can cause
    assert reply.estimate is not None


def test_waiting_after_a_restart_waits_for_the_new_sources_fetch(server: PriceServer) -> None:
    busy = threading.Event()
    server.script = [Answer(), Answer(hold=busy)]
    start_price_updates(server.url(), interval=SHORT)
    assert wait_for_prices(timeout=10) is True
    server.wait_for_requests(2)  # the updater thread is busy in its second fetch

    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        start_price_updates(f"http://127.0.0.1:{bound.getsockname()[1]}/data.json", interval=LONG)
        # Nothing has been fetched from the new source (and nothing could be): no fetch may be reported.
        assert wait_for_prices(timeout=0.3) is False


def test_no_log_line_at_info_carries_the_urls_credentials(
    server: PriceServer, logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = server.url(secrets=True)
    monkeypatch.setenv(PRICE_UPDATES_ENV, url)
    settings = load_settings(mode="database", env_file=None)
    assert _run_once(settings.costbot_price_updates) is True
    # Formatted as `costbot serve` formats its log (COSTBOT_LOG_LEVEL defaults to INFO).
    formatter = RedactingFormatter("%(levelname)s %(name)s: %(message)s", secrets=settings.secret_values())
    lines = [formatter.format(record) for record in logs.records]
    assert lines and not [line for line in lines if SECRET in line]


# --- settings and the CLI -------------------------------------------------------------------------------


def test_the_setting_is_off_by_default_and_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(mode="database", env_file=None).costbot_price_updates == "off"
    monkeypatch.setenv(PRICE_UPDATES_ENV, "  On ")
    assert load_settings(mode="database", env_file=None).costbot_price_updates == "on"
    monkeypatch.setenv(PRICE_UPDATES_ENV, " https://prices.example/data.json ")
    assert load_settings(mode="database", env_file=None).costbot_price_updates == "https://prices.example/data.json"


@pytest.mark.parametrize("value", ["sometimes", "ftp://prices.example/data.json", "http://", f"{SECRET} on"])
def test_a_malformed_setting_is_one_problem_naming_the_variable_never_the_value(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(PRICE_UPDATES_ENV, value)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(ConfigError) as caught:
        load_settings(mode="client", env_file=None)
    assert caught.value.problems == [
        f"{PRICE_UPDATES_ENV}: expected off, on, or the http(s) URL of a genai-prices data file (data.json)"
    ]
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("command", "env"),
    [(["serve"], {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}),
     (["serve", "--socket"], {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}),
     (["scheduler"], {"SLACK_BOT_TOKEN": "xoxb-1"}),
     (["digest", "run"], {"SLACK_BOT_TOKEN": "xoxb-1"})],
)  # fmt: skip
def test_commands_that_load_settings_refuse_a_malformed_setting_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    env: dict[str, str],
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no .env from wherever the tests run
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(PRICE_UPDATES_ENV, f"ftp://user:{SECRET}@prices.example/data.json")
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"costbot: {PRICE_UPDATES_ENV}: expected off, on, or the http(s) URL of a genai-prices data file (data.json)"
    ]
    assert out == "" and SECRET not in err and "Traceback" not in err
    assert not any(t.name == THREAD for t in threading.enumerate())


def test_the_scheduler_process_refreshes_prices_and_says_so_without_credentials(
    server: PriceServer, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COSTBOT_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake_slack.api_url,
               DATABASE_URL=f"sqlite:///{tmp_path / 'costbot.db'}", COSTBOT_LOG_LEVEL="INFO",
               **{PRICE_UPDATES_ENV: server.url(secrets=True)})  # fmt: skip
    log = tmp_path / "costbot.log"
    with log.open("w") as handle:
        process = subprocess.Popen([*COSTBOT, "scheduler"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                   stderr=handle, text=True)  # fmt: skip
    try:
        server.wait_for_requests(1, timeout=30)
        refreshed = f"token prices refreshed from {server.shown_url}: 2 providers"
        ready = "posting weekly digests"  # said once SIGTERM is handled: the process may be stopped
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            text = log.read_text()
            if refreshed in text and ready in text:
                break
            time.sleep(0.02)  # polling the child's log for lines, not timing anything
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    text = log.read_text()
    assert process.returncode == 0, text
    assert f"costbot: refreshing token prices from {server.shown_url} every 60 min ({PRICE_UPDATES_ENV})" in text
    assert refreshed in text and "scheduler stopped" in text
    # The real process's log: no line carries the URL's credentials (httpx2's request lines are not logged).
    assert SECRET not in text and " httpx2: " not in text
    assert server.authorizations[0] == "Basic " + base64.b64encode(f"user:{SECRET}".encode()).decode()


# --- the data file and isolation ------------------------------------------------------------------------


def test_the_minimal_data_file_is_genai_prices_data_pricing_both_witnesses() -> None:
    raw: Any = json.loads(MINIMAL)
    assert isinstance(raw, list) and [p["id"] for p in raw] == ["openai", "anthropic"]
    snapshot = data_snapshot.DataSnapshot(_providers_from_raw(raw), from_auto_update=True)
    provider, model = snapshot.find_provider_model("gpt-4o", None, None, None)
    assert (provider.id, model.prices.input_mtok, model.prices.output_mtok) == (  # type: ignore[union-attr]
        "openai", Decimal("3.25"), Decimal("13"))  # fmt: skip
    provider, model = snapshot.find_provider_model("claude-sonnet-4-5", None, None, None)
    assert provider.id == "anthropic"


def test_no_refreshed_prices_outlive_a_test() -> None:
    """Runs after the refreshing tests (file order): the bundled data again, and no updater thread."""
    assert token_data().origin is None and token_data().label.startswith("genai-prices ")
    assert (
        estimate(GPT_4O).api.price.kind.startswith("genai-prices ")
        and "refreshed" not in estimate(GPT_4O).api.price.kind
    )
    assert not any(t.name == THREAD for t in threading.enumerate())
