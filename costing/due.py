"""When a weekly digest is due, which week it is for, and whether a failed one is tried again.

Pure: a `Schedule` and the clock in, instants out. The weekly times on the channel's wall clock come from
dateutil's `rrule`; each becomes the instants it names in the channel's zone. A time that a spring-forward night
skips (02:30 in Berlin on 2027-03-28) is due once, as clocks read it after the jump (03:30 summer time); a time
in the hour a fall-back night repeats names two instants, and the week's run claim keeps that to one digest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil.rrule import WEEKLY, rrule

from costing.schedule import Schedule, iso_week

__all__ = [
    "CATCH_UP_WINDOW",
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "STALE_CLAIM",
    "due_at",
    "last_due",
    "next_due",
    "retry_now",
    "still_retried",
    "week_of",
]

#: A digest is still this week's news, and posted late, until this long after its time (downtime, retries).
CATCH_UP_WINDOW = timedelta(days=1)
#: A run claimed this long ago and never finished was abandoned (its process died): another may retry it.
STALE_CLAIM = timedelta(minutes=10)
#: How long a failed digest waits before its next try, by the number of tries so far: Slack's faults pass in
#: minutes, an outage in hours. After the last, it is left as failed (and `digest status` says why).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
)
#: Tries in all: the first and one after each delay.
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

#: Every weekly time has one instant in any eight days, whatever daylight saving does in between.
_SPAN = timedelta(days=8)


def _instants(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """The due instants from `start` to `end` (aware, both included), in the schedule's zone, in order."""
    zone = schedule.zone
    # A day either side in wall-clock time: the zone's offset moves wall times against instants by hours.
    first = (start.astimezone(zone) - timedelta(days=1)).replace(tzinfo=None)
    last = (end.astimezone(zone) + timedelta(days=1)).replace(tzinfo=None)
    rule = rrule(
        WEEKLY,
        dtstart=first.replace(hour=0, minute=0, second=0, microsecond=0),
        byweekday=schedule.weekday,
        byhour=schedule.hour,
        byminute=schedule.minute,
        bysecond=0,
    )
    found: dict[datetime, datetime] = {}
    for wall in rule.between(first, last, inc=True):
        for fold in (0, 1):
            instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
            # fold=1 of a skipped time is the clock before the jump (01:30 for 02:30): not a time anyone set.
            if fold == 1 and instant.astimezone(zone).replace(tzinfo=None) != wall:
                continue
            found.setdefault(instant, instant.astimezone(zone))
    return [local for instant, local in sorted(found.items()) if start <= instant <= end]


def next_due(schedule: Schedule, now: datetime) -> datetime:
    """The first due time at or after `now`, in the schedule's zone."""
    return _instants(schedule, now, now + _SPAN)[0]


def last_due(schedule: Schedule, now: datetime) -> datetime:
    """The latest due time at or before `now`, in the schedule's zone."""
    return _instants(schedule, now - _SPAN, now)[-1]


def week_of(schedule: Schedule, at: datetime) -> str:
    """The week a digest due `at` is for, on the channel's calendar: `2026-W48` (ISO weeks)."""
    return iso_week(at.astimezone(schedule.zone).date())


def due_at(schedule: Schedule, now: datetime, *, set_at: datetime) -> datetime | None:
    """The due time whose digest should be out by `now`, or None: the last one, if it passed less than
    `CATCH_UP_WINDOW` ago and not before the schedule was set (set on Tuesday for Mondays starts next Monday)."""
    at = last_due(schedule, now)
    if now - at >= CATCH_UP_WINDOW or at.astimezone(UTC) < set_at:
        return None
    return at


def still_retried(*, attempts: int, due: datetime, now: datetime) -> bool:
    """Whether a failed weekly digest will be tried again at all: tries left, and still within a day of its time."""
    return attempts < MAX_ATTEMPTS and now - due < CATCH_UP_WINDOW


def retry_now(*, attempts: int, due: datetime, last_try: datetime, now: datetime, abandoned: bool = False) -> bool:
    """Whether a failed weekly digest is tried again now: still retried, and its wait after `attempts` tries is
    over; a run `abandoned` by a process that died while posting it is tried at once."""
    if not still_retried(attempts=attempts, due=due, now=now):
        return False
    wait = RETRY_DELAYS[max(0, min(attempts, len(RETRY_DELAYS)) - 1)]
    return abandoned or now - last_try >= wait
