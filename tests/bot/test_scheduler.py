"""When weekly digests go out: which subscriptions are due (the due-time maths itself is tested in
tests/costing/test_due.py), one pass of due digests against a real SQLite file and the fake Slack, and
APScheduler running for real while time-machine moves the clock.

Times are written in UTC; the comments say what they are in the channel's zone. Europe/Berlin is UTC+1 in winter
and UTC+2 in summer; it springs forward on 2027-03-28 (02:00-02:59 never happens) and falls back on 2026-10-25
(02:00-02:59 happens twice). America/New_York falls back on 2026-11-01 (01:00-01:59 twice) and springs forward on
2027-03-14 (02:00-02:59 never happens).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_sdk import WebClient
from sqlalchemy import text as sql

from bot.digests import METADATA_EVENT, DigestPoster, Outcome
from bot.observe import REGISTRY
from bot.scheduler import POST_WORKERS, STOPPED, DigestScheduler, due_digests, run_due_digests
from bot.slack_pace import ChannelPace
from storage import (
    Database,
    DigestRunPublic,
    DigestSubscriptionCreate,
    DigestSubscriptionPublic,
    active_subscriptions,
    claim_run,
    get_subscription,
    subscribe,
    unsubscribe,
    week_run,
)
from tests.fakeslack import BOT_TOKEN, FakeSlack
from tests.storage.factories import AUTHOR, CHANNEL, OTHER_CHANNEL, TEAM, all_at_once
from tests.timing import within

BROKEN_CHANNEL = "C0BROKEN"
W48 = "2026-W48"
#: Well before any time in these tests: a subscription set up then has every later time due.
LONG_AGO = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
#: Monday 23 Nov 2026 (ISO week 48), 09:00 in Berlin (winter time, UTC+1).
MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
#: The next pass after a failed post at 09:01: late enough for a failed digest's first retry.
A_FEW_MINUTES_LATER = MONDAY_0900_BERLIN + timedelta(minutes=6)
#: Friday before it, at noon: a subscription set up then starts that Monday.
FRIDAY_BEFORE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


# --- helpers -------------------------------------------------------------------------------------------------


def _subscription(
    weekday: int = 0, at_time: str = "09:00", timezone: str = "Europe/Berlin", *, channel_id: str = CHANNEL,
    updated_at: datetime = LONG_AGO,
) -> DigestSubscriptionPublic:  # fmt: skip
    """A subscription as the database returns it, last set (`updated_at`) at the given moment."""
    return DigestSubscriptionPublic(
        id=1, team_id=TEAM, channel_id=channel_id, created_by=AUTHOR, weekday=weekday, at_time=at_time,
        timezone=timezone, active=True, last_error=None, created_at=updated_at, updated_at=updated_at,
    )  # fmt: skip


def _utc(when: datetime | None) -> datetime | None:
    """`when` in UTC. next_due and last_due answer in the channel's zone, and Python never finds a time in a DST
    gap or in the repeated hour equal to any time in another zone (PEP 495), so DST tests compare in UTC."""
    return None if when is None else when.astimezone(UTC)


def _due(subscriptions: list[DigestSubscriptionPublic], now: datetime) -> list[tuple[str, str, datetime]]:
    """due_digests as (channel, week, due at in UTC)."""
    return [(d.subscription.channel_id, d.week, d.due_at) for d in due_digests(subscriptions, now)]


def _subscribe(
    db: Database, channel_id: str = CHANNEL, *, at: datetime | None = None, weekday: int = 0,
    at_time: str = "09:00", timezone: str = "Europe/Berlin",
) -> DigestSubscriptionPublic:  # fmt: skip
    """`/cost digest on` for the channel, with the clock at `at` (its `updated_at`), or now."""
    create = DigestSubscriptionCreate(team_id=TEAM, channel_id=channel_id, created_by=AUTHOR, weekday=weekday,
                                      at_time=at_time, timezone=timezone)  # fmt: skip
    clock = time_machine.travel(at, tick=False) if at is not None else nullcontext()
    with clock, db.session() as session:
        return subscribe(session=session, subscription=create)


def _unsubscribe(db: Database, channel_id: str = CHANNEL) -> None:
    with db.session() as session:
        unsubscribe(session=session, team_id=TEAM, channel_id=channel_id)


def _get(db: Database, channel_id: str = CHANNEL) -> DigestSubscriptionPublic:
    with db.session(write=False) as session:
        found = get_subscription(session=session, team_id=TEAM, channel_id=channel_id)
    assert found is not None
    return found


def _week_run(db: Database, week: str = W48, channel_id: str = CHANNEL) -> DigestRunPublic | None:
    with db.session(write=False) as session:
        return week_run(session=session, team_id=TEAM, channel_id=channel_id, week=week)


def _poster(db: Database, fake: FakeSlack, *, claimed_by: str = "replica-a") -> DigestPoster:
    client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
    return DigestPoster(db=db, client=client, team_id=TEAM, pace=ChannelPace(0), claimed_by=claimed_by)


def _pass(poster: DigestPoster, at: datetime, *, channel_id: str | None = None) -> list[Outcome]:
    """One `run_due_digests` pass with the clock at `at` (the claims and retries read the same clock)."""
    with time_machine.travel(at, tick=True):
        return run_due_digests(poster, channel_id=channel_id)


def _digest_count(outcome: str, *, attempt: str = "first") -> float:
    """`costbot_digests_total` for that outcome and attempt, so far in this process."""
    return REGISTRY.get_sample_value("costbot_digests_total", {"outcome": outcome, "attempt": attempt}) or 0.0


def _statuses(outcomes: list[Outcome]) -> list[tuple[str, str]]:
    return sorted((o.channel_id, o.status) for o in outcomes)


def _digests(fake: FakeSlack, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The digests that reached the channel: top-level messages carrying costbot's digest metadata."""
    return [m for m in fake.posted(channel)
            if not m["thread_ts"] and (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]  # fmt: skip


def _eventually(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Wait (up to `timeout` s) for something the scheduler's threads do."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} didn't happen within {timeout:.0f} s")
        time.sleep(0.01)


def _catch_ups_done(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in list(caplog.records) if r.getMessage().startswith("digest catch-up done")]


@contextmanager
def _started(poster: DigestPoster, *, catch_up: bool) -> Iterator[DigestScheduler]:
    """A running DigestScheduler (its passes an hour apart, the first on the next whole minute), always shut down
    afterwards."""
    scheduler = DigestScheduler(poster, interval_seconds=3600)
    try:
        scheduler.start(catch_up=catch_up)
        yield scheduler
    finally:
        scheduler.shutdown()


@pytest.fixture
def poster(sqlite_db: Database, fake_slack: FakeSlack) -> DigestPoster:
    return _poster(sqlite_db, fake_slack)


# --- due times in the channel's zone -------------------------------------------------------------------------


def test_a_sunday_0230_berlin_digest_on_the_spring_forward_day_is_due_for_that_local_week() -> None:
    subscription = _subscription(6, "02:30")
    at_0331_cest = datetime(2027, 3, 28, 1, 31, tzinfo=UTC)
    assert _due([subscription], at_0331_cest) == [(CHANNEL, "2027-W12", datetime(2027, 3, 28, 1, 30, tzinfo=UTC))]


def test_the_first_0230_of_berlins_fall_back_day_is_due_for_that_local_week() -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert _due([_subscription(6, "02:30")], first + timedelta(minutes=1)) == [(CHANNEL, "2026-W43", first)]


def test_after_fall_back_a_sunday_0230_digest_does_not_keep_other_channels_digests_from_being_due() -> None:
    """due_digests goes through all of a workspace's subscriptions: one stuck in last_due (above) would hold up
    the Monday digest of every other channel, in the cron job, the catch-up and `costbot digest run`."""
    sunday_0230 = _subscription(6, "02:30", channel_id="C0SUNDAY")
    monday_0900 = _subscription(0, "09:00", channel_id="C0MONDAY")
    monday_0905 = datetime(2026, 10, 26, 8, 5, tzinfo=UTC)
    due = within(5, lambda: _due([sunday_0230, monday_0900], monday_0905))
    assert ("C0MONDAY", "2026-W44", datetime(2026, 10, 26, 8, 0, tzinfo=UTC)) in due


@pytest.mark.parametrize(
    ("subscription", "now", "week"),
    [
        # Monday 00:30 in Tokyo is still Sunday (ISO week 47) in UTC
        (_subscription(0, "00:30", "Asia/Tokyo"), datetime(2026, 11, 22, 15, 31, tzinfo=UTC), "2026-W48"),
        # Sunday 23:30 in Los Angeles is already Monday (ISO week 48) in UTC
        (_subscription(6, "23:30", "America/Los_Angeles"), datetime(2026, 11, 23, 7, 31, tzinfo=UTC), "2026-W47"),
    ],
    ids=["tokyo-monday", "los-angeles-sunday"],
)
def test_a_digest_is_due_for_the_week_it_is_in_the_channels_zone_not_in_utc(
    subscription: DigestSubscriptionPublic, now: datetime, week: str
) -> None:
    assert [d.week for d in due_digests([subscription], now)] == [week]


# --- which digests are due -----------------------------------------------------------------------------------


@pytest.mark.parametrize("late", [timedelta(0), timedelta(minutes=1), timedelta(hours=23, minutes=59)],
                         ids=["on-time", "a-minute-late", "23h59-late"])  # fmt: skip
def test_a_digest_is_due_from_its_time_until_just_under_a_day_later(late: timedelta) -> None:
    assert _due([_subscription()], MONDAY_0900_BERLIN + late) == [(CHANNEL, W48, MONDAY_0900_BERLIN)]


@pytest.mark.parametrize("late", [timedelta(days=1), timedelta(days=1, minutes=1), timedelta(days=6)],
                         ids=["a-day-late", "a-day-and-a-minute-late", "six-days-late"])  # fmt: skip
def test_a_digest_a_day_or_more_late_is_no_longer_due(late: timedelta) -> None:
    assert _due([_subscription()], MONDAY_0900_BERLIN + late) == []


def test_a_digest_is_not_due_a_minute_before_its_time() -> None:
    assert _due([_subscription()], MONDAY_0900_BERLIN - timedelta(minutes=1)) == []


def test_a_new_digest_is_not_due_before_its_first_time() -> None:
    set_up_on_friday = _subscription(updated_at=FRIDAY_BEFORE)
    assert _due([set_up_on_friday], MONDAY_0900_BERLIN - timedelta(seconds=1)) == []


def test_a_new_digest_is_due_at_its_first_time() -> None:
    set_up_on_friday = _subscription(updated_at=FRIDAY_BEFORE)
    assert _due([set_up_on_friday], MONDAY_0900_BERLIN) == [(CHANNEL, W48, MONDAY_0900_BERLIN)]


def test_a_monday_digest_set_up_early_on_tuesday_is_not_due_for_the_monday_just_gone() -> None:
    tuesday_0700_berlin = MONDAY_0900_BERLIN + timedelta(hours=22)  # less than a day after Monday 09:00
    set_up_on_tuesday = _subscription(updated_at=tuesday_0700_berlin)
    assert _due([set_up_on_tuesday], tuesday_0700_berlin + timedelta(minutes=1)) == []


def test_a_monday_digest_set_up_on_tuesday_starts_the_next_monday() -> None:
    set_up_on_tuesday = _subscription(updated_at=MONDAY_0900_BERLIN + timedelta(hours=22))
    next_monday = MONDAY_0900_BERLIN + timedelta(days=7)
    assert _due([set_up_on_tuesday], next_monday + timedelta(minutes=1)) == [(CHANNEL, "2026-W49", next_monday)]


def test_a_digest_rescheduled_just_after_its_time_waits_for_the_next_week() -> None:
    rescheduled_at_0930 = _subscription(updated_at=MONDAY_0900_BERLIN + timedelta(minutes=30))
    assert _due([rescheduled_at_0930], MONDAY_0900_BERLIN + timedelta(minutes=31)) == []


def test_digests_in_different_zones_are_due_by_their_own_clocks_at_one_moment() -> None:
    subscriptions = [
        _subscription(0, "09:00", "Europe/Berlin", channel_id="C0BERLIN"),  # 08:00 UTC
        _subscription(0, "08:00", "Europe/London", channel_id="C0LONDON"),  # 08:00 UTC
        _subscription(0, "13:30", "Asia/Kolkata", channel_id="C0KOLKATA"),  # 08:00 UTC
        _subscription(0, "09:00", "Australia/Sydney", channel_id="C0SYDNEY"),  # Sunday 22:00 UTC
        _subscription(0, "09:00", "America/New_York", channel_id="C0NEWYORK"),  # 14:00 UTC: not yet
        _subscription(1, "09:00", "Europe/Berlin", channel_id="C0TUESDAY"),  # tomorrow
    ]
    assert _due(subscriptions, MONDAY_0900_BERLIN + timedelta(minutes=5)) == [
        ("C0BERLIN", W48, MONDAY_0900_BERLIN),
        ("C0LONDON", W48, MONDAY_0900_BERLIN),
        ("C0KOLKATA", W48, MONDAY_0900_BERLIN),
        ("C0SYDNEY", W48, datetime(2026, 11, 22, 22, 0, tzinfo=UTC)),
    ]


# --- a pass of due digests (run_due_digests) -----------------------------------------------------------------


def test_a_pass_posts_the_due_digest_and_records_its_run(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    outcomes = _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    run = _week_run(sqlite_db)
    assert run is not None
    assert (_statuses(outcomes), [m["ts"] for m in _digests(fake_slack)]) == ([(CHANNEL, "posted")], [run.message_ts])
    assert (run.status, run.due_at, run.attempts) == ("posted", MONDAY_0900_BERLIN, 1)


def test_a_second_pass_does_not_even_read_the_digest_already_posted(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    again = _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=2))  # its next due time is next Monday's
    assert (_statuses(again), len(_digests(fake_slack))) == ([], 1)
    with sqlite_db.session(write=False) as session:
        (subscription,) = active_subscriptions(session=session)
    assert subscription.next_due_at == MONDAY_0900_BERLIN + timedelta(days=7)


def test_a_pass_that_finds_the_week_claimed_elsewhere_skips_it(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    """Another scheduler (or `costbot digest run`) claimed the week already: a skip, found by the pass's one
    query for the week's claims, and no post."""
    _subscribe(sqlite_db, at=LONG_AGO)
    with sqlite_db.session() as session:
        claim_run(session=session, team_id=TEAM, channel_id=CHANNEL, kind="weekly", week="2026-W48",
                  due_at=MONDAY_0900_BERLIN, claimed_by="another:1:x")  # fmt: skip
    outcomes = _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    assert (_statuses(outcomes), fake_slack.posted()) == ([(CHANNEL, "skipped")], [])


def test_a_pass_before_the_time_posts_nothing(sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    assert (_pass(poster, MONDAY_0900_BERLIN - timedelta(minutes=1)), fake_slack.posted()) == ([], [])


def test_the_catch_up_after_downtime_posts_a_digest_missed_that_morning_once(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    monday_2000_berlin = MONDAY_0900_BERLIN + timedelta(hours=11)
    first = _pass(poster, monday_2000_berlin)
    second = _pass(poster, monday_2000_berlin + timedelta(minutes=1))
    assert (_statuses(first), _statuses(second), len(_digests(fake_slack))) == (
        [(CHANNEL, "posted")], [], 1,  # the second pass doesn't read it: next Monday is its next due time
    )  # fmt: skip


def test_the_catch_up_after_downtime_leaves_out_a_digest_more_than_a_day_late(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    tuesday_1000_berlin = MONDAY_0900_BERLIN + timedelta(days=1, hours=1)
    assert (_pass(poster, tuesday_1000_berlin), fake_slack.posted(), _week_run(sqlite_db)) == ([], [], None)


def test_a_broken_channel_doesnt_stop_another_channels_digest_in_the_same_pass(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, BROKEN_CHANNEL, at=LONG_AGO)  # listed first: C0BROKEN < C0CHAN1
    _subscribe(sqlite_db, CHANNEL, at=LONG_AGO)
    fake_slack.broken_channels[BROKEN_CHANNEL] = "channel_not_found"
    outcomes = _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    assert _statuses(outcomes) == [(BROKEN_CHANNEL, "failed"), (CHANNEL, "posted")]
    assert (len(_digests(fake_slack, BROKEN_CHANNEL)), len(_digests(fake_slack, CHANNEL))) == (0, 1)


def test_a_broken_channels_failure_is_recorded_on_its_run_and_its_subscription(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, BROKEN_CHANNEL, at=LONG_AGO)
    fake_slack.broken_channels[BROKEN_CHANNEL] = "channel_not_found"
    _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    run = _week_run(sqlite_db, channel_id=BROKEN_CHANNEL)
    assert run is not None and run.status == "failed" and "channel_not_found" in (run.error or "")
    assert "channel_not_found" in (_get(sqlite_db, BROKEN_CHANNEL).last_error or "")


def test_a_pass_for_one_channel_posts_only_that_channels_digest(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, CHANNEL, at=LONG_AGO)
    _subscribe(sqlite_db, OTHER_CHANNEL, at=LONG_AGO)
    outcomes = _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1), channel_id=OTHER_CHANNEL)
    assert (_statuses(outcomes), len(_digests(fake_slack, CHANNEL)), len(_digests(fake_slack, OTHER_CHANNEL))) == (
        [(OTHER_CHANNEL, "posted")], 0, 1,
    )  # fmt: skip


def test_a_pass_for_one_channel_leaves_another_channels_failed_run_alone(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, CHANNEL, at=LONG_AGO)
    fake_slack.fail_next("chat.postMessage", status=500)
    _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1), channel_id=CHANNEL)
    _subscribe(sqlite_db, OTHER_CHANNEL, at=LONG_AGO)
    outcomes = _pass(poster, A_FEW_MINUTES_LATER, channel_id=OTHER_CHANNEL)
    assert (_statuses(outcomes), _week_run(sqlite_db).status) == ([(OTHER_CHANNEL, "posted")], "failed")  # type: ignore[union-attr]


@pytest.mark.parametrize("workers", [1, 4])
def test_a_pass_posts_its_due_digests_a_few_at_a_time_never_more(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, workers: int
) -> None:
    channels = [f"C0MANY{n}" for n in range(8)]
    for channel in channels:
        _subscribe(sqlite_db, channel, at=LONG_AGO)
    fake_slack.latency = 0.05  # each call takes a while, as Slack's do: the posts overlap if made at once
    with time_machine.travel(A_FEW_MINUTES_LATER, tick=True):
        outcomes = run_due_digests(poster, workers=workers)
    assert _statuses(outcomes) == [(channel, "posted") for channel in channels]  # each once
    assert [o.channel_id for o in outcomes] == channels  # in the order they were due, whoever finished first
    assert all(len(_digests(fake_slack, channel)) == 1 for channel in channels)
    at_once = fake_slack.most_in_flight
    assert at_once == 1 if workers == 1 else 1 < at_once <= workers, at_once


def test_a_pass_told_to_stop_begins_no_post_and_leaves_the_digests_due(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    for channel in (CHANNEL, OTHER_CHANNEL):
        _subscribe(sqlite_db, channel, at=LONG_AGO)
    stopping = threading.Event()
    stopping.set()  # costbot is stopping (SIGTERM) as the pass reaches its posts
    before = _digest_count("skipped")
    with time_machine.travel(A_FEW_MINUTES_LATER, tick=True):
        stopped = run_due_digests(poster, stop=stopping)
    assert [(o.channel_id, o.status, o.detail) for o in stopped] == [
        (CHANNEL, "skipped", STOPPED),
        (OTHER_CHANNEL, "skipped", STOPPED),
    ]
    assert (fake_slack.posted(), _week_run(sqlite_db), _digest_count("skipped")) == ([], None, before)
    # Back up, the next pass posts both: they were left due.
    assert _statuses(_pass(poster, A_FEW_MINUTES_LATER + timedelta(minutes=1))) == [
        (CHANNEL, "posted"),
        (OTHER_CHANNEL, "posted"),
    ]


def test_the_minutes_pass_leaves_what_is_due_to_a_catch_up_still_posting(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, caplog: pytest.LogCaptureFixture
) -> None:
    channels = [f"C0CATCH{n}" for n in range(8)]
    for channel in channels:
        _subscribe(sqlite_db, channel, at=LONG_AGO)
    fake_slack.latency = 0.1  # the catch-up takes a second or so
    scheduler = DigestScheduler(poster)
    with time_machine.travel(A_FEW_MINUTES_LATER, tick=True):
        catching_up = ThreadPoolExecutor(max_workers=1).submit(scheduler.catch_up)
        fake_slack.wait_for_api("chat.postMessage")  # it is posting
        with caplog.at_level(logging.INFO, logger="bot.scheduler"):
            assert scheduler.tick() == []
        caught_up = catching_up.result(timeout=60)
    assert "the catch-up is still posting" in caplog.text
    assert _statuses(caught_up) == [(channel, "posted") for channel in sorted(channels)]
    assert fake_slack.most_in_flight <= POST_WORKERS  # one pool at a time, not two
    assert all(len(_digests(fake_slack, channel)) == 1 for channel in channels)


def test_a_digest_whose_post_failed_is_posted_by_the_next_pass(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    fake_slack.fail_next("chat.postMessage", status=500)
    first = _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    assert (_statuses(first), fake_slack.posted()) == ([(CHANNEL, "failed")], [])
    second = _pass(poster, A_FEW_MINUTES_LATER)
    run = _week_run(sqlite_db)
    assert (_statuses(second), len(_digests(fake_slack))) == ([(CHANNEL, "posted")], 1)  # by the retry
    assert (run.status, run.attempts) == ("posted", 2)  # type: ignore[union-attr]


def test_a_failed_run_of_a_workspace_that_uninstalled_is_listed_at_each_pass_but_counted_once(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    from bot.installs import Installs
    from bot.scheduler import NOT_INSTALLED
    from bot.workspaces import Posters
    from tests.fakeslack import CLIENT_ID, CLIENT_SECRET, STATE_SECRET

    _subscribe(sqlite_db, at=LONG_AGO)
    fake_slack.fail_next("chat.postMessage", status=500)
    assert _statuses(_pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))) == [(CHANNEL, "failed")]
    # The deployment now serves installs, and TEAM has none (it uninstalled): its run can't be retried.
    installs = Installs(sqlite_db, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, state_secret=STATE_SECRET,
                        client=WebClient(base_url=fake_slack.api_url))  # fmt: skip
    elsewhere = Posters(sqlite_db, installs)

    def skipped_retries() -> float:
        return _digest_count("skipped", attempt="retry")

    before = skipped_retries()
    for minutes in (6, 7):
        with time_machine.travel(MONDAY_0900_BERLIN + timedelta(minutes=minutes), tick=True):
            outcomes = run_due_digests(elsewhere)
        assert [(o.channel_id, o.status, o.detail) for o in outcomes] == [(CHANNEL, "skipped", NOT_INSTALLED)]
    assert skipped_retries() == before and fake_slack.posted() == []
    assert _week_run(sqlite_db).status == "failed"  # type: ignore[union-attr]  # kept for a reinstall's retry


def test_a_digest_posted_though_slacks_answer_was_lost_is_recorded_by_the_next_pass_not_posted_again(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    fake_slack.fail_next("chat.postMessage", status=500, after=True)
    _pass(poster, MONDAY_0900_BERLIN + timedelta(minutes=1))
    _pass(poster, A_FEW_MINUTES_LATER)
    digests = _digests(fake_slack)
    run = _week_run(sqlite_db)
    assert (len(digests), run.status, run.message_ts) == (1, "posted", digests[0]["ts"])  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("zone", "at_time", "first"),
    [
        ("Europe/Berlin", "02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("America/New_York", "01:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)
def test_a_pass_after_the_second_repeated_time_of_the_fall_back_day_skips_the_claimed_week(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, zone: str, at_time: str, first: datetime
) -> None:
    """Never twice on the fall-back day: the pass after the first 02:30 posts, the one after the second finds
    the week claimed (and returns: see the last_due regression above)."""
    _subscribe(sqlite_db, at=LONG_AGO, weekday=6, at_time=at_time, timezone=zone)
    assert _statuses(_pass(poster, first + timedelta(minutes=1))) == [(CHANNEL, "posted")]
    after_the_second = first + timedelta(hours=1, minutes=1)
    assert _statuses(within(5, lambda: _pass(poster, after_the_second))) == [(CHANNEL, "skipped")]
    assert len(_digests(fake_slack)) == 1


# --- the scheduler, running ----------------------------------------------------------------------------------


def test_the_running_scheduler_posts_the_digest_at_its_time_once_and_records_it(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    """Started three seconds before 09:00: the first pass is on the whole minute, when the digest is due."""
    with time_machine.travel(MONDAY_0900_BERLIN - timedelta(seconds=3), tick=True):
        _subscribe(sqlite_db)
        with _started(poster, catch_up=False):
            fake_slack.wait_for(lambda calls: bool(_digests(fake_slack)), timeout=10)
            _eventually(lambda: getattr(_week_run(sqlite_db), "status", None) == "posted", "the run recorded")
    run = _week_run(sqlite_db)
    assert [m["ts"] for m in _digests(fake_slack)] == [run.message_ts]  # type: ignore[union-attr]
    assert (run.due_at, run.claimed_by) == (MONDAY_0900_BERLIN, "replica-a")  # type: ignore[union-attr]
    assert run.claimed_at >= MONDAY_0900_BERLIN  # type: ignore[union-attr]  # not a moment early


def test_starting_with_a_catch_up_posts_a_digest_missed_while_down_once_across_restarts(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    _subscribe(sqlite_db, at=LONG_AGO)
    with time_machine.travel(MONDAY_0900_BERLIN + timedelta(hours=11), tick=True):  # Monday 20:00 in Berlin
        with _started(poster, catch_up=True):
            _eventually(lambda: len(_catch_ups_done(caplog)) == 1, "the first catch-up")
        restarted = _poster(Database(sqlite_db.url), fake_slack, claimed_by="replica-b")
        try:
            with _started(restarted, catch_up=True):
                _eventually(lambda: len(_catch_ups_done(caplog)) == 2, "the second catch-up")
        finally:
            restarted.db.dispose()
    # The restarted process doesn't even read it: the first one stored the channel's next due time.
    assert _catch_ups_done(caplog) == ["digest catch-up done: 1 posted, 0 already claimed, 0 failed",
                                       "digest catch-up done: 0 posted, 0 already claimed, 0 failed"]  # fmt: skip
    assert (len(_digests(fake_slack)), _week_run(sqlite_db).claimed_by) == (1, "replica-a")  # type: ignore[union-attr]


def test_starting_without_a_catch_up_leaves_a_missed_digest_for_the_first_pass(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    monday_2000_berlin = MONDAY_0900_BERLIN + timedelta(hours=11)
    with time_machine.travel(monday_2000_berlin, tick=True), _started(poster, catch_up=False):
        pass
    assert (fake_slack.posted(), _week_run(sqlite_db)) == ([], None)


@pytest.fixture
def another_replica(sqlite_db: Database) -> Iterator[Database]:
    """Another process's engine on the same SQLite file."""
    other = Database(sqlite_db.url)
    yield other
    other.dispose()


def _tick(scheduler: DigestScheduler, at: datetime) -> list[tuple[str, str]]:
    """The scheduler's pass with the clock at `at`, as (channel, status)."""
    with time_machine.travel(at, tick=True):
        return _statuses(scheduler.tick())


def test_a_pass_posts_a_digest_another_replica_started(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, another_replica: Database
) -> None:
    _subscribe(sqlite_db, CHANNEL, at=LONG_AGO)
    _subscribe(another_replica, OTHER_CHANNEL, at=FRIDAY_BEFORE, weekday=1, at_time="10:00", timezone="Asia/Tokyo")
    scheduler = DigestScheduler(poster)
    tuesday_1000_tokyo = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert _tick(scheduler, tuesday_1000_tokyo - timedelta(minutes=1)) == [(CHANNEL, "posted")]  # Monday's
    assert _tick(scheduler, tuesday_1000_tokyo) == [(OTHER_CHANNEL, "posted")]


def test_a_pass_leaves_out_a_digest_another_replica_stopped(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, another_replica: Database
) -> None:
    _subscribe(sqlite_db, CHANNEL, at=LONG_AGO)
    _subscribe(sqlite_db, OTHER_CHANNEL, at=LONG_AGO)
    _unsubscribe(another_replica, OTHER_CHANNEL)
    assert _tick(DigestScheduler(poster), MONDAY_0900_BERLIN) == [(CHANNEL, "posted")]
    assert (len(_digests(fake_slack, CHANNEL)), _digests(fake_slack, OTHER_CHANNEL)) == (1, [])


def test_a_pass_follows_a_digest_another_replica_rescheduled(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, another_replica: Database
) -> None:
    _subscribe(sqlite_db, CHANNEL, at=LONG_AGO)
    _subscribe(another_replica, CHANNEL, at=FRIDAY_BEFORE, weekday=4, at_time="16:30", timezone="America/New_York")
    scheduler = DigestScheduler(poster)
    friday_1630_new_york = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
    assert _tick(scheduler, friday_1630_new_york - timedelta(minutes=1)) == []
    assert _tick(scheduler, friday_1630_new_york) == [(CHANNEL, "posted")]
    assert _tick(scheduler, MONDAY_0900_BERLIN) == []  # no longer on Mondays


def test_a_pass_after_another_replica_stopped_the_digest_posts_nothing(
    sqlite_db: Database, fake_slack: FakeSlack, poster: DigestPoster, another_replica: Database
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    _unsubscribe(another_replica)
    assert (_tick(DigestScheduler(poster), MONDAY_0900_BERLIN), fake_slack.posted()) == ([], [])


def test_a_pass_with_the_database_away_logs_it_and_the_next_pass_posts(
    sqlite_db: Database, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    _subscribe(sqlite_db, at=LONG_AGO)
    gone = Database(f"sqlite:///{sqlite_db.url.removeprefix('sqlite:///')}.missing/dir/costbot.db")
    broken = DigestScheduler(_poster(gone, fake_slack))
    assert _tick(broken, MONDAY_0900_BERLIN) == []
    assert "a pass failed; trying again in 60 s" in caplog.text
    assert _tick(DigestScheduler(_poster(sqlite_db, fake_slack)), MONDAY_0900_BERLIN) == [(CHANNEL, "posted")]
    gone.dispose()


def test_two_schedulers_firing_the_same_digest_at_once_post_it_once(db: Database, fake_slack: FakeSlack) -> None:
    _subscribe(db, at=LONG_AGO)
    other = Database(db.url)
    try:
        schedulers = [DigestScheduler(_poster(db, fake_slack, claimed_by="replica-a")),
                      DigestScheduler(_poster(other, fake_slack, claimed_by="replica-b"))]  # fmt: skip
        with time_machine.travel(MONDAY_0900_BERLIN, tick=True):
            passes = all_at_once(2, lambda index: schedulers[index].tick(), timeout=30)
        outcomes = [outcome for one_pass in passes for outcome in one_pass]
    finally:
        for scheduler in schedulers:
            scheduler.leadership.release()
        other.dispose()
    # On PostgreSQL the standby's pass doesn't post at all (one leads); on SQLite both pass, the claim decides.
    expected = ["posted", "skipped"] if db.is_sqlite else ["posted"]
    assert sorted(getattr(o, "status", repr(o)) for o in outcomes) == expected
    assert (len(_digests(fake_slack)), _week_run(db).status) == (1, "posted")  # type: ignore[union-attr]


# --- forgetting old records -------------------------------------------------------------------------------------


def test_old_last_estimates_and_digest_now_runs_are_forgotten_and_weekly_runs_kept(
    sqlite_db: Database, poster: DigestPoster
) -> None:
    from storage import RunKind, claim_run, fail_run, last_estimate, remember_estimate

    def records(at: datetime, user: str) -> None:
        with time_machine.travel(at, tick=False), sqlite_db.session() as session:
            remember_estimate(session=session, team_id=TEAM, channel_id=CHANNEL, user_id=user, text="video 10s")
            for kind, week in ((RunKind.NOW, None), (RunKind.WEEKLY, f"W-{user}")):
                run = claim_run(session=session, team_id=TEAM, channel_id=CHANNEL, kind=kind, week=week, due_at=at,
                                claimed_by="test")  # fmt: skip
                assert run is not None
                fail_run(session=session, run_id=run.id, error="test")

    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    records(now - timedelta(days=40), "U0OLD")
    records(now - timedelta(days=2), "U0NEW")
    assert DigestScheduler(poster).prune(now=now) == (1, 1, 0, 0)
    with sqlite_db.session(write=False) as session:
        old = last_estimate(session=session, team_id=TEAM, channel_id=CHANNEL, user_id="U0OLD")
        new = last_estimate(session=session, team_id=TEAM, channel_id=CHANNEL, user_id="U0NEW")
        runs = session.exec(sql("SELECT kind, week FROM digest_run ORDER BY id")).all()  # type: ignore[call-overload]
    assert (old, new) == (None, "video 10s")
    assert [tuple(r) for r in runs] == [("weekly", "W-U0OLD"), ("now", None), ("weekly", "W-U0NEW")]
    assert DigestScheduler(poster).prune(now=now) == (0, 0, 0, 0)  # nothing more to forget


def test_deletes_too_old_to_undo_are_forgotten_by_the_hourly_prune(sqlite_db: Database, poster: DigestPoster) -> None:
    from storage import KEEP_DELETED, delete_scenario, deleted_scenario
    from tests.storage.factories import save

    with sqlite_db.session() as session:
        deleted = delete_scenario(session=session, team_id=TEAM, scenario_id=save(sqlite_db).id, deleted_by=AUTHOR)
    assert deleted is not None
    assert DigestScheduler(poster).prune(now=deleted.deleted_at + KEEP_DELETED).deletes == 0  # undo still works
    assert DigestScheduler(poster).prune(now=deleted.deleted_at + KEEP_DELETED + timedelta(minutes=1)).deletes == 1
    with sqlite_db.session(write=False) as session:
        assert deleted_scenario(session=session, team_id=TEAM, deleted_id=deleted.id) is None
