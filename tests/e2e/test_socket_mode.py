"""`costbot serve --socket`: the same answers over Socket Mode, through the fake Slack's WebSocket."""

from __future__ import annotations

import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.checkout import COSTBOT
from tests.e2e.conftest import RunningBot, bot_environment, stop_bot
from tests.fakeslack import APP_TOKEN, FakeSlack, command_body


@pytest.fixture
def socket_bot(tmp_path: Path) -> Iterator[tuple[FakeSlack, RunningBot]]:
    fake = FakeSlack().start()
    fake.start_socket_mode()
    log = tmp_path / "costbot.log"
    env = bot_environment(fake, SLACK_APP_TOKEN=APP_TOKEN)
    del env["SLACK_SIGNING_SECRET"]  # not needed in Socket Mode
    with log.open("w") as handle:
        process = subprocess.Popen([*COSTBOT, "serve", "--socket"], cwd=tmp_path, env=env, stdout=handle,
                                   stderr=subprocess.STDOUT, text=True)  # fmt: skip
    bot = RunningBot("", process, log)
    yield fake, bot
    stop_bot(bot)
    fake.stop()


def test_cost_over_socket_mode_acknowledges_with_the_estimate(socket_bot: tuple[FakeSlack, RunningBot]) -> None:
    fake, bot = socket_bot
    body = command_body("video 10s x 1M users", response_url=fake.response_url())
    payload = dict(urllib.parse.parse_qsl(body.decode()))
    ack = fake.send_envelope("slash_commands", payload, envelope_id="env-1")

    assert ack.body["response_type"] == "ephemeral"
    assert "$1,000,000" in ack.body["text"]
    assert fake.api_calls("apps.connections.open")  # connected with the app token, through SLACK_API_URL
    assert bot.process.poll() is None
