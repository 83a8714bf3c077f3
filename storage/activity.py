"""Bookkeeping of what the bot has seen: each user's last estimate (what `/cost save NAME` saves)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import LastEstimate
from storage.types import utcnow

__all__ = ["forget_estimates_before", "last_estimate", "remember_estimate"]


def forget_estimates_before(*, session: Session, before: datetime) -> int:
    """Drop users' last estimates made before `before` (what `/cost save NAME` would save); the number dropped."""
    result = session.exec(delete(LastEstimate).where(col(LastEstimate.estimated_at) < before))  # type: ignore[call-overload]
    return result.rowcount or 0


def remember_estimate(*, session: Session, team_id: str, channel_id: str, user_id: str, text: str) -> None:
    """Note `text` as the user's last estimate in the channel (what `/cost save NAME` saves)."""
    row = session.get(LastEstimate, (team_id, channel_id, user_id))
    if row is None:
        row = LastEstimate(team_id=team_id, channel_id=channel_id, user_id=user_id, text=text)
    else:
        row.text, row.estimated_at = text, utcnow()
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same user's other request inserted it a moment ago: theirs is as recent
        pass


def last_estimate(*, session: Session, team_id: str, channel_id: str, user_id: str) -> str | None:
    """The user's last estimate text in the channel, or None."""
    row = session.exec(
        select(LastEstimate).where(
            LastEstimate.team_id == team_id, LastEstimate.channel_id == channel_id, LastEstimate.user_id == user_id
        )
    ).first()
    return None if row is None else row.text
