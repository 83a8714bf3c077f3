"""Digest subscriptions and runs: one schedule per channel, one weekly post per channel and week, whoever asks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import col

from costing import EstimateFigures
from storage import (
    Database,
    DigestRunPublic,
    DigestSubscriptionCreate,
    DigestSubscriptionPublic,
    active_subscriptions,
    add_version,
    claim_run,
    claimed_weeks,
    due_subscriptions,
    fail_run,
    finish_run,
    get_subscription,
    last_run,
    previous_figures,
    reclaim_run,
    record_channel_problem,
    runs_to_retry,
    scenarios_for_digest,
    set_card,
    set_next_due,
    subscribe,
    subscriptions_by_creator,
    unsubscribe,
    week_run,
)
from storage.models import DigestRun, DigestSubscription
from storage.types import utcnow
from tests.storage.factories import (
    AUTHOR,
    CHANNEL,
    CHAT,
    IMAGE,
    OTHER_AUTHOR,
    OTHER_CHANNEL,
    OTHER_TEAM,
    TEAM,
    VIDEO,
    all_at_once,
    count_rows,
    estimate,
    save,
    version_create,
)

W47, W48, W49 = "2026-W47", "2026-W48", "2026-W49"
#: The Mondays, 08:00 UTC, of ISO weeks 47, 48 and 49 of 2026.
MONDAY_47 = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
MONDAY_48 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MONDAY_49 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
HOST_A, HOST_B = "host-a:101", "host-b:202"
TS = "1764000000.000100"
PERMALINK = "https://acme.slack.com/archives/C0CHAN1/p1764000000000100"
FIGURES: dict[str, Any] = {"version": 1, "total_week_usd": "1234.50", "scenarios": {"1": "1234.50"}}


# --- helpers -------------------------------------------------------------------------------------------------


def _create(
    channel_id: str = CHANNEL, *, team_id: str = TEAM, created_by: str = AUTHOR, weekday: int = 0,
    at_time: str = "09:00", timezone: str = "Europe/Berlin",
) -> DigestSubscriptionCreate:  # fmt: skip
    return DigestSubscriptionCreate(
        team_id=team_id, channel_id=channel_id, created_by=created_by, weekday=weekday, at_time=at_time,
        timezone=timezone,
    )  # fmt: skip


def _subscribe(db: Database, channel_id: str = CHANNEL, **fields: Any) -> DigestSubscriptionPublic:
    with db.session() as session:
        return subscribe(session=session, subscription=_create(channel_id, **fields))


def _unsubscribe(db: Database, channel_id: str = CHANNEL, team_id: str = TEAM) -> DigestSubscriptionPublic | None:
    with db.session() as session:
        return unsubscribe(session=session, team_id=team_id, channel_id=channel_id)


def _get(db: Database, channel_id: str = CHANNEL, team_id: str = TEAM) -> DigestSubscriptionPublic | None:
    with db.session(write=False) as session:
        return get_subscription(session=session, team_id=team_id, channel_id=channel_id)


def _problem(db: Database, error: str | None, channel_id: str = CHANNEL, team_id: str = TEAM) -> None:
    with db.session() as session:
        record_channel_problem(session=session, team_id=team_id, channel_id=channel_id, error=error)


def _claim(
    db: Database, week: str | None = W48, *, kind: str = "weekly", channel_id: str = CHANNEL, team_id: str = TEAM,
    due_at: datetime = MONDAY_48, claimed_by: str = HOST_A,
) -> DigestRunPublic | None:  # fmt: skip
    with db.session() as session:
        return claim_run(
            session=session, team_id=team_id, channel_id=channel_id, kind=kind, week=week, due_at=due_at,
            claimed_by=claimed_by,
        )  # fmt: skip


def _claimed(db: Database, week: str | None = W48, **fields: Any) -> DigestRunPublic:
    """A run claimed for the test's setup (which must not clash)."""
    run = _claim(db, week, **fields)
    assert run is not None
    return run


def _now_run(db: Database, due_at: datetime = MONDAY_48, **fields: Any) -> DigestRunPublic:
    return _claimed(db, None, kind="now", due_at=due_at, **fields)


def _finish(
    db: Database, run_id: int, *, figures: dict[str, Any] | None = FIGURES, error: str | None = None,
    message_ts: str = TS, permalink: str | None = PERMALINK,
) -> None:  # fmt: skip
    with db.session() as session:
        finish_run(
            session=session, run_id=run_id, message_ts=message_ts, permalink=permalink, figures=figures, error=error
        )


def _fail(db: Database, run_id: int, error: str = "channel_not_found") -> None:
    with db.session() as session:
        fail_run(session=session, run_id=run_id, error=error)


def _reclaim(db: Database, run_id: int, attempts: int, claimed_by: str = HOST_B) -> DigestRunPublic | None:
    with db.session() as session:
        return reclaim_run(session=session, run_id=run_id, attempts=attempts, claimed_by=claimed_by)


def _week_run(db: Database, week: str = W48, channel_id: str = CHANNEL, team_id: str = TEAM) -> DigestRunPublic | None:
    with db.session(write=False) as session:
        return week_run(session=session, team_id=team_id, channel_id=channel_id, week=week)


def _run(db: Database, run_id: int, week: str = W48) -> DigestRunPublic:
    run = _week_run(db, week)
    assert run is not None and run.id == run_id
    return run


def _last_run(db: Database, *, posted: bool = False, channel_id: str = CHANNEL) -> DigestRunPublic | None:
    with db.session(write=False) as session:
        return last_run(session=session, team_id=TEAM, channel_id=channel_id, posted=posted)


def _previous(
    db: Database, before: datetime = MONDAY_49, channel_id: str = CHANNEL, team_id: str = TEAM
) -> dict[str, Any] | None:
    with db.session(write=False) as session:
        return previous_figures(session=session, team_id=team_id, channel_id=channel_id, before=before)


def _set_claimed_at(db: Database, run_id: int, when: datetime) -> None:
    """Backdate a claim, as if its process had died long ago (claim_run always stamps the present)."""
    with db.session() as session:
        session.exec(
            update(DigestRun).where(col(DigestRun.id) == run_id).values(claimed_at=when)  # type: ignore[call-overload]
        )


def _outcomes(results: list[object]) -> Counter[str]:
    return Counter(type(result).__name__ for result in results)


@pytest.fixture
def second_process(db: Database) -> Iterator[Database]:
    """Another engine on `db` (the same SQLite file or PostgreSQL database), as a second process would have."""
    other = Database(db.url)
    yield other
    other.dispose()


# --- subscribing ---------------------------------------------------------------------------------------------


def test_subscribing_keeps_the_channels_schedule_and_who_set_it_up(db: Database) -> None:
    subscription = _subscribe(db, weekday=4, at_time="16:30", timezone="America/New_York")
    assert (
        subscription.team_id, subscription.channel_id, subscription.created_by, subscription.weekday,
        subscription.at_time, subscription.timezone, subscription.active, subscription.last_error,
    ) == (TEAM, CHANNEL, AUTHOR, 4, "16:30", "America/New_York", True, None)  # fmt: skip


def test_a_new_subscription_is_found_as_it_was_returned(db: Database) -> None:
    subscription = _subscribe(db)
    assert _get(db) == subscription


@pytest.mark.parametrize(
    "fields",
    [
        {"team_id": "team1"},
        {"team_id": "C0CHAN1"},
        {"channel_id": "general"},
        {"channel_id": "T0TEAM1"},
        {"created_by": "alice"},
        {"created_by": "C0CHAN1"},
        {"at_time": "25:00"},
        {"at_time": "9:00"},
        {"at_time": "09:60"},
        {"weekday": 7},
        {"weekday": -1},
        {"timezone": ""},
    ],
    ids=lambda fields: "-".join(f"{key}={value!r}" for key, value in fields.items()),
)
def test_a_subscription_refuses_malformed_input(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _create(**fields)


def test_subscribing_again_reschedules_the_same_subscription(db: Database) -> None:
    first = _subscribe(db, weekday=0, at_time="09:00", timezone="Europe/Berlin")
    again = _subscribe(db, weekday=2, at_time="14:15", timezone="Asia/Tokyo")
    assert (again.id, again.weekday, again.at_time, again.timezone) == (first.id, 2, "14:15", "Asia/Tokyo")


def test_subscribing_again_leaves_one_row(db: Database) -> None:
    _subscribe(db)
    _subscribe(db, weekday=3)
    assert count_rows(db, "digest_subscription") == 1


def test_subscribing_a_stopped_channel_again_restarts_its_digest_and_forgets_its_problem(db: Database) -> None:
    first = _subscribe(db)
    _problem(db, "not_in_channel")
    _unsubscribe(db)
    again = _subscribe(db, weekday=1)
    assert (again.id, again.active, again.last_error) == (first.id, True, None)


def test_unsubscribing_stops_the_digest_and_returns_it(db: Database) -> None:
    subscription = _subscribe(db)
    stopped = _unsubscribe(db)
    assert stopped is not None and (stopped.id, stopped.active) == (subscription.id, False)


def test_unsubscribing_a_channel_without_a_digest_returns_none(db: Database) -> None:
    _subscribe(db, OTHER_CHANNEL)
    assert _unsubscribe(db, CHANNEL) is None


def test_unsubscribing_a_stopped_digest_returns_none(db: Database) -> None:
    _subscribe(db)
    _unsubscribe(db)
    assert _unsubscribe(db) is None


def test_unsubscribing_in_another_workspace_leaves_the_digest_running(db: Database) -> None:
    _subscribe(db)
    assert (_unsubscribe(db, team_id=OTHER_TEAM), _get(db).active) == (None, True)  # type: ignore[union-attr]


def test_a_stopped_subscription_is_still_found(db: Database) -> None:
    _subscribe(db)
    _unsubscribe(db)
    found = _get(db)
    assert found is not None and found.active is False


def test_a_channel_never_subscribed_has_no_subscription(db: Database) -> None:
    _subscribe(db, OTHER_CHANNEL)
    assert (_get(db, CHANNEL), _get(db, OTHER_CHANNEL, team_id=OTHER_TEAM)) == (None, None)


def test_active_subscriptions_leave_stopped_ones_out(db: Database) -> None:
    _subscribe(db, "C0RUNNING")
    _subscribe(db, "C0STOPPED")
    _unsubscribe(db, "C0STOPPED")
    with db.session(write=False) as session:
        running = active_subscriptions(session=session)
    assert [s.channel_id for s in running] == ["C0RUNNING"]


def test_active_subscriptions_are_listed_by_workspace_and_channel(db: Database) -> None:
    _subscribe(db, "C0ZULU", team_id=OTHER_TEAM)
    _subscribe(db, "C0ZULU")
    _subscribe(db, "C0ALPHA")
    with db.session(write=False) as session:
        running = active_subscriptions(session=session)
    assert [(s.team_id, s.channel_id) for s in running] == [(TEAM, "C0ALPHA"), (TEAM, "C0ZULU"), (OTHER_TEAM, "C0ZULU")]


def test_active_subscriptions_of_one_workspace(db: Database) -> None:
    _subscribe(db, CHANNEL)
    _subscribe(db, OTHER_CHANNEL)
    _subscribe(db, CHANNEL, team_id=OTHER_TEAM)
    with db.session(write=False) as session:
        running = active_subscriptions(session=session, team_id=TEAM)
    assert [(s.team_id, s.channel_id) for s in running] == [(TEAM, CHANNEL), (TEAM, OTHER_CHANNEL)]


def test_active_subscriptions_of_one_channel(db: Database) -> None:
    _subscribe(db, CHANNEL)
    _subscribe(db, OTHER_CHANNEL)
    _subscribe(db, CHANNEL, team_id=OTHER_TEAM)
    with db.session(write=False) as session:
        running = active_subscriptions(session=session, team_id=TEAM, channel_id=CHANNEL)
    assert [(s.team_id, s.channel_id) for s in running] == [(TEAM, CHANNEL)]


def _subscription_row(db: Database, channel: str, *, team_id: str = TEAM, user: str = AUTHOR) -> None:
    with db.session() as session:
        session.add(DigestSubscription(team_id=team_id, channel_id=channel, created_by=user, weekday=0,
                                       at_time="09:00", timezone="Europe/Berlin"))  # fmt: skip


def test_a_users_digests_are_listed_by_channel_in_their_workspace_only(db: Database) -> None:
    _subscription_row(db, "C0ZULU")
    _subscription_row(db, "C0ALPHA")
    _subscription_row(db, "C0THEIRS", user=OTHER_AUTHOR)
    _subscription_row(db, "C0ELSEWHERE", team_id=OTHER_TEAM)
    with db.session(write=False) as session:
        mine = subscriptions_by_creator(session=session, team_id=TEAM, user_id=AUTHOR)
    assert [s.channel_id for s in mine] == ["C0ALPHA", "C0ZULU"]


def test_a_users_stopped_digests_are_listed_after_the_running_ones_when_asked(db: Database) -> None:
    _subscribe(db, "C0STOPPED")
    _subscribe(db, "C0RUNNING")
    _unsubscribe(db, "C0STOPPED")
    with db.session(write=False) as session:
        running = subscriptions_by_creator(session=session, team_id=TEAM, user_id=AUTHOR)
        every = subscriptions_by_creator(session=session, team_id=TEAM, user_id=AUTHOR, stopped=True)
    assert [s.channel_id for s in running] == ["C0RUNNING"]
    assert [(s.channel_id, s.active) for s in every] == [("C0RUNNING", True), ("C0STOPPED", False)]


def _subscriber(*databases: Database) -> Callable[[int], DigestSubscriptionPublic]:
    def work(index: int) -> DigestSubscriptionPublic:
        with databases[index % len(databases)].session() as session:
            return subscribe(session=session, subscription=_create(weekday=index % 7))

    return work


def test_ten_subscriptions_of_one_channel_at_once_all_succeed(db: Database) -> None:
    results = all_at_once(10, _subscriber(db))
    assert _outcomes(results) == {"DigestSubscriptionPublic": 10}


def test_ten_subscriptions_of_one_channel_at_once_leave_one_row(db: Database) -> None:
    results = all_at_once(10, _subscriber(db))
    ids = {getattr(result, "id", None) for result in results}
    # One row, and every caller was handed it (on PostgreSQL an insert that lost the race still used up an id,
    # so the row's id is whichever the winner drew: not always 1).
    assert (len(ids), None in ids, count_rows(db, "digest_subscription")) == (1, False, 1)


def test_subscriptions_of_one_channel_from_two_processes_at_once_leave_one_row(
    db: Database, second_process: Database
) -> None:
    results = all_at_once(10, _subscriber(db, second_process))
    assert (_outcomes(results), count_rows(db, "digest_subscription")) == ({"DigestSubscriptionPublic": 10}, 1)


# --- problems posting to a channel ---------------------------------------------------------------------------


def test_a_channel_problem_is_recorded_for_that_channel_only(db: Database) -> None:
    _subscribe(db, CHANNEL)
    _subscribe(db, OTHER_CHANNEL)
    _subscribe(db, CHANNEL, team_id=OTHER_TEAM)
    _problem(db, "is_archived")
    problems = [
        _get(db, CHANNEL).last_error,  # type: ignore[union-attr]
        _get(db, OTHER_CHANNEL).last_error,  # type: ignore[union-attr]
        _get(db, CHANNEL, team_id=OTHER_TEAM).last_error,  # type: ignore[union-attr]
    ]
    assert problems == ["is_archived", None, None]


def test_a_channel_problem_is_cut_to_300_characters(db: Database) -> None:
    _subscribe(db)
    _problem(db, "x" * 299 + "yz")
    assert _get(db).last_error == "x" * 299 + "y"  # type: ignore[union-attr]


def test_a_channel_problem_is_forgotten_once_posting_works_again(db: Database) -> None:
    _subscribe(db)
    _problem(db, "not_in_channel")
    _problem(db, None)
    assert _get(db).last_error is None  # type: ignore[union-attr]


def test_a_channel_problem_leaves_the_subscription_running(db: Database) -> None:
    _subscribe(db)
    _problem(db, "not_in_channel")
    assert _get(db).active is True  # type: ignore[union-attr]


# --- claiming a run ------------------------------------------------------------------------------------------


def test_the_first_claim_of_a_week_gets_the_run(db: Database) -> None:
    run = _claim(db, W48, due_at=MONDAY_48, claimed_by=HOST_A)
    assert run is not None and (
        run.team_id, run.channel_id, run.kind, run.week, run.due_at, run.status, run.attempts, run.claimed_by,
    ) == (TEAM, CHANNEL, "weekly", W48, MONDAY_48, "claimed", 1, HOST_A)  # fmt: skip


def test_a_claimed_run_has_posted_nothing_yet(db: Database) -> None:
    run = _claimed(db)
    assert (run.posted_at, run.message_ts, run.permalink, run.error) == (None, None, None, None)


def test_a_second_claim_of_the_same_week_gets_nothing(db: Database) -> None:
    _claimed(db, W48, claimed_by=HOST_A)
    assert _claim(db, W48, claimed_by=HOST_B) is None


def test_a_lost_claim_leaves_the_first_claimant_in_the_table(db: Database) -> None:
    first = _claimed(db, W48, claimed_by=HOST_A)
    _claim(db, W48, claimed_by=HOST_B)
    assert (_week_run(db, W48), count_rows(db, "digest_run")) == (first, 1)


def test_a_lost_claim_leaves_its_unit_of_work_usable(db: Database) -> None:
    _claimed(db, W48)
    with db.session() as session:
        lost = claim_run(session=session, team_id=TEAM, channel_id=CHANNEL, kind="weekly", week=W48,
                         due_at=MONDAY_48, claimed_by=HOST_B)  # fmt: skip
        won = claim_run(session=session, team_id=TEAM, channel_id=CHANNEL, kind="weekly", week=W49,
                        due_at=MONDAY_49, claimed_by=HOST_B)  # fmt: skip
    assert (lost, won is not None, count_rows(db, "digest_run")) == (None, True, 2)


@pytest.mark.parametrize(
    "other",
    [
        {"week": W49, "due_at": MONDAY_49},
        {"channel_id": OTHER_CHANNEL},
        {"team_id": OTHER_TEAM},
    ],
    ids=["another-week", "another-channel", "another-workspace"],
)
def test_claims_of_other_weeks_channels_and_workspaces_are_independent(db: Database, other: dict[str, Any]) -> None:
    _claimed(db, W48)
    fields = {"week": W48, **other}
    assert _claim(db, fields.pop("week"), **fields) is not None


def test_now_runs_never_clash_with_each_other(db: Database) -> None:
    first = _claim(db, None, kind="now")
    second = _claim(db, None, kind="now")
    assert first is not None and second is not None and first.id != second.id


def test_now_runs_never_clash_with_the_weekly_run(db: Database) -> None:
    _claimed(db, W48)
    now = _claim(db, None, kind="now", due_at=MONDAY_48)
    assert now is not None and (now.kind, now.week, now.status, now.attempts) == ("now", None, "claimed", 1)


def test_the_weekly_run_can_be_claimed_after_a_now_run(db: Database) -> None:
    _now_run(db)
    assert _claim(db, W48) is not None


@pytest.mark.parametrize(
    ("kind", "week"), [("weekly", None), ("now", W48)], ids=["weekly-without-week", "now-with-week"]
)
def test_a_weekly_run_needs_a_week_and_a_now_run_has_none(db: Database, kind: str, week: str | None) -> None:
    with pytest.raises(ValueError, match="week"):
        _claim(db, week, kind=kind)


def test_a_refused_run_leaves_no_row(db: Database) -> None:
    with pytest.raises(ValueError):
        _claim(db, None, kind="weekly")
    assert count_rows(db, "digest_run") == 0


def _claimer(*databases: Database) -> Callable[[int], DigestRunPublic | None]:
    def work(index: int) -> DigestRunPublic | None:
        with databases[index % len(databases)].session() as session:
            return claim_run(session=session, team_id=TEAM, channel_id=CHANNEL, kind="weekly", week=W48,
                             due_at=MONDAY_48, claimed_by=f"host:{index}")  # fmt: skip

    return work


def test_twelve_claims_of_one_week_at_once_one_gets_the_run_and_eleven_nothing(db: Database) -> None:
    results = all_at_once(12, _claimer(db))
    assert _outcomes(results) == {"DigestRunPublic": 1, "NoneType": 11}


def test_twelve_claims_of_one_week_at_once_leave_the_winners_row(db: Database) -> None:
    results = all_at_once(12, _claimer(db))
    [winner] = [result for result in results if isinstance(result, DigestRunPublic)]
    assert (_week_run(db, W48), count_rows(db, "digest_run")) == (winner, 1)


def test_two_processes_claiming_one_week_at_once_one_gets_the_run(db: Database, second_process: Database) -> None:
    results = all_at_once(12, _claimer(db, second_process))
    assert (_outcomes(results), count_rows(db, "digest_run")) == ({"DigestRunPublic": 1, "NoneType": 11}, 1)


# --- finishing and failing -----------------------------------------------------------------------------------


def test_a_finished_run_is_posted_with_its_message_and_permalink(db: Database) -> None:
    run = _claimed(db)
    _finish(db, run.id, message_ts=TS, permalink=PERMALINK)
    posted = _run(db, run.id)
    assert (posted.status, posted.message_ts, posted.permalink, posted.error) == ("posted", TS, PERMALINK, None)


def test_a_finished_run_knows_when_it_was_posted(db: Database) -> None:
    run = _claimed(db)
    before = utcnow()
    _finish(db, run.id)
    posted_at = _run(db, run.id).posted_at
    assert posted_at is not None and before <= posted_at <= utcnow()


def test_a_finished_run_keeps_the_figures_it_showed(db: Database) -> None:
    run = _claimed(db)
    _finish(db, run.id, figures=FIGURES)
    assert _previous(db, MONDAY_49) == FIGURES


def test_a_finished_run_keeps_what_went_wrong_after_posting_cut_to_300_characters(db: Database) -> None:
    run = _claimed(db)
    _finish(db, run.id, error="chart upload failed: " + "x" * 400)
    posted = _run(db, run.id)
    assert (posted.status, posted.error) == ("posted", ("chart upload failed: " + "x" * 400)[:300])


def test_finishing_a_failed_run_posts_it_and_forgets_the_failure(db: Database) -> None:
    run = _claimed(db)
    _fail(db, run.id, "timeout")
    _finish(db, run.id)
    posted = _run(db, run.id)
    assert (posted.status, posted.error) == ("posted", None)


def test_finishing_a_run_that_is_gone_raises_lookup_error(db: Database) -> None:
    with pytest.raises(LookupError):
        _finish(db, 4242)


def test_a_failed_run_keeps_its_error(db: Database) -> None:
    run = _claimed(db)
    _fail(db, run.id, "channel_not_found")
    failed = _run(db, run.id)
    assert (failed.status, failed.error, failed.message_ts) == ("failed", "channel_not_found", None)


def test_a_failed_runs_error_is_cut_to_300_characters(db: Database) -> None:
    run = _claimed(db)
    _fail(db, run.id, "e" * 500)
    assert _run(db, run.id).error == "e" * 300


def test_failing_a_posted_run_leaves_it_posted(db: Database) -> None:
    run = _claimed(db)
    _finish(db, run.id)
    _fail(db, run.id, "late timeout")
    posted = _run(db, run.id)
    assert (posted.status, posted.message_ts, posted.error) == ("posted", TS, None)


# --- taking over a failed or abandoned run -------------------------------------------------------------------


def test_reclaiming_a_failed_run_claims_it_again_for_the_new_process(db: Database) -> None:
    run = _claimed(db, claimed_by=HOST_A)
    _fail(db, run.id)
    again = _reclaim(db, run.id, attempts=1, claimed_by=HOST_B)
    assert again is not None and (again.id, again.status, again.attempts, again.claimed_by) == (
        run.id, "claimed", 2, HOST_B,
    )  # fmt: skip


def test_a_reclaimed_run_is_stamped_with_the_new_claim_time(db: Database) -> None:
    run = _claimed(db)
    _set_claimed_at(db, run.id, MONDAY_47)
    _fail(db, run.id)
    before = utcnow()
    again = _reclaim(db, run.id, attempts=1)
    assert again is not None and before <= again.claimed_at <= utcnow()


def test_reclaiming_an_abandoned_claim_takes_it_over(db: Database) -> None:
    run = _claimed(db, claimed_by=HOST_A)
    again = _reclaim(db, run.id, attempts=1, claimed_by=HOST_B)
    assert again is not None and (again.attempts, again.claimed_by) == (2, HOST_B)


def test_a_second_reclaim_with_the_old_attempt_count_gets_nothing(db: Database) -> None:
    run = _claimed(db)
    _fail(db, run.id)
    _reclaim(db, run.id, attempts=1, claimed_by=HOST_B)
    assert _reclaim(db, run.id, attempts=1, claimed_by="host-c:303") is None


def test_a_lost_reclaim_leaves_the_winners_claim(db: Database) -> None:
    run = _claimed(db)
    _fail(db, run.id)
    _reclaim(db, run.id, attempts=1, claimed_by=HOST_B)
    _reclaim(db, run.id, attempts=1, claimed_by="host-c:303")
    current = _run(db, run.id)
    assert (current.claimed_by, current.attempts) == (HOST_B, 2)


def test_a_posted_run_cannot_be_reclaimed(db: Database) -> None:
    run = _claimed(db)
    _finish(db, run.id)
    assert (_reclaim(db, run.id, attempts=1), _run(db, run.id).status) == (None, "posted")


def test_a_run_that_is_gone_cannot_be_reclaimed(db: Database) -> None:
    assert _reclaim(db, 4242, attempts=1) is None


def test_eight_reclaims_of_one_failed_run_at_once_one_wins(db: Database) -> None:
    run = _claimed(db)
    _fail(db, run.id)

    def work(index: int) -> DigestRunPublic | None:
        return _reclaim(db, run.id, attempts=1, claimed_by=f"host:{index}")

    results = all_at_once(8, work)
    winners = [result for result in results if isinstance(result, DigestRunPublic)]
    assert (_outcomes(results), [w.attempts for w in winners]) == ({"DigestRunPublic": 1, "NoneType": 7}, [2])


def test_reclaims_from_two_processes_at_once_one_wins(db: Database, second_process: Database) -> None:
    run = _claimed(db)
    _fail(db, run.id)
    databases = (db, second_process)

    def work(index: int) -> DigestRunPublic | None:
        return _reclaim(databases[index % 2], run.id, attempts=1, claimed_by=f"host:{index}")

    results = all_at_once(8, work)
    assert (_outcomes(results), _run(db, run.id).attempts) == ({"DigestRunPublic": 1, "NoneType": 7}, 2)


# --- what to retry -------------------------------------------------------------------------------------------

DUE_SINCE = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)


def _to_retry(db: Database, *, max_attempts: int = 3, team_id: str = TEAM) -> list[int]:
    with db.session(write=False) as session:
        runs = runs_to_retry(session=session, team_id=team_id, due_since=DUE_SINCE,
                             stale_before=utcnow() - timedelta(minutes=15), max_attempts=max_attempts)  # fmt: skip
    return [run.id for run in runs]


def _failed(db: Database, week: str = W48, **fields: Any) -> DigestRunPublic:
    """A run whose post failed, in a channel whose digest is on."""
    _subscribe(db, fields.get("channel_id", CHANNEL), team_id=fields.get("team_id", TEAM))
    run = _claimed(db, week, **fields)
    _fail(db, run.id)
    return run


def _abandoned(db: Database, week: str = W48, **fields: Any) -> DigestRunPublic:
    _subscribe(db, fields.get("channel_id", CHANNEL), team_id=fields.get("team_id", TEAM))
    run = _claimed(db, week, **fields)
    _set_claimed_at(db, run.id, utcnow() - timedelta(hours=2))
    return run


def test_a_failed_run_is_retried(db: Database) -> None:
    run = _failed(db)
    assert _to_retry(db) == [run.id]


def test_a_failed_run_of_a_stopped_digest_is_not_retried(db: Database) -> None:
    _failed(db)
    _unsubscribe(db)
    assert _to_retry(db) == []


def test_a_run_claimed_before_stale_before_is_retried(db: Database) -> None:
    run = _abandoned(db)
    assert _to_retry(db) == [run.id]


def test_a_fresh_claim_is_not_retried(db: Database) -> None:
    _claimed(db)
    assert _to_retry(db) == []


def test_a_posted_run_is_not_retried(db: Database) -> None:
    run = _abandoned(db)
    _finish(db, run.id)
    assert _to_retry(db) == []


def test_a_run_due_before_due_since_is_not_retried(db: Database) -> None:
    _failed(db, "2026-W45", due_at=DUE_SINCE - timedelta(seconds=1))
    on_time = _failed(db, "2026-W46", due_at=DUE_SINCE)
    assert _to_retry(db) == [on_time.id]


def test_a_run_at_max_attempts_is_not_retried(db: Database) -> None:
    run = _failed(db)
    _reclaim(db, run.id, attempts=1)
    _fail(db, run.id)
    assert (_to_retry(db, max_attempts=3), _to_retry(db, max_attempts=2)) == ([run.id], [])


def test_another_workspaces_runs_are_not_retried(db: Database) -> None:
    _failed(db, team_id=OTHER_TEAM)
    _abandoned(db, team_id=OTHER_TEAM, channel_id=OTHER_CHANNEL)
    assert _to_retry(db) == []


def test_now_runs_are_not_retried(db: Database) -> None:
    failed = _now_run(db)
    _fail(db, failed.id)
    abandoned = _now_run(db)
    _set_claimed_at(db, abandoned.id, utcnow() - timedelta(hours=2))
    assert _to_retry(db) == []


def test_runs_to_retry_come_earliest_due_first(db: Database) -> None:
    w49 = _failed(db, W49, due_at=MONDAY_49)
    w47 = _abandoned(db, W47, due_at=MONDAY_47)
    w48 = _failed(db, W48, due_at=MONDAY_48)
    assert _to_retry(db) == [w47.id, w48.id, w49.id]


# --- the runs of a channel -----------------------------------------------------------------------------------


def test_week_run_is_the_channels_run_of_that_week(db: Database) -> None:
    _claimed(db, W47, due_at=MONDAY_47)
    w48 = _claimed(db, W48)
    _claimed(db, W48, channel_id=OTHER_CHANNEL)
    _claimed(db, W48, team_id=OTHER_TEAM)
    assert _week_run(db, W48) == w48


def test_a_week_without_a_run_has_none(db: Database) -> None:
    _claimed(db, W48, channel_id=OTHER_CHANNEL)
    _now_run(db)
    assert (_week_run(db, W48), _week_run(db, W49, OTHER_CHANNEL)) == (None, None)


def test_the_last_run_is_the_latest_due_of_either_kind(db: Database) -> None:
    _claimed(db, W48, due_at=MONDAY_48)
    now = _now_run(db, due_at=MONDAY_48 + timedelta(days=2))
    _claimed(db, W47, due_at=MONDAY_47)
    assert _last_run(db) == now


def test_the_last_run_is_the_latest_due_not_the_latest_claimed(db: Database) -> None:
    w49 = _claimed(db, W49, due_at=MONDAY_49)
    _claimed(db, W48, due_at=MONDAY_48)
    assert _last_run(db) == w49


def test_the_last_posted_run_skips_later_unposted_ones(db: Database) -> None:
    w47 = _claimed(db, W47, due_at=MONDAY_47)
    _finish(db, w47.id)
    failed = _claimed(db, W48, due_at=MONDAY_48)
    _fail(db, failed.id)
    _claimed(db, W49, due_at=MONDAY_49)
    last = _last_run(db, posted=True)
    assert (last.id if last else None, _last_run(db).week) == (w47.id, W49)  # type: ignore[union-attr]


def test_a_channel_without_runs_has_no_last_run(db: Database) -> None:
    _claimed(db, W48, channel_id=OTHER_CHANNEL)
    assert (_last_run(db), _last_run(db, posted=True)) == (None, None)


# --- last week's figures -------------------------------------------------------------------------------------


def _posted(db: Database, week: str, due_at: datetime, figures: dict[str, Any] | None, **fields: Any) -> int:
    run = _claimed(db, week, due_at=due_at, **fields)
    _finish(db, run.id, figures=figures)
    return run.id


def test_previous_figures_are_those_of_the_latest_posted_weekly_digest_before_the_time(db: Database) -> None:
    _posted(db, W47, MONDAY_47, {"week": 47})
    _posted(db, W48, MONDAY_48, {"week": 48})
    assert _previous(db, MONDAY_49) == {"week": 48}


def test_previous_figures_ignore_a_weekly_digest_due_at_or_after_the_time(db: Database) -> None:
    _posted(db, W47, MONDAY_47, {"week": 47})
    _posted(db, W48, MONDAY_48, {"week": 48})
    _posted(db, W49, MONDAY_49, {"week": 49})
    assert _previous(db, MONDAY_48) == {"week": 47}


def test_previous_figures_ignore_a_digest_now_in_between(db: Database) -> None:
    _posted(db, W47, MONDAY_47, {"week": 47})
    now = _now_run(db, due_at=MONDAY_48)
    _finish(db, now.id, figures={"now": True})
    assert _previous(db, MONDAY_49) == {"week": 47}


def test_previous_figures_ignore_a_failed_digest(db: Database) -> None:
    _posted(db, W47, MONDAY_47, {"week": 47})
    failed = _claimed(db, W48, due_at=MONDAY_48)
    _fail(db, failed.id)
    assert _previous(db, MONDAY_49) == {"week": 47}


def test_previous_figures_ignore_other_channels_and_workspaces(db: Database) -> None:
    _posted(db, W47, MONDAY_47, {"week": 47})
    _posted(db, W48, MONDAY_48, {"other": "channel"}, channel_id=OTHER_CHANNEL)
    _posted(db, W48, MONDAY_48, {"other": "team"}, team_id=OTHER_TEAM)
    assert _previous(db, MONDAY_49) == {"week": 47}


def test_a_channel_without_a_posted_weekly_digest_has_no_previous_figures(db: Database) -> None:
    _claimed(db, W47, due_at=MONDAY_47)
    assert _previous(db, MONDAY_49) is None


def test_previous_figures_skip_a_posted_weekly_digest_that_kept_no_figures(db: Database) -> None:
    # `finish_run(figures=None)` leaves `DigestRun.figures` as the row was inserted; the JSON column stores
    # Python None as JSON 'null' (not SQL NULL), so `figures IS NOT NULL` doesn't skip it and week 48's
    # missing figures hide week 47's.
    _posted(db, W47, MONDAY_47, {"week": 47})
    _posted(db, W48, MONDAY_48, None)
    assert _previous(db, MONDAY_49) == {"week": 47}


# --- what a digest shows -------------------------------------------------------------------------------------


def _digest_scenarios(db: Database, channel_id: str = CHANNEL, team_id: str = TEAM) -> list[Any]:
    with db.session(write=False) as session:
        return scenarios_for_digest(session=session, team_id=team_id, channel_id=channel_id)


def test_a_digest_shows_the_channels_scenarios_in_the_order_they_were_saved(db: Database) -> None:
    first = save(db, "Zeta launch", text=VIDEO)
    save(db, "Elsewhere", text=CHAT, channel_id=OTHER_CHANNEL)
    second = save(db, "Alpha chat", text=CHAT)
    save(db, "Other workspace", text=IMAGE, team_id=OTHER_TEAM)
    assert [(s.id, s.name) for s in _digest_scenarios(db)] == [(first.id, "Zeta launch"), (second.id, "Alpha chat")]


def test_a_digest_scenario_carries_the_figures_of_the_estimate_as_saved(db: Database) -> None:
    save(db, "Video launch", text=VIDEO)
    [scenario] = _digest_scenarios(db)
    assert scenario.estimate == EstimateFigures.of(estimate(VIDEO))


def test_a_digest_scenario_carries_its_budget_and_no_link_before_its_card(db: Database) -> None:
    save(db, "Video launch", budget_usd_month=Decimal("1250.50"))
    [scenario] = _digest_scenarios(db)
    assert (scenario.budget_usd_month, scenario.link, scenario.version) == (Decimal("1250.50"), None, 1)


def test_a_digest_scenario_links_to_its_card(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        set_card(session=session, team_id=TEAM, scenario_id=saved.id, card_ts=TS, permalink=PERMALINK,
                 channel_private=False)  # fmt: skip
    [scenario] = _digest_scenarios(db)
    assert scenario.link == PERMALINK


def test_a_digest_scenario_is_its_latest_version(db: Database) -> None:
    saved = save(db, text=VIDEO)
    with db.session() as session:
        add_version(session=session, team_id=TEAM, scenario_id=saved.id, version_create=version_create(IMAGE))
    [scenario] = _digest_scenarios(db)
    assert (scenario.version, scenario.estimate) == (2, EstimateFigures.of(estimate(IMAGE)))


def test_a_channel_without_scenarios_shows_none(db: Database) -> None:
    save(db, channel_id=OTHER_CHANNEL)
    assert _digest_scenarios(db) == []


def test_a_subscription_in_a_time_zone_this_machine_does_not_know_is_refused() -> None:
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        DigestSubscriptionCreate(team_id=TEAM, channel_id=CHANNEL, created_by=AUTHOR, weekday=0, at_time="09:00",
                                 timezone="Mars/Olympus_Mons")  # fmt: skip


# --- what the minute's pass reads -----------------------------------------------------------------------------


def _due(db: Database, now: datetime) -> list[str]:
    with db.session(write=False) as session:
        return [s.channel_id for s in due_subscriptions(session=session, now=now, team_id=TEAM)]


def test_a_pass_reads_only_the_subscriptions_whose_time_has_come(db: Database) -> None:
    new, later, stopped = _subscribe(db, CHANNEL), _subscribe(db, OTHER_CHANNEL), _subscribe(db, "C0STOPPED")
    _unsubscribe(db, "C0STOPPED")
    assert sorted(_due(db, MONDAY_48)) == sorted([CHANNEL, OTHER_CHANNEL])  # none worked out yet: both
    with db.session() as session:
        set_next_due(session=session, next_due={
            new.id: (MONDAY_48, new.updated_at), later.id: (MONDAY_49, later.updated_at),
            stopped.id: (MONDAY_47, stopped.updated_at),
        })  # fmt: skip
    assert (_due(db, MONDAY_48 - timedelta(seconds=1)), _due(db, MONDAY_48)) == ([], [CHANNEL])
    assert _due(db, MONDAY_49) == [CHANNEL, OTHER_CHANNEL]  # oldest due first; the stopped one never


def test_a_changed_schedule_is_worked_out_again(db: Database) -> None:
    subscription = _subscribe(db)
    with db.session() as session:
        set_next_due(session=session, next_due={subscription.id: (MONDAY_49, subscription.updated_at)})
    assert _due(db, MONDAY_48) == []
    _subscribe(db, at_time="10:00")
    assert _due(db, MONDAY_48) == [CHANNEL]


def test_a_pass_that_read_the_old_schedule_does_not_overwrite_the_new_one(db: Database) -> None:
    """`/cost digest on` while a pass is posting: the pass's next due time is for the schedule it read."""
    read_by_the_pass = _subscribe(db)
    _subscribe(db, weekday=1, at_time="10:00")  # rescheduled meanwhile: worked out again at the next pass
    with db.session() as session:
        set_next_due(session=session, next_due={read_by_the_pass.id: (MONDAY_49, read_by_the_pass.updated_at)})
    assert _due(db, MONDAY_48) == [CHANNEL]


def test_the_weeks_claimed_are_read_in_one_go(db: Database) -> None:
    _claim(db, W48, channel_id=CHANNEL)
    _claim(db, W47, channel_id=OTHER_CHANNEL)
    wanted = [(CHANNEL, W48), (OTHER_CHANNEL, W48), ("C0NONE", W48)]
    with db.session(write=False) as session:
        assert claimed_weeks(session=session, team_id=TEAM, weeks=wanted) == {(CHANNEL, W48)}
        assert claimed_weeks(session=session, team_id=OTHER_TEAM, weeks=wanted) == set()
        assert claimed_weeks(session=session, team_id=TEAM, weeks=[]) == set()
