"""PostgreSQL stopped in the middle of a burst, then started again, under a running `costbot serve`: nothing is
lost (every command is saved or told the database is down, every event is acknowledged only once written down,
so Slack's redelivery gets it done), and the bot recovers without a restart.

The test starts a PostgreSQL cluster of its own (initdb, on a free port), so that stopping it stops no one else.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage import Database, latest_replies, list_scenarios
from tests.e2e.conftest import start_bot, stop_bot
from tests.e2e.test_scenarios import new_channel, save
from tests.fakeslack import FORM, JSON, TEAM, FakeSlack, command_body, event_body, message_event, post, sign
from tests.timing import until

DOWN = "The database is unavailable right now"


@dataclass
class Cluster:
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        _as_postgres(["pg_ctl", "-D", str(self.data), "-w", "-t", "30", *args])

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self.ctl("-o", options, "-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")


def _as_postgres(command: list[str]) -> None:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not shutil.which("initdb") or not shutil.which("pg_ctl"):
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    data = Path(tempfile.mkdtemp(prefix="costbot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    own = Cluster(data / "cluster", port)
    _as_postgres(["initdb", "-D", str(own.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
    own.start()
    try:
        yield own
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", "pg_ctl", "-D", str(own.data), "-m", "immediate", "stop"]
                       if os.geteuid() == 0 else ["pg_ctl", "-D", str(own.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(data, ignore_errors=True)


def test_postgres_stopped_mid_burst_loses_nothing_and_the_bot_recovers_by_itself(
    cluster: Cluster, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    channel = new_channel()
    bot = start_bot(fake_slack, tmp_path, DATABASE_URL=cluster.url)
    try:
        thread = save(bot, fake_slack, "base", "video 10s x 1M users", channel=channel)
        fake_slack.latency = 0.05

        def command(n: int) -> tuple[int, str]:
            body = command_body(f"save plan-{n} chat 1500 in 500 out x 1k users",
                                response_url=fake_slack.response_url(f"c{n}"), channel=channel)  # fmt: skip
            status, raw = post(f"{bot.url}/slack/events", body, {**FORM, **sign(body)})
            return status, raw.decode()

        def reply(n: int, retry: int | None = None) -> int:
            event = message_event(f"what if {n + 2}M users", ts=f"1800000000.{n:06d}", thread_ts=thread,
                                  channel=channel)  # fmt: skip
            body = event_body(event, event_id=f"EvOUT{n}")
            if retry is None:
                return post(f"{bot.url}/slack/events", body, {**JSON, **sign(body)})[0]
            # Slack's redelivery: the same event, signed anew, saying which retry it is.
            headers = {**JSON, **sign(body, timestamp=int(time.time()) + retry),
                       "X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}  # fmt: skip
            return post(f"{bot.url}/slack/events", body, headers)[0]

        with ThreadPoolExecutor(4) as pool:
            before = list(pool.map(command, range(0, 10)))
            cluster.stop()
            during = list(pool.map(command, range(10, 20)))
            events_during = list(pool.map(reply, range(5)))
            cluster.start()
            until(lambda: DOWN not in command(99)[1], timeout=30, what="a command written down again")
            after = list(pool.map(command, range(20, 30)))
            events_after = list(pool.map(lambda n: reply(n, retry=1), range(5)))  # Slack delivering them again
    finally:
        fake_slack.latency = 0.0

    try:
        commands = [*before, *during, *after]
        assert all(status == 200 for status, _ in commands)
        assert all(DOWN in answer for _, answer in during)  # told at once, in the acknowledgement
        assert set(events_during) == {503} and set(events_after) == {200}
        acknowledged = [n for n, (_, answer) in zip([*range(30)], commands, strict=True) if DOWN not in answer]
        assert set(range(20, 30)) <= set(acknowledged)  # after the restart of PostgreSQL, not of costbot's

        def saved() -> set[int]:  # the last answer each command got (one caught by the outage hears twice)
            answers = {c.name: json.dumps(c.body) for c in fake_slack.responses()}
            return {n for n in acknowledged if f"Saved *plan-{n}*" in answers.get(f"c{n}", "")}

        until(lambda: saved() == set(acknowledged), timeout=60, what="every acknowledged command saved and told")

        db = Database(cluster.url)

        def kept() -> int:
            with db.session(write=False) as session:
                scenarios = list_scenarios(session=session, team_id=TEAM, channel_id=channel)
                (base,) = [s for s in scenarios if s.name == "base"]
                return len(latest_replies(session=session, team_id=TEAM, scenario_id=base.id, limit=50))

        until(lambda: kept() == 5, timeout=30, what="the replies redelivered after the outage kept")
        with db.session(write=False) as session:
            names = {s.name for s in list_scenarios(session=session, team_id=TEAM, channel_id=channel)}
            cards = {s.name: s.card_ts for s in list_scenarios(session=session, team_id=TEAM, channel_id=channel)}
        assert names == {"base", "plan-99", *(f"plan-{n}" for n in acknowledged)}  # nothing half-written
        assert all(cards.values())
        db.engine.dispose()
    finally:
        stop_bot(bot)
