"""Weekly digests end to end: `/cost digest …` through `costbot serve`, `costbot digest run` from cron (twice at
once, on SQLite and PostgreSQL), and the catch-up of `costbot serve` / `costbot scheduler` after downtime."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text as sql

from bot.digests import METADATA_EVENT
from bot.leader import LOCK_KEY, workspace_key
from storage import Database, DigestSubscriptionCreate, last_run, subscribe, upgrade
from tests.checkout import COSTBOT
from tests.databases import fresh_postgres_url
from tests.e2e.conftest import RunningBot, bot_environment, start_bot, stop_bot
from tests.e2e.test_scenarios import new_channel, save, slash, text_of
from tests.fakeslack import TEAM, FakeSlack
from tests.storage.factories import save as save_in_db

MONDAY_MORNING = "2026-11-23T09:05:00+01:00"  # five minutes after a Monday 09:00 Europe/Berlin digest (week 48)
LONG_AGO = datetime(2026, 1, 5, tzinfo=UTC)


def costbot(workdir: Path, fake: FakeSlack, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*COSTBOT, *args], cwd=workdir, env=bot_environment(fake, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def digests_in(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    """The digests that reached the channel (top-level messages carrying costbot's digest metadata)."""
    return [m for m in fake.posted(channel)
            if not m["thread_ts"] and (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]  # fmt: skip


@contextmanager
def database(url: str) -> Iterator[Database]:
    db = Database(url)
    upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


def subscribe_long_ago(db: Database, channel: str, *, weekday: int = 0, at: str = "09:00",
                       zone: str = "Europe/Berlin", team_id: str = TEAM) -> None:  # fmt: skip
    """A channel subscribed long ago (so any week's digest since is due), with two scenarios."""
    save_in_db(db, "Video launch", channel_id=channel, team_id=team_id)
    save_in_db(db, "Support bot", channel_id=channel, team_id=team_id, text="chat 1500 in 500 out x 200k per day")
    with db.session() as session:
        subscribe(
            session=session,
            subscription=DigestSubscriptionCreate(
                team_id=team_id, channel_id=channel, created_by="U0ALICE", weekday=weekday, at_time=at, timezone=zone
            ),
        )
        session.execute(sql("UPDATE digest_subscription SET updated_at = :when WHERE channel_id = :channel"),
                        {"when": LONG_AGO, "channel": channel})  # fmt: skip


# --- in Slack ------------------------------------------------------------------------------------------------


def test_digest_on_status_now_and_off_through_slash_commands(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    save(running_bot, fake_slack, "launch", "video 10s x 1M users per day value $0.05 each", channel=channel)

    on = text_of(slash(running_bot, fake_slack, "digest on", channel=channel))
    assert "Mondays at 09:00 (Europe/Berlin)" in on and "your Slack time zone" in on

    status = text_of(slash(running_bot, fake_slack, "digest status", channel=channel))
    assert "The next one: *<!date^" in status and "|Mon " in status and "No digest has been posted here yet" in status

    now = text_of(slash(running_bot, fake_slack, "digest now", channel=channel))
    assert "Posted this channel's digest" in now and "https://fake.slack.com/archives/" in now
    (digest,) = digests_in(fake_slack, channel)
    assert "launch" in text_of(digest["blocks"])
    completed = fake_slack.wait_for_api("files.completeUploadExternal")
    assert any(c.body.get("channel_id") == channel and c.body.get("thread_ts") == digest["ts"] for c in completed)

    status = text_of(slash(running_bot, fake_slack, "digest status", channel=channel))
    assert "The last one: <https://fake.slack.com/archives/" in status

    off = text_of(slash(running_bot, fake_slack, "digest off", channel=channel))
    assert "Stopped" in off and "Mondays at 09:00" in off


def _is_digest(body: dict[str, Any]) -> bool:
    metadata = body.get("metadata")
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata or {}
    return metadata.get("event_type") == METADATA_EVENT


def test_digest_now_from_ten_users_at_once_keeps_one_post_a_second(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    """Bolt copies what it hands a lazy listener: the pace must still be the process's one, not a fresh copy."""
    channel = new_channel()
    save(running_bot, fake_slack, "launch", "video 10s x 1M users", channel=channel)

    def digest_now(user: str) -> str:
        # Ten digests a second apart: the last answer comes after ten seconds.
        return text_of(slash(running_bot, fake_slack, "digest now", channel=channel, user=user, timeout=60))

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(digest_now, [f"U0ASKER{i}" for i in range(10)]))

    assert all("Posted this channel's digest" in answer for answer in answers), answers
    calls = fake_slack.api_calls("chat.postMessage")
    posts = sorted(c.at for c in calls if c.body.get("channel") == channel and _is_digest(c.body))
    assert len(posts) == 10
    gaps = [later - earlier for earlier, later in itertools.pairwise(posts)]
    assert min(gaps) >= 0.95, gaps  # ChannelPace: one post a second to a channel (a lower bound never flakes)
    assert "deep-copy" not in running_bot.log_text()  # Bolt's warning when a listener would get None instead


def test_a_digest_typo_is_explained_with_an_example(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    answer = text_of(slash(running_bot, fake_slack, "digest on mon 9am Europe/Berln", channel=new_channel()))
    assert "Europe/Berlin" in answer and "/cost digest on" in answer


# --- costbot digest run ---------------------------------------------------------------------------------------


def test_digest_run_posts_a_due_digest_and_a_second_run_posts_nothing(tmp_path: Path, fake_slack: FakeSlack) -> None:
    url = f"sqlite:///{tmp_path / 'costbot.db'}"
    channel = new_channel()
    with database(url) as db:
        subscribe_long_ago(db, channel)
    code, out, err = finished(costbot(tmp_path, fake_slack, "digest", "run", "--now", MONDAY_MORNING,
                                      DATABASE_URL=url))  # fmt: skip
    assert code == 0, err
    assert f"{channel} 2026-W48: posted" in out
    code, out, _ = finished(costbot(tmp_path, fake_slack, "digest", "run", "--now", MONDAY_MORNING, DATABASE_URL=url))
    assert code == 0 and "posted" not in out
    assert len(digests_in(fake_slack, channel)) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_digest_runs_at_once_post_one_digest(backend: str, tmp_path: Path, fake_slack: FakeSlack) -> None:
    with fresh_postgres_url() if backend == "postgresql" else _sqlite(tmp_path) as url:
        channels = [new_channel(), new_channel()]
        with database(url) as db:
            for channel in channels:
                subscribe_long_ago(db, channel)
        runs = [costbot(tmp_path, fake_slack, "digest", "run", "--now", MONDAY_MORNING, DATABASE_URL=url)
                for _ in range(2)]  # fmt: skip
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(finished, runs))
        assert [code for code, _, _ in results] == [0, 0], results
        assert [len(digests_in(fake_slack, c)) for c in channels] == [1, 1]
        with database(url) as db, db.session(write=False) as session:
            assert all(last_run(session=session, team_id=TEAM, channel_id=c).status == "posted"  # type: ignore[union-attr]
                       for c in channels)  # fmt: skip


@contextmanager
def _sqlite(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'costbot.db'}"


def test_digest_run_with_nothing_due_says_when_the_next_one_is(tmp_path: Path, fake_slack: FakeSlack) -> None:
    url = f"sqlite:///{tmp_path / 'costbot.db'}"
    channel = new_channel()
    with database(url) as db:
        subscribe_long_ago(db, channel)
    code, out, _ = finished(costbot(tmp_path, fake_slack, "digest", "run", "--now", "2026-11-18T12:00Z",
                                    DATABASE_URL=url))  # fmt: skip
    assert code == 0 and out.startswith("nothing due at 2026-11-18 12:00 UTC; next:")
    assert f"{channel} at Mon 23 Nov 09:00 CET" in out


def test_digest_run_refuses_a_time_in_the_future(tmp_path: Path, fake_slack: FakeSlack) -> None:
    code, _, err = finished(costbot(tmp_path, fake_slack, "digest", "run", "--now", "2999-01-04T09:05Z"))
    assert code == 2 and "is in the future" in err and "Traceback" not in err


def test_digest_run_quiet_prints_only_failures(tmp_path: Path, fake_slack: FakeSlack) -> None:
    url = f"sqlite:///{tmp_path / 'costbot.db'}"
    broken, fine = new_channel(), new_channel()
    with database(url) as db:
        subscribe_long_ago(db, broken)
        subscribe_long_ago(db, fine)
    fake_slack.broken_channels[broken] = "is_archived"
    code, out, _ = finished(costbot(tmp_path, fake_slack, "digest", "run", "--quiet", "--now", MONDAY_MORNING,
                                    DATABASE_URL=url))  # fmt: skip
    assert (code, out.splitlines()) == (1, [f"{broken} 2026-W48: failed: the channel is archived (is_archived)"])


def test_digest_run_refuses_a_time_it_cannot_read(tmp_path: Path, fake_slack: FakeSlack) -> None:
    code, _, err = finished(costbot(tmp_path, fake_slack, "digest", "run", "--now", "next monday"))
    assert code == 2 and "'next monday' is not an ISO 8601 time" in err and "Traceback" not in err


def test_digest_run_without_a_token_says_which_setting_is_missing(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = {k: v for k, v in bot_environment(fake_slack).items() if k != "SLACK_BOT_TOKEN"}
    result = subprocess.run([*COSTBOT, "digest", "run"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 2 and result.stderr.startswith("costbot: SLACK_BOT_TOKEN is not set")
    assert "Traceback" not in result.stderr


def test_digest_run_fails_with_status_1_when_a_channel_refuses_the_digest(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    url = f"sqlite:///{tmp_path / 'costbot.db'}"
    broken, fine = new_channel(), new_channel()
    with database(url) as db:
        subscribe_long_ago(db, broken)
        subscribe_long_ago(db, fine)
    fake_slack.broken_channels[broken] = "is_archived"
    code, out, _ = finished(costbot(tmp_path, fake_slack, "digest", "run", "--now", MONDAY_MORNING, DATABASE_URL=url))
    assert code == 1
    assert f"{broken} 2026-W48: failed: the channel is archived (is_archived)" in out
    assert len(digests_in(fake_slack, fine)) == 1


# --- the scheduler after downtime ----------------------------------------------------------------------------


def _an_hour_ago() -> tuple[int, str]:
    """Today's weekday and the time an hour ago, in Europe/Berlin: a digest time that passed while 'down'."""
    local = datetime.now(ZoneInfo("Europe/Berlin")) - timedelta(hours=1)
    return local.weekday(), f"{local:%H:%M}"


def test_serve_posts_a_digest_missed_while_it_was_down_once_across_restarts(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    url = f"sqlite:///{tmp_path / 'costbot.db'}"
    channel = new_channel()
    weekday, at = _an_hour_ago()
    with database(url) as db:
        subscribe_long_ago(db, channel, weekday=weekday, at=at)
    for _ in range(2):  # started, stopped, started again
        bot = start_bot(fake_slack, tmp_path, DATABASE_URL=url, COSTBOT_LOG_LEVEL="INFO")
        try:
            fake_slack.wait_for(lambda calls: bool(digests_in(fake_slack, channel)), timeout=20)
            _wait_for_log(bot, "digest catch-up done")
        finally:
            stop_bot(bot)
    assert len(digests_in(fake_slack, channel)) == 1


def test_the_scheduler_process_catches_up_and_stops_on_sigterm(tmp_path: Path, fake_slack: FakeSlack) -> None:
    url = f"sqlite:///{tmp_path / 'costbot.db'}"
    channel = new_channel()
    weekday, at = _an_hour_ago()
    with database(url) as db:
        subscribe_long_ago(db, channel, weekday=weekday, at=at)
    process = costbot(tmp_path, fake_slack, "scheduler", DATABASE_URL=url, COSTBOT_LOG_LEVEL="INFO")
    try:
        fake_slack.wait_for(lambda calls: bool(digests_in(fake_slack, channel)), timeout=20)
    finally:
        process.send_signal(signal.SIGTERM)
        code, _, err = finished(process)
    assert code == 0, err
    assert "posting weekly digests" in err and "scheduler stopped" in err
    assert len(digests_in(fake_slack, channel)) == 1


def _wait_for_log(bot: RunningBot, words: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while words not in bot.log_text():
        assert time.monotonic() < deadline, bot.log_text()
        time.sleep(0.05)  # polling a log file for a line, not timing anything


def test_two_scheduler_processes_on_postgres_one_leads_and_the_other_takes_over_after_kill_9(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """The standby takes the lead at its next minute's pass (up to a minute): one digest throughout."""
    channel = new_channel()
    weekday, at = _an_hour_ago()
    with fresh_postgres_url() as url:
        with database(url) as db:
            subscribe_long_ago(db, channel, weekday=weekday, at=at)
        leader = costbot(tmp_path, fake_slack, "scheduler", DATABASE_URL=url, COSTBOT_LOG_LEVEL="INFO")
        standby = None
        try:
            fake_slack.wait_for(lambda calls: bool(digests_in(fake_slack, channel)), timeout=20)  # the catch-up
            standby = costbot(tmp_path, fake_slack, "scheduler", DATABASE_URL=url, COSTBOT_LOG_LEVEL="INFO")
            time.sleep(3)  # its catch-up: left to the leader
            with database(url) as db:
                (first,) = _lock_holders(db)
                leader.send_signal(signal.SIGKILL)
                leader.wait(timeout=10)
                deadline = time.monotonic() + 75  # the standby's next pass, on the minute, takes the lead
                while _lock_holders(db) in ([], [first]):
                    assert time.monotonic() < deadline, "no scheduler took the lead"
                    time.sleep(0.5)  # polling the database for the lock, not timing anything
        finally:
            for process in (leader, standby):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            _, _, err = finished(standby) if standby is not None else (0, "", "")
    assert "this process leads the digest scheduler" in err
    assert "digest catch-up left to the scheduler that leads" in err
    assert len(digests_in(fake_slack, channel)) == 1


def _lock_holders(db: Database) -> list[int]:
    """The backends holding this workspace's scheduler lock in this database (pg_locks shows the cluster's)."""
    query = sql(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = CAST(:one AS oid)"
        " AND objid = CAST(:two AS oid)"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with db.engine.connect() as connection:
        keys = {"one": LOCK_KEY % 2**32, "two": workspace_key(TEAM) % 2**32}
        return list(connection.execute(query, keys).scalars())
