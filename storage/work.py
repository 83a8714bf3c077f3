"""Acknowledged work, written down: recorded before Slack is told "got it", claimed by whoever does it, finished
after. A request recorded twice (a replay, or Slack delivering an event again, on any replica) is refused by
the unique key; work whose process died is claimed again by comparing its attempts, so two processes never
both take it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Work, WorkPublic, WorkState
from storage.types import utcnow

__all__ = ["claim_work", "finish_work", "forget_work_before", "open_work", "record_work", "renew_work"]

_OPEN = (WorkState.WAITING, WorkState.RUNNING)


def record_work(
    *, session: Session, key: str, step: str, body: dict[str, Any], team_id: str | None, by: str, claim: bool = False
) -> WorkPublic | None:
    """Write the request down, recorded by process `by` (and, with `claim`, taken by it at once: its first
    attempt); None when `key` is recorded already."""
    row = Work(key=key, step=step, body=body, team_id=team_id, claimed_by=by)
    if claim:
        row.state, row.attempts = WorkState.RUNNING, 1
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return WorkPublic.model_validate(row, from_attributes=True)


def claim_work(
    *, session: Session, work_id: int, attempts: int, by: str, now: datetime | None = None
) -> WorkPublic | None:
    """Take the work for process `by` if it is still open and tried `attempts` times (as its claimer read it);
    None when someone else took or finished it in between."""
    now = now or utcnow()
    claimed = session.exec(  # type: ignore[call-overload]
        update(Work)
        .where(col(Work.id) == work_id, col(Work.attempts) == attempts, col(Work.state).in_(_OPEN))
        .values(state=WorkState.RUNNING, claimed_by=by, claimed_at=now, attempts=attempts + 1)
    )
    if claimed.rowcount != 1:
        return None
    row = session.get(Work, work_id)
    assert row is not None
    session.refresh(row)
    return WorkPublic.model_validate(row, from_attributes=True)


def finish_work(*, session: Session, work_id: int, state: WorkState = WorkState.DONE) -> None:
    """Mark the work done (or given up); the request it kept, response URL and all, is dropped."""
    session.exec(  # type: ignore[call-overload]
        update(Work).where(col(Work.id) == work_id).values(state=state, finished_at=utcnow(), body=None)
    )


def open_work(
    *,
    session: Session,
    stale_before: datetime | None = None,
    also: Collection[int] = (),
    limit: int = 100,
) -> list[WorkPublic]:
    """Work not finished, oldest first: all of it, or (with `stale_before`) what was last claimed before then,
    and the work `also` names."""
    query = select(Work).where(col(Work.state).in_(_OPEN))
    if stale_before is not None:
        stale = col(Work.claimed_at) < stale_before
        query = query.where(or_(stale, col(Work.id).in_(also)) if also else stale)
    query = query.order_by(col(Work.created_at), col(Work.id)).limit(limit)
    return [WorkPublic.model_validate(row, from_attributes=True) for row in session.exec(query)]


def renew_work(*, session: Session, work_ids: Collection[int], by: str, now: datetime | None = None) -> int:
    """Renew process `by`'s claims on `work_ids` (it is still at them); the number renewed."""
    renewed = session.exec(  # type: ignore[call-overload]
        update(Work)
        .where(col(Work.id).in_(work_ids), col(Work.claimed_by) == by, col(Work.state).in_(_OPEN))
        .values(claimed_at=now or utcnow())
    )
    return renewed.rowcount or 0


def forget_work_before(*, session: Session, before: datetime) -> int:
    """Drop finished work older than `before` (its key only guards against replays for minutes); the number."""
    finished = or_(col(Work.state) == WorkState.DONE, col(Work.state) == WorkState.GAVE_UP)
    result = session.exec(delete(Work).where(finished, col(Work.created_at) < before))  # type: ignore[call-overload]
    return result.rowcount or 0
