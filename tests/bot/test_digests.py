"""DigestPoster against the fake Slack and a real database: one message per channel and week, whatever fails.

Every test posts through the real Slack client to the fake on loopback and keeps its runs in a real database
(a SQLite file, then PostgreSQL), so what is checked is what Slack would show and what the next pass would read.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import matplotlib.image
import pytest
from slack_sdk import WebClient

from bot.digests import METADATA_EVENT, DigestPoster
from bot.slack_pace import ChannelPace
from costing.money import format_usd
from storage import (
    Database,
    DigestRunPublic,
    DigestSubscriptionCreate,
    DigestSubscriptionPublic,
    add_version,
    claim_run,
    get_subscription,
    last_run,
    previous_figures,
    runs_to_retry,
    save_scenario,
    subscribe,
)
from storage.types import utcnow
from tests.fakeslack import BOT_TOKEN, FakeSlack
from tests.storage.factories import (
    AUTHOR,
    CHANNEL,
    CHAT,
    IMAGE,
    OTHER_CHANNEL,
    TEAM,
    VIDEO,
    all_at_once,
    save,
    scenario_create,
    version_create,
)

W47, W48, W49 = "2026-W47", "2026-W48", "2026-W49"
#: The Mondays, 08:00 UTC (09:00 in Berlin), of ISO weeks 47, 48 and 49 of 2026.
MONDAY_47 = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
MONDAY_48 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MONDAY_49 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


def _poster(db: Database, client: WebClient, *, claimed_by: str = "host-a:101") -> DigestPoster:
    """A poster that keeps no pace (the fake has no rate limit; tests must not wait a second per post)."""
    return DigestPoster(db=db, client=client, team_id=TEAM, pace=ChannelPace(0), claimed_by=claimed_by)


@pytest.fixture
def poster(db: Database, client: WebClient) -> DigestPoster:
    return _poster(db, client)


@pytest.fixture
def second_db(db: Database) -> Iterator[Database]:
    """Another `Database` on the same URL: what a second replica or a cron `costbot digest run` opens."""
    other = Database(db.url)
    yield other
    other.dispose()


def _subscribe(db: Database, channel_id: str = CHANNEL) -> DigestSubscriptionPublic:
    with db.session() as session:
        return subscribe(session=session, subscription=DigestSubscriptionCreate(
            team_id=TEAM, channel_id=channel_id, created_by=AUTHOR, weekday=0, at_time="09:00",
            timezone="Europe/Berlin",
        ))  # fmt: skip


def _in_channel(fake_slack: FakeSlack, channel_id: str = CHANNEL) -> list[dict[str, Any]]:
    """The messages Slack shows in the channel itself (not in threads)."""
    return [message for message in fake_slack.posted(channel_id) if not message["thread_ts"]]


def _in_thread(fake_slack: FakeSlack, ts: str, channel_id: str = CHANNEL) -> list[dict[str, Any]]:
    return [message for message in fake_slack.posted(channel_id) if message["thread_ts"] == ts]


def _words(message: dict[str, Any]) -> str:
    """Everything a message says: its fallback text and every text in its blocks."""
    texts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            texts.append(block["text"]["text"])
        for part in [*block.get("fields", ()), *block.get("elements", ())]:
            texts.append(part.get("text", ""))
    return "\n".join(texts)


def _last_run(db: Database, channel_id: str = CHANNEL) -> DigestRunPublic | None:
    with db.session(write=False) as session:
        return last_run(session=session, team_id=TEAM, channel_id=channel_id)


def _runs_to_retry(db: Database, *, stale_before: datetime | None = None) -> list[DigestRunPublic]:
    """What the scheduler's next pass would retry (failed runs, and claims older than `stale_before`)."""
    with db.session(write=False) as session:
        return runs_to_retry(session=session, team_id=TEAM, due_since=MONDAY_47 - timedelta(days=7),
                             stale_before=stale_before or utcnow(), max_attempts=5)  # fmt: skip


def _save_many(db: Database, count: int) -> None:
    texts = (VIDEO, CHAT, IMAGE)
    with db.session() as session:
        for number in range(count):
            save_scenario(session=session, scenario_create=scenario_create(
                f"Scenario {number:03d} with a long name to fill the thread", text=texts[number % 3],
            ))  # fmt: skip


# --- the weekly post -----------------------------------------------------------------------------------------


def test_weekly_digest_is_one_channel_message_naming_its_run_in_metadata(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")

    outcome = poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    assert outcome.status == "posted"
    assert outcome.run is not None
    (message,) = _in_channel(fake_slack)
    assert message["metadata"]["event_type"] == METADATA_EVENT == "costbot_digest"
    assert message["metadata"]["event_payload"]["run_id"] == outcome.run.id


def test_weekly_digest_uploads_its_chart_as_a_png_in_the_digest_thread(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")

    poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    (message,) = _in_channel(fake_slack)
    steps = [call.name for call in fake_slack.calls if call.kind == "upload" or call.name.startswith("files.")]
    assert steps == ["files.getUploadURLExternal", "F0FILE", "files.completeUploadExternal"]
    (upload,) = [call for call in fake_slack.calls if call.kind == "upload"]
    assert upload.raw.startswith(PNG_SIGNATURE)
    assert matplotlib.image.imread(io.BytesIO(upload.raw), format="png").ndim == 3
    (complete,) = fake_slack.api_calls("files.completeUploadExternal")
    assert (complete.body["channel_id"], complete.body["thread_ts"]) == (CHANNEL, message["ts"])


def test_posted_weekly_run_is_recorded_with_its_message_link_and_figures(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    scenario = save(db, "Video launch")

    poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    (message,) = _in_channel(fake_slack)
    run = _last_run(db)
    assert run is not None
    assert (run.kind, run.week, run.status, run.message_ts) == ("weekly", W48, "posted", message["ts"])
    assert run.permalink == f"https://fake.slack.com/archives/{CHANNEL}/p{message['ts'].replace('.', '')}"
    with db.session(write=False) as session:
        figures = previous_figures(session=session, team_id=TEAM, channel_id=CHANNEL, before=MONDAY_49)
    assert figures is not None
    assert list(figures["scenarios"]) == [str(scenario.id)]


def test_same_week_again_is_skipped_and_posts_nothing(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    subscription = _subscribe(db)
    poster.post_weekly(subscription, week=W48, due_at=MONDAY_48)

    again = poster.post_weekly(subscription, week=W48, due_at=MONDAY_48)

    assert again.status == "skipped"
    assert len(_in_channel(fake_slack)) == 1


def test_two_processes_posting_the_same_week_at_once_post_one_message(
    db: Database, second_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    subscription = _subscribe(db)
    posters = [_poster(db, client, claimed_by="host-a:101"), _poster(second_db, client, claimed_by="host-b:202")]

    outcomes = all_at_once(2, lambda i: posters[i].post_weekly(subscription, week=W48, due_at=MONDAY_48))

    assert sorted(outcome.status for outcome in outcomes) == ["posted", "skipped"]
    assert len(_in_channel(fake_slack)) == 1


def test_rate_limited_post_is_retried_after_retry_after_and_posted_once(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(sqlite_db, "Video launch")
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    outcome = _poster(sqlite_db, client).post_weekly(_subscribe(sqlite_db), week=W48, due_at=MONDAY_48)

    assert outcome.status == "posted"
    assert len(_in_channel(fake_slack)) == 1


# --- failures and retries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lost", [{"status": 500}, {"status": 503}, {"drop": True}], ids=["500", "503", "dropped"])
def test_post_whose_answer_is_lost_is_found_in_the_channel_and_recorded_as_posted(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack, lost: dict[str, Any]
) -> None:
    save(db, "Video launch")
    fake_slack.fail_next("chat.postMessage", after=True, **lost)

    outcome = poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    assert outcome.status == "posted"
    (message,) = _in_channel(fake_slack)
    run = _last_run(db)
    assert run is not None and (run.status, run.message_ts) == ("posted", message["ts"])
    assert _in_thread(fake_slack, message["ts"]) != []  # the chart and the list followed


def test_post_now_whose_answer_is_lost_says_posted(db: Database, poster: DigestPoster, fake_slack: FakeSlack) -> None:
    save(db, "Video launch")
    fake_slack.fail_next("chat.postMessage", status=500, after=True)

    outcome = poster.post_now(channel_id=CHANNEL)

    assert outcome.status == "posted"
    assert len(_in_channel(fake_slack)) == 1


def test_retry_after_a_lost_answer_finds_the_message_in_history_and_does_not_post_again(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    fake_slack.fail_next("chat.postMessage", status=500, after=True)
    fake_slack.fail_next("conversations.history", status=500)  # and looking for it failed too: a failed run
    poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)
    (failed,) = _runs_to_retry(db)

    outcome = poster.retry(failed)

    assert outcome.status == "posted"
    (message,) = _in_channel(fake_slack)
    assert len([c for c in fake_slack.api_calls("chat.postMessage") if "thread_ts" not in c.body]) == 1
    run = _last_run(db)
    assert run is not None and (run.status, run.message_ts) == ("posted", message["ts"])


def test_retry_after_a_lost_answer_posts_the_scenario_list_in_the_digest_thread(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """The main message ends "the full list and a chart are in the thread": when its answer was lost, the retry
    records the message it finds and then posts the thread, which never got there."""
    poster = _poster(sqlite_db, client)
    save(sqlite_db, "Video launch")
    fake_slack.fail_next("chat.postMessage", status=500, after=True)
    fake_slack.fail_next("conversations.history", status=500)
    poster.post_weekly(_subscribe(sqlite_db), week=W48, due_at=MONDAY_48)
    (failed,) = _runs_to_retry(sqlite_db)

    poster.retry(failed)

    (message,) = _in_channel(fake_slack)
    assert _in_thread(fake_slack, message["ts"]) != []


def test_retry_of_a_post_that_never_reached_slack_posts_it(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    fake_slack.fail_next("chat.postMessage", status=500)
    first = poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)
    assert (first.status, _in_channel(fake_slack)) == ("failed", [])
    (failed,) = _runs_to_retry(db)

    outcome = poster.retry(failed)

    assert outcome.status == "posted"
    assert len(_in_channel(fake_slack)) == 1


def test_run_claimed_and_abandoned_is_retried_once_stale_and_posted_once(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    _subscribe(db)
    with db.session() as session:  # a process claimed it, then died before posting
        claim_run(session=session, team_id=TEAM, channel_id=CHANNEL, kind="weekly", week=W48, due_at=MONDAY_48,
                  claimed_by="host-dead:1")  # fmt: skip
    (abandoned,) = _runs_to_retry(db, stale_before=utcnow() + timedelta(minutes=1))

    outcome = poster.retry(abandoned)

    assert outcome.status == "posted"
    assert len(_in_channel(fake_slack)) == 1


def test_two_retriers_racing_for_one_failed_run_post_it_once(
    db: Database, second_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    fake_slack.fail_next("chat.postMessage", status=500)
    _poster(db, client).post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)
    (failed,) = _runs_to_retry(db)
    posters = [_poster(db, client, claimed_by="host-a:101"), _poster(second_db, client, claimed_by="host-b:202")]

    outcomes = all_at_once(2, lambda i: posters[i].retry(failed))

    assert sorted(outcome.status for outcome in outcomes) == ["posted", "skipped"]
    assert len(_in_channel(fake_slack)) == 1


# --- a channel that can't take the digest --------------------------------------------------------------------


def test_post_to_an_archived_channel_fails_saying_it_is_archived(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    fake_slack.broken_channels[CHANNEL] = "is_archived"

    outcome = poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    assert outcome.status == "failed"
    assert "archived" in outcome.detail


def test_post_to_an_archived_channel_records_the_problem_on_its_subscription(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    fake_slack.broken_channels[CHANNEL] = "is_archived"

    poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    with db.session(write=False) as session:
        subscription = get_subscription(session=session, team_id=TEAM, channel_id=CHANNEL)
    assert subscription is not None
    assert subscription.last_error is not None and "archived" in subscription.last_error


def test_successful_post_after_the_channel_is_fixed_clears_its_problem(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    subscription = _subscribe(db)
    fake_slack.broken_channels[CHANNEL] = "is_archived"
    poster.post_weekly(subscription, week=W48, due_at=MONDAY_48)
    del fake_slack.broken_channels[CHANNEL]  # unarchived

    outcome = poster.post_weekly(subscription, week=W49, due_at=MONDAY_49)

    assert outcome.status == "posted"
    with db.session(write=False) as session:
        fixed = get_subscription(session=session, team_id=TEAM, channel_id=CHANNEL)
    assert fixed is not None and fixed.last_error is None


# --- what the digest says ------------------------------------------------------------------------------------


def test_digest_of_many_scenarios_continues_in_its_thread_within_slacks_limits(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    _save_many(db, 350)

    poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    (main,) = _in_channel(fake_slack)
    thread = _in_thread(fake_slack, main["ts"])
    assert len(thread) >= 3
    assert len(fake_slack.posted(CHANNEL)) == 1 + len(thread)  # every other message is in the digest's thread
    for message in [main, *thread]:
        assert len(message["blocks"]) <= 50
        sections = [block["text"]["text"] for block in message["blocks"] if block["type"] == "section"
                    and "text" in block]  # fmt: skip
        assert all(len(text) <= 3000 for text in sections)


def test_digest_now_does_not_count_as_the_weeks_digest(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")
    poster.post_now(channel_id=CHANNEL, now=MONDAY_48 - timedelta(hours=1))

    weekly = poster.post_weekly(_subscribe(db), week=W48, due_at=MONDAY_48)

    assert weekly.status == "posted"
    assert len(_in_channel(fake_slack)) == 2


def test_digest_now_twice_in_a_row_posts_twice(db: Database, poster: DigestPoster, fake_slack: FakeSlack) -> None:
    save(db, "Video launch")

    outcomes = [poster.post_now(channel_id=CHANNEL), poster.post_now(channel_id=CHANNEL)]

    assert [outcome.status for outcome in outcomes] == ["posted", "posted"]
    assert len(_in_channel(fake_slack)) == 2


def test_next_weeks_digest_says_what_changed_since_the_last_one(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    scenario = save(db, "Video launch")  # 1M users a day
    subscription = _subscribe(db)
    poster.post_weekly(subscription, week=W47, due_at=MONDAY_47)
    with db.session(write=False) as session:
        week_47 = previous_figures(session=session, team_id=TEAM, channel_id=CHANNEL, before=MONDAY_48)
    assert week_47 is not None
    with db.session() as session:  # "what if 2M users" in the scenario's thread
        add_version(session=session, team_id=TEAM, scenario_id=scenario.id,
                    version_create=version_create("video 10s x 2M users per day value $0.05 each"))  # fmt: skip

    poster.post_weekly(subscription, week=W48, due_at=MONDAY_48)

    said = _words(_in_channel(fake_slack)[1])
    assert "v1 → v2" in said
    assert f"from {format_usd(Decimal(week_47['totals']['api_week']))}/week" in said


def test_digest_of_a_channel_without_scenarios_says_how_to_save_one(
    db: Database, poster: DigestPoster, fake_slack: FakeSlack
) -> None:
    outcome = poster.post_weekly(_subscribe(db, OTHER_CHANNEL), week=W48, due_at=MONDAY_48)

    assert outcome.status == "posted"
    (message,) = _in_channel(fake_slack, OTHER_CHANNEL)
    assert "/cost save" in _words(message)


# --- pacing posts to a channel -------------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps, and remembers every sleep."""

    def __init__(self, *, advances: bool = True) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self._advances = advances
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            if self._advances:
                self.now += seconds


def test_second_post_to_a_channel_waits_the_interval() -> None:
    clock = FakeClock()
    pace = ChannelPace(1.0, clock=clock, sleep=clock.sleep)

    pace.wait(CHANNEL)
    pace.wait(CHANNEL)

    assert clock.slept == [1.0]


def test_posts_to_different_channels_do_not_wait_for_each_other() -> None:
    clock = FakeClock()
    pace = ChannelPace(1.0, clock=clock, sleep=clock.sleep)

    pace.wait(CHANNEL)
    pace.wait(OTHER_CHANNEL)

    assert clock.slept == []


def test_post_after_the_interval_has_passed_does_not_wait() -> None:
    clock = FakeClock()
    pace = ChannelPace(1.0, clock=clock, sleep=clock.sleep)
    pace.wait(CHANNEL)

    clock.now += 1.5
    pace.wait(CHANNEL)

    assert clock.slept == []


def test_posts_to_one_channel_from_several_threads_are_spaced_by_the_interval() -> None:
    clock = FakeClock(advances=False)  # all four ask at the same instant
    pace = ChannelPace(1.0, clock=clock, sleep=clock.sleep)

    all_at_once(4, lambda _: pace.wait(CHANNEL))

    assert sorted(clock.slept) == [1.0, 2.0, 3.0]
