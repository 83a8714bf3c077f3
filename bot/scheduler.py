"""When digests go out: one APScheduler cron job per subscription, a catch-up after downtime, retries.

The jobs live in memory and are rebuilt from the database: at start-up, after a `/cost digest on|off` in this
process, and every minute (so a change made through another replica reaches this one). The database, not the
scheduler, decides whether a digest is posted: every path claims the (channel, week) run first, so several
schedulers, the catch-up and `costbot digest run` from cron can all fire and one message goes out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.digests import DigestPoster, Outcome
from costing.schedule import CRON_DAYS, iso_week
from storage import (
    Database,
    DigestRunPublic,
    DigestSubscriptionPublic,
    active_subscriptions,
    get_subscription,
    runs_to_retry,
)

__all__ = [
    "CATCH_UP_WINDOW",
    "DigestScheduler",
    "Due",
    "due_digests",
    "last_due",
    "next_due",
    "retries_due",
    "run_due_digests",
    "trigger_for",
]

log = logging.getLogger(__name__)

#: A digest missed while the bot was down is still posted when it is less late than this.
CATCH_UP_WINDOW = timedelta(days=1)
#: A run claimed this long ago and never finished was abandoned (its process died): another may retry it.
STALE_CLAIM = timedelta(minutes=10)
#: How long a failed digest waits before its next try, by the number of tries so far: Slack's faults pass in
#: minutes, an outage in hours. After the last, it is left as failed (and `digest status` says why).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                timedelta(hours=3))  # fmt: skip
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def trigger_for(subscription: DigestSubscriptionPublic) -> CronTrigger:
    """The subscription's weekly time as a cron trigger in its own time zone (DST handled by zoneinfo)."""
    hour, minute = (int(part) for part in subscription.at_time.split(":"))
    return CronTrigger(day_of_week=CRON_DAYS[subscription.weekday], hour=hour, minute=minute,
                       timezone=ZoneInfo(subscription.timezone))  # fmt: skip


def next_due(subscription: DigestSubscriptionPublic, now: datetime) -> datetime | None:
    """The next time the digest is due, at or after `now`, in the subscription's zone."""
    return trigger_for(subscription).get_next_fire_time(None, now)


def last_due(subscription: DigestSubscriptionPublic, now: datetime) -> datetime | None:
    """The latest time the digest was due, at or before `now` (within the past eight days)."""
    trigger = trigger_for(subscription)
    fire = trigger.get_next_fire_time(None, now - timedelta(days=8))
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        # Step on the UTC clock: a second after the repeated 02:30 of a fall-back night, on the local clock, is
        # a second after the *first* 02:30, and the trigger would hand back the second one forever.
        fire = trigger.get_next_fire_time(fire, fire.astimezone(UTC) + timedelta(seconds=1))
    return latest


@dataclass(frozen=True, slots=True)
class Due:
    """A weekly digest that should be out by now: which week, and when it was due."""

    subscription: DigestSubscriptionPublic
    week: str
    due_at: datetime


def due_digests(subscriptions: Iterable[DigestSubscriptionPublic], now: datetime) -> list[Due]:
    """The digests due at `now`: the last scheduled time passed less than `CATCH_UP_WINDOW` ago, and after the
    schedule was set (a digest set up on Tuesday for Mondays starts next Monday, not at once)."""
    due = []
    for subscription in subscriptions:
        try:
            at = last_due(subscription, now)
        except (ZoneInfoNotFoundError, ValueError) as error:  # a row no `digest on` could have written
            log.error("digest for %s has an unusable schedule (%s); skipped", subscription.channel_id, error)
            continue
        if at is None or now - at >= CATCH_UP_WINDOW or at < subscription.updated_at:
            continue
        week = iso_week(at.astimezone(ZoneInfo(subscription.timezone)).date())
        due.append(Due(subscription, week, at.astimezone(UTC)))
    return due


def run_due_digests(
    poster: DigestPoster, *, now: datetime | None = None, channel_id: str | None = None
) -> list[Outcome]:
    """One pass: post every digest due now (or that channel's), then retry failed runs; one outcome each.

    A channel's failure (or a bug of ours) is recorded and logged; the other channels still get theirs.
    """
    now = now or datetime.now(UTC)
    with poster.db.session(write=False) as session:
        subscriptions = active_subscriptions(session=session, team_id=poster.team_id, channel_id=channel_id)
    retries = retries_due(poster, now)
    outcomes = []
    for item in due_digests(subscriptions, now):
        outcomes.append(_guarded(item.subscription.channel_id, lambda i=item: poster.post_weekly(
            i.subscription, week=i.week, due_at=i.due_at)))  # fmt: skip
    for run in retries:
        if channel_id is None or run.channel_id == channel_id:
            outcomes.append(_guarded(run.channel_id, lambda r=run: poster.retry(r)))
    return outcomes


def retries_due(poster: DigestPoster, now: datetime) -> list[DigestRunPublic]:
    """Weekly runs to try again now: failed ones whose wait (`RETRY_DELAYS`) is over, and abandoned claims; only
    within a day of their time (a digest more than a day late is no longer this week's news)."""
    with poster.db.session(write=False) as session:
        runs = runs_to_retry(session=session, team_id=poster.team_id, due_since=now - CATCH_UP_WINDOW,
                             stale_before=now - STALE_CLAIM, max_attempts=MAX_ATTEMPTS)  # fmt: skip
    return [run for run in runs if run.status == "claimed" or now - run.claimed_at >= _wait_after(run.attempts)]


def _wait_after(attempts: int) -> timedelta:
    return RETRY_DELAYS[max(0, min(attempts, len(RETRY_DELAYS)) - 1)]


def _guarded(channel_id: str, post: object) -> Outcome:
    try:
        return post()  # type: ignore[operator,no-any-return]
    except Exception:  # a bug of ours in one channel's digest must not keep the others from theirs
        log.exception("digest for channel %s failed", channel_id)
        return Outcome(channel_id, "failed", "an error on costbot's side (logged)")


class DigestScheduler:
    """APScheduler in a background thread: a cron job per subscription, a minute's sync-and-retry job.

    Args:
        poster: Posts the digests (its database and workspace are the scheduler's).
        sync_seconds: How often the jobs are rebuilt from the database and failed runs retried.
    """

    def __init__(self, poster: DigestPoster, *, sync_seconds: float = 60) -> None:
        self.poster = poster
        # A cron job that fires late (the process was busy or asleep) still posts within the catch-up window.
        grace = int(CATCH_UP_WINDOW.total_seconds())
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace}
        )
        self._sync_seconds = sync_seconds
        self._jobs: dict[str, tuple[int, str, str]] = {}
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> DigestScheduler:
        # Bolt deep-copies what it hands a lazy listener: the listener must reach this process's scheduler.
        return self

    @property
    def db(self) -> Database:
        return self.poster.db

    def start(self, *, catch_up: bool = True) -> None:
        """Build the jobs, start the thread, and post (once) any digest missed while costbot was down."""
        self.sync()
        self._scheduler.add_job(self.tick, IntervalTrigger(seconds=self._sync_seconds), id="digest-sync",
                                name="rebuild digest jobs and retry failed digests")  # fmt: skip
        if catch_up:
            self._scheduler.add_job(self.catch_up, id="digest-catch-up", name="post digests missed while down")
        self._scheduler.start()
        log.info("digest scheduler started: %d channel digest(s)", len(self._jobs))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def sync(self) -> None:
        """Make the cron jobs match the database's active subscriptions (added, rescheduled, removed)."""
        with self.db.session(write=False) as session:
            subscriptions = active_subscriptions(session=session, team_id=self.poster.team_id)
        with self._lock:
            wanted = {self._job_id_for(s.channel_id): s for s in subscriptions}
            for job_id in set(self._jobs) - set(wanted):
                self._scheduler.remove_job(job_id)
                del self._jobs[job_id]
            for job_id, subscription in wanted.items():
                when = (subscription.weekday, subscription.at_time, subscription.timezone)
                if self._jobs.get(job_id) == when:
                    continue
                try:
                    trigger = trigger_for(subscription)
                except (ZoneInfoNotFoundError, ValueError) as error:  # one bad row must not unschedule the rest
                    log.error("digest for %s has an unusable schedule (%s); not scheduled", subscription.channel_id,
                              error)  # fmt: skip
                    continue
                self._scheduler.add_job(
                    self.fire, trigger, args=[subscription.channel_id], id=job_id,
                    name=f"weekly digest for {subscription.channel_id}", replace_existing=True,
                )  # fmt: skip
                self._jobs[job_id] = when

    def next_run_time(self, channel_id: str) -> datetime | None:
        """When this process's job for the channel fires next (None without one)."""
        job = self._scheduler.get_job(self._job_id_for(channel_id))
        return getattr(job, "next_run_time", None) if job is not None else None

    def fire(self, channel_id: str) -> Outcome | None:
        """A cron job's call: the channel's digest for the time just passed, if it is still subscribed."""
        now = datetime.now(UTC)
        with self.db.session(write=False) as session:
            subscription = get_subscription(session=session, team_id=self.poster.team_id, channel_id=channel_id)
        if subscription is None or not subscription.active:
            return None
        due = due_digests([subscription], now)
        if not due:
            return None
        return _guarded(channel_id, lambda: self.poster.post_weekly(subscription, week=due[0].week,
                                                                    due_at=due[0].due_at))  # fmt: skip

    def catch_up(self) -> list[Outcome]:
        """Digests missed while costbot was down (less than a day late) and failed runs: posted once."""
        outcomes = run_due_digests(self.poster)
        for outcome in outcomes:
            log.info("digest catch-up: %s %s (%s)", outcome.channel_id, outcome.status, outcome.detail)
        log.info("digest catch-up done: %d posted, %d already claimed, %d failed",
                 *(sum(o.status == s for o in outcomes) for s in ("posted", "skipped", "failed")))  # fmt: skip
        return outcomes

    def tick(self) -> None:
        """Every minute: pick up subscriptions changed elsewhere, post what is due and not posted yet (a digest
        set up through another process just before its time has no job here when the time comes), retry."""
        try:
            self.sync()
            run_due_digests(self.poster)
        except Exception:  # the database away for a moment: the next tick tries again
            log.exception("digest scheduler: sync failed; trying again in %s s", self._sync_seconds)

    def _job_id_for(self, channel_id: str) -> str:
        return f"digest:{self.poster.team_id}:{channel_id}"
