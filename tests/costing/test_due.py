"""Due times of a weekly digest in the channel's own zone (DST included), and the retry rule for a failed one.

Times are written in UTC; the comments say what they are in the channel's zone. Europe/Berlin is UTC+1 in winter
and UTC+2 in summer; it springs forward on 2027-03-28 (02:00-02:59 never happens) and falls back on 2026-10-25
(02:00-02:59 happens twice). America/New_York falls back on 2026-11-01 (01:00-01:59 twice) and springs forward on
2027-03-14 (02:00-02:59 never happens).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from costing.due import (
    CATCH_UP_WINDOW,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    due_at,
    last_due,
    next_due,
    retry_now,
    still_retried,
    week_of,
)
from costing.schedule import Schedule
from tests.timing import within

#: Monday 23 Nov 2026 (ISO week 48), 09:00 in Berlin (winter time, UTC+1).
MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
#: Friday before it, at noon.
FRIDAY_BEFORE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _schedule(weekday: int = 0, at_time: str = "09:00", timezone: str = "Europe/Berlin") -> Schedule:
    hour, minute = (int(part) for part in at_time.split(":"))
    return Schedule(weekday=weekday, hour=hour, minute=minute, timezone=timezone)


def _utc(when: datetime | None) -> datetime | None:
    """`when` in UTC. next_due and last_due answer in the channel's zone, and Python never finds a time in a DST
    gap or in the repeated hour equal to any time in another zone (PEP 495), so DST tests compare in UTC."""
    return None if when is None else when.astimezone(UTC)


# --- next and last due time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (FRIDAY_BEFORE, MONDAY_0900_BERLIN),  # winter: UTC+1
        (datetime(2026, 6, 12, 12, 0, tzinfo=UTC), datetime(2026, 6, 15, 7, 0, tzinfo=UTC)),  # summer: UTC+2
    ],
    ids=["winter", "summer"],
)
def test_monday_0900_berlin_is_next_due_at_0800_utc_in_winter_and_0700_utc_in_summer(
    now: datetime, expected: datetime
) -> None:
    assert next_due(_schedule(), now) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 23, 12, 0, tzinfo=UTC), MONDAY_0900_BERLIN),
        (datetime(2026, 6, 15, 12, 0, tzinfo=UTC), datetime(2026, 6, 15, 7, 0, tzinfo=UTC)),
    ],
    ids=["winter", "summer"],
)
def test_monday_0900_berlin_was_last_due_at_0800_utc_in_winter_and_0700_utc_in_summer(
    now: datetime, expected: datetime
) -> None:
    assert last_due(_schedule(), now) == expected


def test_the_due_time_itself_is_both_the_next_and_the_last_due_time() -> None:
    assert (next_due(_schedule(), MONDAY_0900_BERLIN), last_due(_schedule(), MONDAY_0900_BERLIN)) == (
        MONDAY_0900_BERLIN, MONDAY_0900_BERLIN,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Monday 19 Oct 09:00 CEST, then Monday 26 Oct 09:00 CET (Berlin fell back on Sunday 25 Oct)
        (datetime(2026, 10, 19, 7, 0, 1, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
        # Monday 22 Mar 09:00 CET, then Monday 29 Mar 09:00 CEST (Berlin sprang forward on Sunday 28 Mar)
        (datetime(2027, 3, 22, 8, 0, 1, tzinfo=UTC), datetime(2027, 3, 29, 7, 0, tzinfo=UTC)),
    ],
    ids=["autumn", "spring"],
)
def test_monday_0900_berlin_stays_at_0900_local_across_a_dst_change(after: datetime, expected: datetime) -> None:
    assert next_due(_schedule(), after) == expected


@pytest.mark.parametrize(
    ("zone", "saturday", "once", "a_week_later"),
    [
        # 02:30 doesn't exist on Sunday 28 Mar 2027 in Berlin: due at 01:30 UTC, which is 03:30 CEST
        ("Europe/Berlin", datetime(2027, 3, 27, 12, 0, tzinfo=UTC), datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
         datetime(2027, 4, 4, 0, 30, tzinfo=UTC)),
        # 02:30 doesn't exist on Sunday 14 Mar 2027 in New York: due at 07:30 UTC, which is 03:30 EDT
        ("America/New_York", datetime(2027, 3, 13, 12, 0, tzinfo=UTC), datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
         datetime(2027, 3, 21, 6, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_sunday_0230_digest_on_the_spring_forward_day_is_due_once_at_0330_summer_time(
    zone: str, saturday: datetime, once: datetime, a_week_later: datetime
) -> None:
    subscription = _schedule(6, "02:30", zone)
    assert (_utc(next_due(subscription, saturday)), _utc(next_due(subscription, once + timedelta(seconds=1)))) == (
        once, a_week_later,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "at_time", "saturday", "first", "second"),
    [
        # Berlin's 02:30 on Sunday 25 Oct 2026: 00:30 UTC (CEST) and again 01:30 UTC (CET)
        ("Europe/Berlin", "02:30", datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
         datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        # New York's 01:30 on Sunday 1 Nov 2026: 05:30 UTC (EDT) and again 06:30 UTC (EST)
        ("America/New_York", "01:30", datetime(2026, 10, 31, 12, 0, tzinfo=UTC),
         datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_time_in_the_repeated_hour_of_the_fall_back_day_is_due_twice(
    zone: str, at_time: str, saturday: datetime, first: datetime, second: datetime
) -> None:
    """Both 02:30s are due; only the week's run claim keeps it to one digest."""
    subscription = _schedule(6, at_time, zone)
    assert (_utc(next_due(subscription, saturday)), _utc(next_due(subscription, first + timedelta(seconds=1)))) == (
        first, second,
    )  # fmt: skip


def test_a_sunday_0230_new_york_digest_is_due_once_on_the_fall_back_day_as_new_york_repeats_0100_to_0159() -> None:
    subscription = _schedule(6, "02:30", "America/New_York")
    once = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 02:30 EST
    saturday, a_week_later = datetime(2026, 10, 31, 12, 0, tzinfo=UTC), datetime(2026, 11, 8, 7, 30, tzinfo=UTC)
    assert (_utc(next_due(subscription, saturday)), _utc(next_due(subscription, once + timedelta(seconds=1)))) == (
        once, a_week_later,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "at_time", "second"),
    [
        ("Europe/Berlin", "02:30", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("America/New_York", "01:30", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ],
)
def test_the_repeated_time_of_the_fall_back_day_is_the_last_due_time_without_looping(
    zone: str, at_time: str, second: datetime
) -> None:
    """A regression: stepping a second on the zone's wall clock past the second (fold=1) 02:30 lands on the
    *first* 02:30, and a cron trigger answered the second 02:30 again, forever."""
    subscription = _schedule(6, at_time, zone)
    assert _utc(within(5, lambda: last_due(subscription, second + timedelta(minutes=15)))) == second


def test_due_times_are_in_the_channels_zone() -> None:
    assert str(next_due(_schedule(), FRIDAY_BEFORE).tzinfo) == "Europe/Berlin"


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_a_year_of_due_times_is_one_a_week_on_the_right_day_and_time(zone: str) -> None:
    """Every week of a year (two DST changes, Lord Howe's half-hour one included), one due time, at 09:30."""
    schedule = _schedule(2, "09:30", zone)
    at, seen = datetime(2026, 1, 1, tzinfo=UTC), []
    for _ in range(52):
        at = next_due(schedule, at + timedelta(seconds=1))
        seen.append(at)
    assert {(t.weekday(), t.hour, t.minute) for t in seen} == {(2, 9, 30)}
    assert len({week_of(schedule, t) for t in seen}) == 52


# --- which week, and whether it is due now -------------------------------------------------------------------


def test_the_week_of_a_due_time_is_on_the_channels_calendar() -> None:
    # Monday 00:30 in Tokyo is Sunday 15:30 UTC (ISO week 47 in UTC, week 48 in Tokyo)
    tokyo = _schedule(0, "00:30", "Asia/Tokyo")
    assert week_of(tokyo, datetime(2026, 11, 22, 15, 30, tzinfo=UTC)) == "2026-W48"


def test_a_digest_is_due_until_a_day_after_its_time_and_not_before_it_was_set() -> None:
    schedule = _schedule()
    assert due_at(schedule, MONDAY_0900_BERLIN + CATCH_UP_WINDOW - timedelta(seconds=1), set_at=LONG_AGO) == (
        MONDAY_0900_BERLIN
    )
    assert due_at(schedule, MONDAY_0900_BERLIN + CATCH_UP_WINDOW, set_at=LONG_AGO) is None
    set_after = MONDAY_0900_BERLIN + timedelta(minutes=30)
    assert due_at(schedule, MONDAY_0900_BERLIN + timedelta(hours=1), set_at=set_after) is None


# --- retrying a failed digest --------------------------------------------------------------------------------


@pytest.mark.parametrize(("attempts", "wait"), list(enumerate(RETRY_DELAYS, start=1)))
def test_a_failed_digest_is_retried_once_the_wait_for_its_number_of_tries_is_over(
    attempts: int, wait: timedelta
) -> None:
    failed_at = MONDAY_0900_BERLIN + timedelta(minutes=1)
    now = failed_at + wait
    assert (
        retry_now(attempts=attempts, due=MONDAY_0900_BERLIN, last_try=failed_at, now=now - timedelta(seconds=1)),
        retry_now(attempts=attempts, due=MONDAY_0900_BERLIN, last_try=failed_at, now=now),
    ) == (False, now - MONDAY_0900_BERLIN < CATCH_UP_WINDOW)


def test_a_digest_that_failed_every_try_is_left_as_failed() -> None:
    later = MONDAY_0900_BERLIN + timedelta(hours=5)
    assert not still_retried(attempts=MAX_ATTEMPTS, due=MONDAY_0900_BERLIN, now=later)
    assert not retry_now(attempts=MAX_ATTEMPTS, due=MONDAY_0900_BERLIN, last_try=MONDAY_0900_BERLIN, now=later)


def test_a_failed_digest_is_not_retried_a_day_after_its_time() -> None:
    a_day_later = MONDAY_0900_BERLIN + CATCH_UP_WINDOW
    assert not still_retried(attempts=1, due=MONDAY_0900_BERLIN, now=a_day_later)
    assert not retry_now(attempts=1, due=MONDAY_0900_BERLIN, last_try=MONDAY_0900_BERLIN, now=a_day_later)


def test_an_abandoned_claim_is_retried_without_waiting() -> None:
    now = MONDAY_0900_BERLIN + timedelta(minutes=11)
    assert retry_now(attempts=3, due=MONDAY_0900_BERLIN, last_try=now, now=now, abandoned=True)
