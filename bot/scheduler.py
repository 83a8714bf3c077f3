"""When digests go out: one APScheduler job, every minute, posts what the database says is due.

No job per channel to keep in step with the database: each pass reads the active subscriptions, works out with
`costing.due` which weekly digests should be out (less than a day late) and which failed ones are tried again,
and posts them. A `/cost digest on|off` anywhere, in any process, is in force from the next minute. The
database, not the scheduler, decides whether a digest is posted: every path claims the (channel, week) run
first, so several schedulers, the catch-up at start and `costbot digest run` from cron can all run and one
message goes out.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import Session

from bot.digests import DigestPoster, Outcome
from bot.leader import Leadership
from bot.observe import DIGESTS, PASS_SECONDS, SCHEDULER_RUNNING
from bot.workspaces import Posters
from costing import CATCH_UP_WINDOW, MAX_ATTEMPTS, STALE_CLAIM, Schedule, due_at, next_due, retry_now, week_of
from storage import (
    KEEP_DELETED,
    Database,
    DigestRunPublic,
    DigestSubscriptionPublic,
    RunStatus,
    active_subscriptions,
    claimed_weeks,
    due_subscriptions,
    forget_deleted_before,
    forget_estimates_before,
    forget_now_runs_before,
    forget_work_before,
    runs_to_retry,
    set_next_due,
)

__all__ = ["KEEP_RECORDS", "DigestScheduler", "Due", "due_digests", "retries_due", "run_due_digests", "schedule_of"]

log = logging.getLogger(__name__)

#: What a pass says of a digest in a workspace costbot was uninstalled from (or whose token was revoked).
NOT_INSTALLED = "costbot isn't installed in this workspace now; its digests resume when it is installed again"

#: How long users' last estimates (what `/cost save NAME` saves) and `digest now` runs are kept.
KEEP_RECORDS = timedelta(days=30)
#: Finished work is kept a day: its key refuses a replayed request (Slack's signatures expire in 5 minutes).
KEEP_WORK = timedelta(days=1)
#: Digests posted at once in a pass. Each spends most of its time waiting on Slack, whose pace still holds for
#: every post (one a second per channel, and a 429's Retry-After holds the workspace's every post:
#: `bot.slack_pace`), and holds a database connection only while it reads and records (`storage.db` sizes the
#: pool for them beside `serve`'s request and deferred-work threads).
POST_WORKERS = 4
#: What a pass says of a digest it didn't begin because costbot was stopping: it stays due.
STOPPED = "costbot was stopping before it posted this; it goes out when costbot is back (if less than a day late)"


def schedule_of(subscription: DigestSubscriptionPublic) -> Schedule:
    """The subscription's weekly time as costing reads it.

    Raises:
        ValueError: A stored time no `/cost digest on` could have written (not HH:MM, out of range).
    """
    hour, minute = (int(part) for part in subscription.at_time.split(":"))
    return Schedule(weekday=subscription.weekday, hour=hour, minute=minute, timezone=subscription.timezone)


@dataclass(frozen=True, slots=True)
class Due:
    """A weekly digest that should be out by now: which week, and when it was due."""

    subscription: DigestSubscriptionPublic
    week: str
    due_at: datetime


def due_digests(subscriptions: Iterable[DigestSubscriptionPublic], now: datetime) -> list[Due]:
    """The digests due at `now` (see `costing.due.due_at`); a subscription with an unusable schedule is logged
    and skipped, and the others are still due."""
    due = []
    for subscription in subscriptions:
        try:
            schedule = schedule_of(subscription)
            at = due_at(schedule, now, set_at=subscription.updated_at)
        except (ZoneInfoNotFoundError, ValueError) as error:  # a row no `digest on` could have written
            log.error("digest for %s has an unusable schedule (%s); skipped", subscription.channel_id, error)
            continue
        if at is not None:
            due.append(Due(subscription, week_of(schedule, at), at.astimezone(UTC)))
    return due


def retries_due(posters: Posters | DigestPoster, now: datetime) -> list[DigestRunPublic]:
    """Weekly runs to try again now (see `costing.due.retry_now`): failed ones whose wait is over, and claims
    abandoned by a process that died while posting; in every workspace served."""
    posters = Posters.of(posters)
    with posters.db.session(write=False) as session:
        runs = runs_to_retry(
            session=session,
            team_id=posters.team_id,
            due_since=now - CATCH_UP_WINDOW,
            stale_before=now - STALE_CLAIM,
            max_attempts=MAX_ATTEMPTS,
        )
    return [
        run
        for run in runs
        if retry_now(
            attempts=run.attempts,
            due=run.due_at,
            last_try=run.claimed_at,
            now=now,
            abandoned=run.status is RunStatus.CLAIMED,
        )
    ]


def run_due_digests(
    posters: Posters | DigestPoster,
    *,
    now: datetime | None = None,
    channel_id: str | None = None,
    replay: bool = False,
    workers: int = POST_WORKERS,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """One pass: post every digest due now (or that channel's), then retry failed runs; one outcome each.

    The pass costs what is due, not what exists: one indexed query for the subscriptions whose next due time
    has come (in every workspace served), one per workspace with something due for which of its weeks are
    claimed already; then each one's next due time is stored. A channel's failure (or a bug of ours) is
    recorded and logged; the other channels still get theirs. A workspace costbot is no longer installed in
    posts nothing: its subscriptions stay, and its next week's digest goes out if it is installed again.

    Args:
        posters: The workspaces' posters (`bot.workspaces.Posters`), or one workspace's poster.
        replay: `now` is a time that has passed (`costbot digest run --now`): every running subscription is
            looked at, and the next due times stored for the present are left as they are.
        workers: Digests posted at once (`POST_WORKERS`); 1 posts them one after another.
        stop: Set when costbot is stopping: digests not begun yet are left due (`STOPPED`), not posted.
    """
    posters = Posters.of(posters)
    now = now or datetime.now(UTC)
    team = posters.team_id
    with posters.db.session(write=False) as session:  # what is due, and which of its weeks are claimed
        if replay:
            subscriptions = active_subscriptions(session=session, team_id=team, channel_id=channel_id)
        else:
            subscriptions = due_subscriptions(session=session, now=now, team_id=team, channel_id=channel_id)
        due = due_digests(subscriptions, now)
        claimed = _claimed(session, due)
    retries = retries_due(posters, now)
    found: dict[str, DigestPoster | None] = {}  # each workspace's poster, looked up once a pass

    def poster_of(team_id: str) -> DigestPoster | None:
        if team_id not in found:
            found[team_id] = posters.poster(team_id)
        return found[team_id]

    outcomes: list[Outcome | _Post] = []  # decided here, or a post to make
    for item in due:
        subscription = item.subscription
        channel = subscription.channel_id
        if (subscription.team_id, channel, item.week) in claimed:
            outcomes.append(Outcome(channel, "skipped", f"the {item.week} digest is claimed already"))
            continue
        poster = poster_of(subscription.team_id)
        if poster is None:
            outcomes.append(Outcome(channel, "skipped", NOT_INSTALLED))
            continue
        post = functools.partial(poster.post_weekly, subscription, week=item.week, due_at=item.due_at)
        outcomes.append(_Post(channel, post))
    firsts = len(outcomes)
    for run in retries:
        if channel_id is None or run.channel_id == channel_id:
            poster = poster_of(run.team_id)
            if poster is None:
                outcomes.append(Outcome(run.channel_id, "skipped", NOT_INSTALLED))
                continue
            outcomes.append(_Post(run.channel_id, functools.partial(poster.retry, run)))
    done = _posted(outcomes, workers=workers, stop=stop or threading.Event())
    # Failed before their run was claimed, or not begun: nothing would retry them, so they stay due.
    unclaimed = {
        item.subscription.id
        for item, outcome in zip(due, done[:firsts], strict=True)
        if (outcome.status == "failed" and outcome.run is None) or outcome.detail == STOPPED
    }
    for n, outcome in enumerate(done):
        if outcome.detail == STOPPED or (n >= firsts and outcome.detail == NOT_INSTALLED):
            continue  # nothing tried: not counted (an uninstalled workspace's runs are listed until they age out)
        DIGESTS.labels(outcome=outcome.status, attempt="first" if n < firsts else "retry").inc()
    if not replay:
        _store_next_due(posters.db, [s for s in subscriptions if s.id not in unclaimed], due, now)
    return done


@dataclass(frozen=True)
class _Post:
    """A post a pass makes: one channel's digest, or a retry."""

    channel_id: str
    make: Callable[[], Outcome]

    def __call__(self, stop: threading.Event) -> Outcome:
        if stop.is_set():
            return Outcome(self.channel_id, "skipped", STOPPED)
        return _guarded(self.channel_id, self.make)


def _posted(outcomes: list[Outcome | _Post], *, workers: int, stop: threading.Event) -> list[Outcome]:
    """Every outcome, in order: the posts among them made by at most `workers` threads at once (none begun
    once `stop` is set)."""
    posts = [o for o in outcomes if isinstance(o, _Post)]
    if len(posts) <= 1 or workers <= 1:
        return [o(stop) if isinstance(o, _Post) else o for o in outcomes]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="costbot-digest") as pool:
        made = iter(list(pool.map(lambda post: post(stop), posts)))
    return [next(made) if isinstance(o, _Post) else o for o in outcomes]


def _claimed(session: Session, due: list[Due]) -> set[tuple[str, str, str]]:
    """Which due (workspace, channel, week)s have a run already: one query per workspace with something due."""
    weeks: dict[str, list[tuple[str, str]]] = {}
    for item in due:
        weeks.setdefault(item.subscription.team_id, []).append((item.subscription.channel_id, item.week))
    return {
        (team_id, channel, week)
        for team_id, wanted in weeks.items()
        for channel, week in claimed_weeks(session=session, team_id=team_id, weeks=wanted)
    }


def _store_next_due(db: Database, subscriptions: list[DigestSubscriptionPublic], due: list[Due], now: datetime) -> None:
    """Each subscription's next due time after the one this pass dealt with (posted, claimed elsewhere, failed
    and left to the retries, or missed for longer than the catch-up window)."""
    dealt = {item.subscription.id: item.due_at for item in due}
    next_due_at = {}
    for subscription in subscriptions:
        try:
            after = dealt.get(subscription.id, now)  # not due now: the schedule's next time after now
            at = next_due(schedule_of(subscription), after + timedelta(seconds=1)).astimezone(UTC)
        except (ZoneInfoNotFoundError, ValueError):  # logged by due_digests; looked at again in a week
            at = now + timedelta(days=7)
        next_due_at[subscription.id] = (at, subscription.updated_at)
    with db.session() as session:
        set_next_due(session=session, next_due=next_due_at)


def _guarded(channel_id: str, post: Callable[[], Outcome]) -> Outcome:
    try:
        return post()
    except Exception:  # a bug of ours in one channel's digest must not keep the others from theirs
        log.exception("digest for channel %s failed", channel_id)
        return Outcome(channel_id, "failed", "an error on costbot's side (logged)")


class Pruned(NamedTuple):
    """What an hourly prune forgot: last estimates, digest-now runs, finished requests, deletes."""

    estimates: int
    runs: int
    work: int
    deletes: int


class DigestScheduler:
    """APScheduler in a background thread, running `run_due_digests` at the start of every minute.

    Only the leader's passes post (`bot.leader`: one process at a time on PostgreSQL); a standby's passes
    only ask for the lead, so it takes over within a minute of the leader's death.

    Args:
        posters: Post the digests (`bot.workspaces.Posters`: their database and workspaces are the
            scheduler's), or one workspace's poster.
        interval_seconds: How often a pass runs; 60 posts a digest within the minute it is due.
        leadership: Who leads (on the posters' database by default).
    """

    def __init__(
        self,
        posters: Posters | DigestPoster,
        *,
        interval_seconds: float = 60,
        leadership: Leadership | None = None,
    ) -> None:
        self.posters = Posters.of(posters)
        self.leadership = leadership or Leadership(self.posters.db, self.posters.leader_key)
        self._interval = interval_seconds
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )
        self._stopping = threading.Event()
        self._one_pass = threading.Lock()  # the catch-up at start and the minute's pass never post at once

    def __deepcopy__(self, memo: dict[int, Any]) -> DigestScheduler:
        # Bolt deep-copies what it hands a lazy listener: the listener must reach this process's scheduler.
        return self

    @property
    def db(self) -> Database:
        return self.posters.db

    def start(self, *, catch_up: bool = True) -> None:
        """Start the thread; with `catch_up`, post (once) at once whatever was missed while costbot was down."""
        now = datetime.now(UTC)
        # On the minute, so that a digest due at 09:00 goes out at 09:00, not at whatever second costbot started.
        first = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        self._scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self._interval, start_date=first),
            id="digest-pass",
            name="post due digests and retry failed ones",
        )
        self._scheduler.add_job(
            self.prune, IntervalTrigger(hours=1, start_date=first), id="prune", name="forget old records"
        )
        if catch_up:
            self._scheduler.add_job(self.catch_up, id="digest-catch-up", name="post digests missed while down")
        self._scheduler.start()
        SCHEDULER_RUNNING.set(1)
        log.info("digest scheduler started: a pass every %g s", self._interval)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def shutdown(self) -> None:
        """Stop: a pass under way finishes the posts it began and leaves the rest due; then the lead is given up."""
        self._stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.leadership.release()
        SCHEDULER_RUNNING.set(0)

    def _leads(self) -> bool:
        try:
            return self.leadership.lead()
        except Exception:  # the database away: no lead, no pass; the next minute asks again
            log.exception("couldn't ask for the lead of the digest scheduler")
            return False

    def catch_up(self) -> list[Outcome]:
        """Digests missed while costbot was down (less than a day late) and failed runs: posted once (by the
        leader; a standby catches up when it takes the lead, at a pass)."""
        if not self._leads():
            log.info("digest catch-up left to the scheduler that leads")
            return []
        with self._one_pass:
            outcomes = run_due_digests(self.posters, stop=self._stopping)
        for outcome in outcomes:
            log.info("digest catch-up: %s %s (%s)", outcome.channel_id, outcome.status, outcome.detail)
        away = sum(o.detail == NOT_INSTALLED for o in outcomes)
        log.info(
            "digest catch-up done: %d posted, %d already claimed, %d failed%s",
            sum(o.status == "posted" for o in outcomes),
            sum(o.status == "skipped" for o in outcomes) - away,
            sum(o.status == "failed" for o in outcomes),
            f", {away} in workspaces costbot isn't installed in" if away else "",
        )
        return outcomes

    def prune(self, *, now: datetime | None = None) -> Pruned:
        """Forget what no one needs any more: users' last estimates and `digest now` runs older than
        `KEEP_RECORDS`, finished work older than `KEEP_WORK`, deletes too old to undo (`KEEP_DELETED`) and
        expired OAuth states; the numbers dropped. Runs hourly, beside the minute's pass."""
        now = now or datetime.now(UTC)
        before = now - KEEP_RECORDS
        try:
            with self.db.session() as session:
                pruned = Pruned(
                    estimates=forget_estimates_before(session=session, before=before),
                    runs=forget_now_runs_before(session=session, before=before),
                    work=forget_work_before(session=session, before=now - KEEP_WORK),
                    deletes=forget_deleted_before(session=session, before=now - KEEP_DELETED),
                )
            self.posters.workspaces.forget_expired(now)  # OAuth states of installs never finished
        except Exception:  # the database away for a moment: the next hour tries again
            log.exception("pruning old records failed; trying again in an hour")
            return Pruned(0, 0, 0, 0)
        if any(pruned):
            log.info(
                "forgot %d last estimates and %d digest-now runs older than %s, %d finished requests and %d "
                "deletes too old to undo",
                pruned.estimates,
                pruned.runs,
                before.date(),
                pruned.work,
                pruned.deletes,
            )
        return pruned

    def tick(self) -> list[Outcome]:
        """One minute's pass: what is due and not posted yet, and the retries whose wait is over."""
        try:
            if not self._leads():
                return []
            if not self._one_pass.acquire(blocking=False):
                log.info("digest scheduler: the catch-up is still posting; what is due now follows it")
                return []
            try:
                with PASS_SECONDS.time():
                    return run_due_digests(self.posters, stop=self._stopping)
            finally:
                self._one_pass.release()
        except Exception:  # the database away for a moment: the next pass tries again
            log.exception("digest scheduler: a pass failed; trying again in %g s", self._interval)
            return []
