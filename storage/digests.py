"""Digest subscriptions and runs: who gets a weekly digest when, and each digest claimed before it is posted.

Exactly once rests on the database: a weekly run is a row unique per (workspace, channel, ISO week), inserted
before anything is posted. Whoever inserts it posts; everyone else (another replica, `costbot digest run` from
cron, the catch-up after a restart) finds the row and stays quiet. A failed or abandoned run is taken over
with a compare-and-set on its attempt count, so two retriers never both post.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import bindparam, delete, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from storage.models import (
    DigestRun,
    DigestRunPublic,
    DigestScenario,
    DigestSubscription,
    DigestSubscriptionCreate,
    DigestSubscriptionPublic,
    RunKind,
    RunStatus,
    Scenario,
)
from storage.types import utcnow

__all__ = [
    "active_subscriptions",
    "claim_run",
    "fail_run",
    "finish_run",
    "forget_now_runs_before",
    "get_subscription",
    "last_run",
    "previous_figures",
    "reclaim_run",
    "record_channel_problem",
    "runs_to_retry",
    "scenarios_for_digest",
    "subscribe",
    "subscriptions_by_creator",
    "unsubscribe",
    "week_run",
]

_ERROR_LENGTH = 300


#: Ids in one `IN (…)`: well under SQLite's limit on a statement's parameters.
_IN_CHUNK = 900


def _subscription(row: DigestSubscription) -> DigestSubscriptionPublic:
    return DigestSubscriptionPublic.model_validate(row, from_attributes=True)


def _run(row: DigestRun) -> DigestRunPublic:
    return DigestRunPublic.model_validate(row, from_attributes=True)


# --- subscriptions -------------------------------------------------------------------------------------------


def subscribe(*, session: Session, subscription: DigestSubscriptionCreate) -> DigestSubscriptionPublic:
    """Start (or reschedule) a channel's weekly digest; a problem recorded for the channel is forgotten."""
    row = session.exec(
        select(DigestSubscription)
        .where(
            DigestSubscription.team_id == subscription.team_id, DigestSubscription.channel_id == subscription.channel_id
        )
        .with_for_update()
    ).first()
    if row is None:
        row = DigestSubscription(**subscription.model_dump())
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # another `digest on` for the channel won the race (PostgreSQL): update theirs
            return subscribe(session=session, subscription=subscription)
    else:
        when = (subscription.weekday, subscription.at_time, subscription.timezone)
        # `updated_at` is when the schedule took effect (a time before it is never caught up): the same schedule
        # set again keeps it, so typing `digest on` twice doesn't cancel a digest missed this morning.
        if not row.active or (row.weekday, row.at_time, row.timezone) != when:
            row.updated_at = utcnow()
            row.next_due_at = None  # worked out again by the next pass
        for name, value in subscription.model_dump().items():
            setattr(row, name, value)
        row.active = True
        row.last_error = None
        session.add(row)
        session.flush()
    return _subscription(row)


def unsubscribe(*, session: Session, team_id: str, channel_id: str) -> DigestSubscriptionPublic | None:
    """Stop a channel's digest (kept, inactive, with its runs); None when it had none running."""
    row = session.exec(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id,
            DigestSubscription.channel_id == channel_id,
            col(DigestSubscription.active).is_(True),
        )
    ).first()
    if row is None:
        return None
    row.active = False
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return _subscription(row)


def get_subscription(*, session: Session, team_id: str, channel_id: str) -> DigestSubscriptionPublic | None:
    """The channel's subscription, active or not."""
    row = session.exec(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.channel_id == channel_id
        )
    ).first()
    return None if row is None else _subscription(row)


def active_subscriptions(
    *, session: Session, team_id: str | None = None, channel_id: str | None = None
) -> list[DigestSubscriptionPublic]:
    """Every running subscription (of one workspace, or one channel), for the scheduler."""
    query = select(DigestSubscription).where(col(DigestSubscription.active).is_(True))
    if team_id is not None:
        query = query.where(DigestSubscription.team_id == team_id)
    if channel_id is not None:
        query = query.where(DigestSubscription.channel_id == channel_id)
    rows = session.exec(query.order_by(col(DigestSubscription.team_id), col(DigestSubscription.channel_id))).all()
    return [_subscription(row) for row in rows]


def due_subscriptions(
    *, session: Session, now: datetime, team_id: str | None = None, channel_id: str | None = None
) -> list[DigestSubscriptionPublic]:
    """The running subscriptions whose next due time has come (or is to be worked out): one indexed query, as
    many rows as are due, however many subscriptions there are."""
    due = or_(col(DigestSubscription.next_due_at).is_(None), col(DigestSubscription.next_due_at) <= now)
    query = select(DigestSubscription).where(col(DigestSubscription.active).is_(True), due)
    if team_id is not None:
        query = query.where(DigestSubscription.team_id == team_id)
    if channel_id is not None:
        query = query.where(DigestSubscription.channel_id == channel_id)
    rows = session.exec(query.order_by(col(DigestSubscription.next_due_at), col(DigestSubscription.id))).all()
    return [_subscription(row) for row in rows]


def set_next_due(*, session: Session, next_due: dict[int, tuple[datetime, datetime]]) -> None:
    """Store each subscription's next due time, once the pass has dealt with the one before: `next_due` maps
    an id to (its next due time, its `updated_at` as the pass read it). A subscription changed since (a new
    schedule, switched off and on) is left alone: its time is worked out again. One statement for every row."""
    if not next_due:
        return
    table = DigestSubscription.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.updated_at == bindparam("row_read"))
        .values(next_due_at=bindparam("row_next"))
    )
    rows = [{"row_id": k, "row_next": at, "row_read": read} for k, (at, read) in next_due.items()]
    session.connection().execute(statement, rows)


def claimed_weeks(*, session: Session, team_id: str, weeks: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (channel, week) pairs have a weekly run already (claimed, posted or failed): one query."""
    wanted = set(weeks)
    names = {week for _, week in wanted}
    channels = sorted({channel for channel, _ in wanted})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(channels), _IN_CHUNK):  # a Monday 09:00 can be thousands of channels at once
        rows = session.exec(
            select(DigestRun.channel_id, DigestRun.week).where(
                DigestRun.team_id == team_id,
                col(DigestRun.week).in_(names),
                col(DigestRun.channel_id).in_(channels[start : start + _IN_CHUNK]),
            )
        ).all()
        found |= {(channel, week) for channel, week in rows if week is not None}
    return found & wanted


def subscriptions_by_creator(
    *, session: Session, team_id: str, user_id: str, stopped: bool = False
) -> list[DigestSubscriptionPublic]:
    """The running channel digests a user set up in this workspace, by channel; with `stopped`, then the ones
    stopped since (App Home marks them), by channel too."""
    query = select(DigestSubscription).where(
        DigestSubscription.team_id == team_id, DigestSubscription.created_by == user_id
    )
    if not stopped:
        query = query.where(col(DigestSubscription.active).is_(True))
    rows = session.exec(query.order_by(col(DigestSubscription.active).desc(), col(DigestSubscription.channel_id))).all()
    return [_subscription(row) for row in rows]


def record_channel_problem(*, session: Session, team_id: str, channel_id: str, error: str | None) -> None:
    """Note why posting to the channel failed (or, with None, that it works again), for status and App Home."""
    session.exec(
        update(DigestSubscription)  # type: ignore[call-overload]
        .where(col(DigestSubscription.team_id) == team_id, col(DigestSubscription.channel_id) == channel_id)
        # updated_at stays: it is when the schedule was set, which decides whether a past time is still due.
        .values(last_error=None if error is None else error[:_ERROR_LENGTH])
    )


# --- runs ----------------------------------------------------------------------------------------------------


def claim_run(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    kind: RunKind,
    week: str | None,
    due_at: datetime,
    claimed_by: str,
) -> DigestRunPublic | None:
    """Claim a digest before posting it; None when that channel's digest for `week` is claimed already.

    Args:
        kind: weekly (needs `week`, once per channel and week) or now (no week, never clashes).
        claimed_by: Who claims it (host and process), for an operator reading the table.
    """
    if kind not in set(RunKind) or (kind == RunKind.WEEKLY) != (week is not None):
        raise ValueError("a run is weekly (with a week) or now (without one)")
    row = DigestRun(
        team_id=team_id,
        channel_id=channel_id,
        kind=kind,
        week=week,
        due_at=due_at,
        claimed_by=claimed_by,
        attempts=1,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return _run(row)


def reclaim_run(*, session: Session, run_id: int, attempts: int, claimed_by: str) -> DigestRunPublic | None:
    """Take over a failed or abandoned run seen with `attempts`; None when someone else took it first."""
    result = session.exec(
        update(DigestRun)  # type: ignore[call-overload]
        .where(
            col(DigestRun.id) == run_id,
            col(DigestRun.attempts) == attempts,
            col(DigestRun.status).in_((RunStatus.FAILED, RunStatus.CLAIMED)),
        )
        .values(status=RunStatus.CLAIMED, claimed_by=claimed_by, claimed_at=utcnow(), attempts=attempts + 1)
    )
    if result.rowcount != 1:
        return None
    row = session.get(DigestRun, run_id, populate_existing=True)
    return None if row is None else _run(row)


def finish_run(
    *,
    session: Session,
    run_id: int,
    message_ts: str,
    permalink: str | None,
    figures: dict[str, Any] | None,
    error: str | None = None,
) -> None:
    """The digest is in the channel: keep its message and the figures it showed (next week's comparison).

    Args:
        error: What went wrong after the message was posted (the chart, a continuation), if anything.
    """
    row = session.get(DigestRun, run_id)
    if row is None:
        raise LookupError(f"digest run {run_id} is gone")
    row.status = RunStatus.POSTED
    row.posted_at = row.posted_at or utcnow()
    row.message_ts = message_ts
    row.permalink = permalink
    row.error = None if error is None else error[:_ERROR_LENGTH]
    if figures is not None:
        row.figures = figures
    session.add(row)
    session.flush()


def fail_run(*, session: Session, run_id: int, error: str) -> None:
    """Nothing was posted (or nothing could be confirmed): a later pass retries it."""
    session.exec(
        update(DigestRun)  # type: ignore[call-overload]
        .where(col(DigestRun.id) == run_id, col(DigestRun.status) != RunStatus.POSTED)
        .values(status=RunStatus.FAILED, error=error[:_ERROR_LENGTH])
    )


def week_run(*, session: Session, team_id: str, channel_id: str, week: str) -> DigestRunPublic | None:
    row = session.exec(
        select(DigestRun).where(
            DigestRun.team_id == team_id, DigestRun.channel_id == channel_id, DigestRun.week == week
        )
    ).first()
    return None if row is None else _run(row)


def last_run(*, session: Session, team_id: str, channel_id: str, posted: bool = False) -> DigestRunPublic | None:
    """The channel's latest digest run (of either kind); with `posted`, the latest one in the channel."""
    query = select(DigestRun).where(DigestRun.team_id == team_id, DigestRun.channel_id == channel_id)
    if posted:
        query = query.where(DigestRun.status == RunStatus.POSTED)
    row = session.exec(query.order_by(col(DigestRun.due_at).desc(), col(DigestRun.id).desc())).first()
    return None if row is None else _run(row)


def previous_figures(*, session: Session, team_id: str, channel_id: str, before: datetime) -> dict[str, Any] | None:
    """The figures of the channel's latest posted weekly digest due before `before`: what "since last week"
    compares with (a `digest now` in between doesn't count)."""
    row = session.exec(
        select(DigestRun.figures)
        .where(
            DigestRun.team_id == team_id,
            DigestRun.channel_id == channel_id,
            DigestRun.kind == RunKind.WEEKLY,
            DigestRun.status == RunStatus.POSTED,
            col(DigestRun.due_at) < before,
            col(DigestRun.figures).is_not(None),
        )
        .order_by(col(DigestRun.due_at).desc())
    ).first()
    return row if isinstance(row, dict) else None


def runs_to_retry(
    *, session: Session, team_id: str | None, due_since: datetime, stale_before: datetime, max_attempts: int
) -> list[DigestRunPublic]:
    """Weekly runs worth another try: failed, or claimed long ago by a process that never finished them; only
    for channels whose digest is still on (`/cost digest off` stops its retries too). `team_id` None: every
    workspace's."""
    workspace = true() if team_id is None else DigestRun.team_id == team_id
    rows = session.exec(
        select(DigestRun)
        .join(
            DigestSubscription,
            (col(DigestSubscription.team_id) == col(DigestRun.team_id))
            & (col(DigestSubscription.channel_id) == col(DigestRun.channel_id)),
        )
        .where(
            col(DigestSubscription.active).is_(True),
            workspace,
            DigestRun.kind == RunKind.WEEKLY,
            col(DigestRun.due_at) >= due_since,
            col(DigestRun.attempts) < max_attempts,
            or_(
                DigestRun.status == RunStatus.FAILED,
                (col(DigestRun.status) == RunStatus.CLAIMED) & (col(DigestRun.claimed_at) < stale_before),
            ),
        )
        .order_by(col(DigestRun.due_at))
    ).all()
    return [_run(row) for row in rows]


# --- what a digest shows -------------------------------------------------------------------------------------


def forget_now_runs_before(*, session: Session, before: datetime) -> int:
    """Drop `digest now` runs that ended (posted or failed) before `before`; the number dropped. Weekly runs stay:
    they hold the figures next week compares with, and there is one a week per channel."""
    result = session.exec(
        delete(DigestRun).where(  # type: ignore[call-overload]
            col(DigestRun.kind) == RunKind.NOW,
            col(DigestRun.status).in_([RunStatus.POSTED, RunStatus.FAILED]),
            col(DigestRun.claimed_at) < before,
        )
    )
    return result.rowcount or 0


def scenarios_for_digest(*, session: Session, team_id: str, channel_id: str) -> list[DigestScenario]:
    """The channel's saved scenarios as the digest needs them: only the columns it reads (the estimates' figures,
    not the whole estimates), and no ORM objects."""
    rows = session.exec(
        select(  # type: ignore[call-overload]  # six columns: more than sqlmodel's overloads spell out
            Scenario.id,
            Scenario.name,
            Scenario.version,
            Scenario.figures,
            Scenario.budget_usd_month,
            Scenario.card_permalink,
        )
        .where(Scenario.team_id == team_id, Scenario.channel_id == channel_id)
        .order_by(col(Scenario.id))
    ).all()
    return _DIGEST_SCENARIOS.validate_python(
        [
            {
                "id": id_,
                "name": name,
                "version": version,
                "estimate": figures,
                "budget_usd_month": budget,
                "link": permalink,
            }
            for id_, name, version, figures, budget, permalink in rows
        ]
    )  # one validation for the channel's scenarios, not one per scenario


_DIGEST_SCENARIOS = TypeAdapter(list[DigestScenario])
