"""Digest subscriptions and runs (the weekly digest fills these in; App Home lists a user's subscriptions)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import DigestSubscription

__all__ = ["subscriptions_by_creator"]


def subscriptions_by_creator(*, session: Session, team_id: str, user_id: str) -> list[DigestSubscription]:
    """The channel digests a user set up in this workspace, by channel."""
    return list(
        session.exec(
            select(DigestSubscription)
            .where(DigestSubscription.team_id == team_id, DigestSubscription.created_by == user_id)
            .order_by(col(DigestSubscription.channel_id))
        ).all()
    )
