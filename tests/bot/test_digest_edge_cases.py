"""Weekly digests at their edges, each found in review: causes named right, `digest off` stopping retries, the
next date promised being the one posted, the channel's calendar, one bad row not stopping the others, a schedule
set elsewhere just before its time, SQLite downgrades, re-confirming a schedule.

Real SQLite/PostgreSQL, the fake Slack; only the clock is moved (time-machine). Nothing of costbot is patched.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from alembic import command
from alembic.config import Config
from slack_sdk import WebClient
from sqlalchemy import text as sql

import storage
from bot.digest_commands import run_digest_command
from bot.digests import METADATA_EVENT, DigestPoster
from bot.replies import Reply
from bot.scenarios import Where
from bot.scheduler import DigestScheduler, run_due_digests
from bot.slack_pace import ChannelPace
from storage import (
    Database,
    DigestSubscriptionCreate,
    DigestSubscriptionPublic,
    add_version,
    subscribe,
    week_run,
)
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from tests.fakeslack import BOT_TOKEN, FakeSlack
from tests.storage.factories import (
    AUTHOR,
    CHANNEL,
    OTHER_CHANNEL,
    TEAM,
    count_rows,
    save,
    version_create,
)

ALICE = Where(team_id=TEAM, channel_id=CHANNEL, user_id=AUTHOR)
LONG_AGO = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
#: Monday 23 Nov 2026 (ISO week 48), 09:00 in Berlin (UTC+1).
MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
#: Mondays at 09:00 in Berlin, weeks 47 and 48.
MONDAY_47 = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
MONDAY_48 = MONDAY_0900_BERLIN


# --- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


def _poster(db: Database, client: WebClient) -> DigestPoster:
    return DigestPoster(db=db, client=client, team_id=TEAM, pace=ChannelPace(0), claimed_by="review:1")


def _subscribe(
    db: Database, channel_id: str = CHANNEL, *, at: datetime = LONG_AGO, weekday: int = 0, at_time: str = "09:00",
    timezone: str = "Europe/Berlin",
) -> DigestSubscriptionPublic:  # fmt: skip
    create = DigestSubscriptionCreate(team_id=TEAM, channel_id=channel_id, created_by=AUTHOR, weekday=weekday,
                                      at_time=at_time, timezone=timezone)  # fmt: skip
    with time_machine.travel(at, tick=False), db.session() as session:
        return subscribe(session=session, subscription=create)


def _pass(poster: DigestPoster, at: datetime, *, channel_id: str | None = None) -> list[Any]:
    with time_machine.travel(at, tick=True):
        return run_due_digests(poster, channel_id=channel_id)


def _command(args: str, db: Database, client: WebClient, at: datetime, **extra: Any) -> Reply:
    with time_machine.travel(at, tick=True):
        return run_digest_command(args, where=ALICE, db=db, client=client, pace=ChannelPace(0), **extra)


def _words(message: dict[str, Any]) -> str:
    texts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            texts.append(block["text"]["text"])
        for part in [*block.get("fields", ()), *block.get("elements", ())]:
            texts.append(part.get("text", ""))
    return "\n".join(texts)


def _digests(fake: FakeSlack, channel: str = CHANNEL) -> list[dict[str, Any]]:
    return [m for m in fake.posted(channel)
            if not m["thread_ts"] and (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]  # fmt: skip


# --- a new version in the thread is announced as a price change -------------------------------------------


def test_a_new_version_in_the_thread_is_not_announced_as_a_price_change(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """v1 is 10-second videos, v2 (saved in the thread) 20-second ones on the same model, whose price never
    moved: the cause is the new version, and no price change is named."""
    poster = _poster(db, client)
    scenario = save(db, "Clips", text="video 10s sora-2 x 1k per day")
    subscription = _subscribe(db)
    poster.post_weekly(subscription, week="2026-W47", due_at=MONDAY_47)
    with db.session() as session:
        add_version(session=session, team_id=TEAM, scenario_id=scenario.id,
                    version_create=version_create("video 20s sora-2 x 1k per day"))  # fmt: skip

    poster.post_weekly(subscription, week="2026-W48", due_at=MONDAY_48)

    said = _words(_digests(fake_slack)[1])
    assert "v1 → v2" in said  # the real cause is named…
    assert "Prices:" not in said and "price of Sora 2" not in said, said  # …but so is a price change that never was


# --- `digest off` does not stop a pending retry -----------------------------------------------------------


def test_a_failed_digest_is_not_retried_after_digest_off(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """Monday's post fails; the creator stops the digest; the next pass doesn't post it."""
    poster = _poster(sqlite_db, client)
    save(sqlite_db, "Video launch")
    _subscribe(sqlite_db)
    fake_slack.fail_next("chat.postMessage", status=500)
    first = _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    assert [o.status for o in first] == ["failed"]

    off = _command("off", sqlite_db, client, MONDAY_0900_BERLIN + timedelta(minutes=2))
    assert "Stopped" in _words(off.message)

    _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=10))
    assert _digests(fake_slack) == [], "a digest was posted in a channel whose digest had been turned off"


# --- `digest on` promises a digest that the claimed week will never get -----------------------------------


def test_rescheduling_within_a_week_promises_next_weeks_digest_not_one_never_posted(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """Monday's digest is out; moved to Wednesdays, the answer and status promise 2 Dec (one a week), not a
    Wednesday digest the week's claim would hold back."""
    poster = _poster(sqlite_db, client)
    save(sqlite_db, "Video launch")
    _subscribe(sqlite_db)
    _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    assert len(_digests(fake_slack)) == 1

    answer = _words(_command("on wed 09:00 Europe/Berlin", sqlite_db, client, MONDAY_0900_BERLIN + timedelta(hours=1))
                    .message)  # fmt: skip
    wednesday = datetime(2026, 11, 25, 8, 5, tzinfo=UTC)
    status = _words(_command("status", sqlite_db, client, wednesday - timedelta(hours=1)).message)
    outcomes = _pass(poster, wednesday)

    promised = "Wed 25 Nov 2026" in answer or "Wed 25 Nov 2026" in status
    posted_wednesday = len(_digests(fake_slack)) == 2
    assert posted_wednesday or not promised, (
        f"promised Wed 25 Nov, but the pass said {[(o.status, o.detail) for o in outcomes]}:\n{answer}\n{status}"
    )


# --- `digest now` is dated on the UTC calendar -------------------------------------------------------------


def test_digest_now_is_dated_on_the_channels_calendar(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """00:30 on Tuesday 1 Dec in Berlin (the channel's digest zone) is still 30 Nov in UTC: the heading says 1 Dec."""
    save(sqlite_db, "Video launch")
    _subscribe(sqlite_db)
    _command("now", sqlite_db, client, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))

    (digest,) = _digests(fake_slack)
    header = digest["blocks"][0]["text"]["text"]
    assert "1 Dec 2026" in header, header


# --- status keeps promising a retry that will never come -------------------------------------------------


def test_status_promises_no_retry_for_a_failed_digest_no_longer_retried(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """A day after a failed post retries have stopped: status doesn't promise one."""
    poster = _poster(sqlite_db, client)
    save(sqlite_db, "Video launch")
    _subscribe(sqlite_db)
    fake_slack.fail_next("chat.postMessage", status=500)
    _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))

    day_later = MONDAY_0900_BERLIN + timedelta(days=1, hours=2)
    assert _pass(poster, day_later) == []  # nothing is retried any more
    status = _words(_command("status", sqlite_db, client, day_later).message)
    assert "tried again shortly" not in status and "won't be tried again" in status, status


# --- one bad time zone stops every channel's digest --------------------------------------------------------


def test_one_subscription_with_an_unknown_zone_does_not_stop_other_channels_digests(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """A zone this host's tzdata doesn't know (an older image, a zone removed) skips that channel, logged; the
    others get their digests."""
    poster = _poster(sqlite_db, client)
    save(sqlite_db, "Video launch")
    _subscribe(sqlite_db, CHANNEL)
    _subscribe(sqlite_db, OTHER_CHANNEL)
    with sqlite_db.engine.begin() as connection:  # `digest on` refuses such a zone; the row came from elsewhere
        connection.execute(sql("UPDATE digest_subscription SET timezone = 'Mars/Olympus_Mons' WHERE channel_id = :c"),
                           {"c": OTHER_CHANNEL})  # fmt: skip

    try:
        _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    except Exception as error:  # what escapes is the defect
        pytest.fail(f"one channel's bad zone failed the whole pass: {error!r}")
    assert len(_digests(fake_slack)) == 1


# --- a schedule picked up by the minutely sync after its time passed is skipped ---------------------------


@pytest.fixture
def another_replica(sqlite_db: Database) -> Iterator[Database]:
    other = Database(sqlite_db.url)
    yield other
    other.dispose()


def test_a_digest_set_up_elsewhere_just_before_its_time_is_posted_by_the_next_tick(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack, another_replica: Database
) -> None:
    """`serve --no-scheduler` + `costbot scheduler`: a digest set up through another process at 08:59:40 for 09:00
    has no job here at 09:00; the minute's tick posts it (due, less than a day late)."""
    poster = _poster(sqlite_db, client)
    save(sqlite_db, "Video launch")
    scheduler = DigestScheduler(poster, interval_seconds=3600)
    with time_machine.travel(MONDAY_0900_BERLIN - timedelta(seconds=60), tick=True) as traveller:
        scheduler.start(catch_up=False)
        try:
            traveller.move_to(MONDAY_0900_BERLIN - timedelta(seconds=20))
            _subscribe(another_replica, at=MONDAY_0900_BERLIN - timedelta(seconds=20))
            traveller.move_to(MONDAY_0900_BERLIN + timedelta(seconds=30))
            outcomes = scheduler.tick()  # what the minutely interval job does
        finally:
            scheduler.shutdown()
        with sqlite_db.session(write=False) as session:
            run = week_run(session=session, team_id=TEAM, channel_id=CHANNEL, week="2026-W48")
    assert run is not None and len(_digests(fake_slack)) == 1, f"week 48's digest was due and never posted: {outcomes}"


# --- downgrading 0003 on SQLite deletes every scenario's versions -----------------------------------------


def test_a_sqlite_downgrade_of_0003_keeps_every_scenarios_versions(tmp_path: Path) -> None:
    """0003's downgrade drops scenario.figures by copying `scenario`; with foreign keys on, dropping the old copy
    would cascade to every version. storage.downgrade runs with them off."""
    db = Database(f"sqlite:///{tmp_path / 'costbot.db'}")
    try:
        upgrade(db)
        scenario = save(db, "Video launch")
        with db.session() as session:
            add_version(session=session, team_id=TEAM, scenario_id=scenario.id, version_create=version_create())

        downgrade(db, "0002")

        assert (count_rows(db, "scenario"), count_rows(db, "scenario_version")) == (1, 2)
    finally:
        db.dispose()


def test_migrating_sqlite_with_foreign_keys_on_is_refused_before_anything_changes(tmp_path: Path) -> None:
    """Alembic driven directly, on a connection of costbot's engine (foreign keys on), would lose data: refused."""
    db = Database(f"sqlite:///{tmp_path / 'costbot.db'}")
    try:
        upgrade(db)
        save(db, "Video launch")
        config = Config()
        config.set_main_option("script_location", str(Path(storage.__file__).parent / "migrations"))
        with pytest.raises(RuntimeError, match="foreign keys must be off"), db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        assert (current_revision(db), count_rows(db, "scenario_version")) == (head_revision(), 1)
    finally:
        db.dispose()


# --- re-confirming the same schedule cancels the catch-up of a missed digest -------------------------------


def test_repeating_digest_on_with_the_same_schedule_keeps_the_missed_digests_catch_up(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """The scheduler was down at 09:00; at 10:00 the creator types the same `digest on` again: the catch-up after
    the restart still posts the morning's digest (the same schedule keeps its start)."""
    poster = _poster(sqlite_db, client)
    save(sqlite_db, "Video launch")
    _subscribe(sqlite_db)

    _command("on mon 09:00 Europe/Berlin", sqlite_db, client, MONDAY_0900_BERLIN + timedelta(hours=1))
    outcomes = _pass(poster, MONDAY_0900_BERLIN + timedelta(hours=2))  # the catch-up after the restart

    assert [o.status for o in outcomes] == ["posted"], "the morning's missed digest was dropped"


def test_a_subscription_with_an_unknown_zone_does_not_keep_the_others_from_being_posted(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    save(sqlite_db, "Video launch")
    save(sqlite_db, "Video launch", channel_id=OTHER_CHANNEL)
    _subscribe(sqlite_db, CHANNEL, at=MONDAY_0900_BERLIN - timedelta(days=3))
    _subscribe(sqlite_db, OTHER_CHANNEL, at=MONDAY_0900_BERLIN - timedelta(days=3))
    with sqlite_db.engine.begin() as connection:
        connection.execute(sql("UPDATE digest_subscription SET timezone = 'Mars/Olympus_Mons' WHERE channel_id = :c"),
                           {"c": OTHER_CHANNEL})  # fmt: skip
    scheduler = DigestScheduler(_poster(sqlite_db, client))
    with time_machine.travel(MONDAY_0900_BERLIN + timedelta(minutes=1), tick=False):
        outcomes = scheduler.tick()
    assert [(o.channel_id, o.status) for o in outcomes] == [(CHANNEL, "posted")]
    assert f"digest for {OTHER_CHANNEL} has an unusable schedule" in caplog.text
