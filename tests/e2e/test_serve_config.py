"""`costbot serve` refuses to start on bad settings: one line per problem, exit 2, no traceback, no secret."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from tests.checkout import COSTBOT
from tests.e2e.conftest import bot_environment
from tests.fakeslack import BOT_TOKEN, FakeSlack


def serve(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COSTBOT, "serve", "--host", "127.0.0.1", "--port", "0", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def test_missing_settings_are_one_line_each_and_exit_2(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = {k: v for k, v in bot_environment(fake_slack).items() if k not in {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}}
    result = serve(tmp_path, env)

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(" ")[1] for line in lines] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    assert "Traceback" not in result.stderr


def test_socket_mode_without_an_app_token_says_so(tmp_path: Path, fake_slack: FakeSlack) -> None:
    result = serve(tmp_path, bot_environment(fake_slack), "--socket")
    assert result.returncode == 2
    assert result.stderr.startswith("costbot: SLACK_APP_TOKEN is not set")


def test_a_token_slack_refuses_stops_start_up_without_echoing_it(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.auth_error = "invalid_auth"
    result = serve(tmp_path, bot_environment(fake_slack))

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "costbot: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth); copy it again from OAuth & Permissions."
    )
    assert BOT_TOKEN not in result.stderr + result.stdout


def test_an_unreachable_api_url_is_named(tmp_path: Path, fake_slack: FakeSlack) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    env = {**bot_environment(fake_slack), "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}
    result = serve(tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"costbot: SLACK_API_URL: can't reach http://127.0.0.1:{port}/api/")


def test_a_port_in_use_is_a_clear_error(tmp_path: Path, fake_slack: FakeSlack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*COSTBOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path, env=bot_environment(fake_slack), capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"can't listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_schedulers_metrics_port_in_use_is_a_clear_error(tmp_path: Path, fake_slack: FakeSlack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*COSTBOT, "scheduler", "--metrics-host", "127.0.0.1", "--metrics-port", str(port)],
            cwd=tmp_path, env=bot_environment(fake_slack), capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == f"costbot: --metrics-port: can't listen on 127.0.0.1:{port} (in use?)"
    assert "posting weekly digests" not in result.stdout  # it stopped before starting the scheduler


def test_a_broken_price_book_stops_start_up(tmp_path: Path, fake_slack: FakeSlack) -> None:
    book = tmp_path / "prices.yaml"
    book.write_text("models: [oops\n")
    result = serve(tmp_path, {**bot_environment(fake_slack), "COSTBOT_PRICES": str(book)})
    assert result.returncode == 2
    assert result.stderr.startswith("costbot: COSTBOT_PRICES:")
