"""`costbot serve` as a user runs it (this checkout's code), in a subprocess, against the fake Slack."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.checkout import COSTBOT
from tests.fakeslack import BOT_TOKEN, SIGNING_SECRET, FakeSlack


@dataclass
class RunningBot:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text()


def bot_environment(fake: FakeSlack, *, unset: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """The environment of a costbot process pointed at the fake Slack (with its token), plus `extra`, less
    the settings in `unset`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COSTBOT_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url, **extra)
    for name in unset:
        env.pop(name, None)
    return env


def start_bot(fake: FakeSlack, workdir: Path, *args: str, unset: tuple[str, ...] = (), **env: str) -> RunningBot:
    """Start `costbot serve` on a free port and wait until it says where it listens."""
    args = ("serve", "--host", "127.0.0.1", "--port", "0", *args)
    bot, match = start_costbot(fake, workdir, args, r"serving Slack at (http://[\d.]+:\d+)", unset=unset, **env)
    return RunningBot(match.group(1), bot.process, bot.log)


def start_costbot(
    fake: FakeSlack, workdir: Path, args: tuple[str, ...], ready: str, *, unset: tuple[str, ...] = (), **env: str
) -> tuple[RunningBot, re.Match[str]]:
    """Start `costbot ARGS…` (this checkout's) in `workdir`, logging to its costbot.log, and wait until the log
    matches the pattern `ready`; the process (with an empty url) and the match."""
    log = workdir / "costbot.log"
    handle = log.open("w")
    process = subprocess.Popen(
        [*COSTBOT, *args],
        cwd=workdir, env=bot_environment(fake, unset=unset, **env), stdout=handle, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    with log.open() as reader:
        seen = ""
        while process.poll() is None and time.monotonic() < deadline:
            line = reader.readline()
            if not line:
                time.sleep(0.02)  # polling the log for readiness, not timing anything
                continue
            seen += line
            match = re.search(ready, seen)
            if match:
                return RunningBot("", process, log), match
    process.kill()
    raise AssertionError(f"costbot {' '.join(args)} exited with {process.returncode}:\n{log.read_text()}")


def stop_bot(bot: RunningBot) -> None:
    bot.process.terminate()
    bot.process.wait(timeout=10)


@pytest.fixture(scope="session")
def running_bot(fake_slack_server: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """One `costbot serve` for the session, logging at DEBUG so that tests can check the log for secrets."""
    bot = start_bot(fake_slack_server, tmp_path_factory.mktemp("bot"), COSTBOT_LOG_LEVEL="DEBUG")
    yield bot
    stop_bot(bot)


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()
