"""What people said in a scenario's thread."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Scenario, ThreadReply, ThreadReplyCreate, ThreadReplyPublic

__all__ = ["add_reply", "latest_replies"]


def add_reply(*, session: Session, team_id: str, scenario_id: int, reply_create: ThreadReplyCreate) -> bool:
    """Keep a thread message with its scenario; False when that message (same ts) is kept already or the
    scenario is not in this workspace."""
    owner = session.exec(select(Scenario.id).where(Scenario.id == scenario_id, Scenario.team_id == team_id)).first()
    if owner is None:
        return False
    try:
        with session.begin_nested():
            session.add(ThreadReply(scenario_id=scenario_id, **reply_create.model_dump()))
            session.flush()
    except IntegrityError:
        return False
    return True


def latest_replies(*, session: Session, team_id: str, scenario_id: int, limit: int = 5) -> list[ThreadReplyPublic]:
    """The thread's last `limit` messages, oldest of them first."""
    rows = session.exec(
        select(ThreadReply)
        .join(Scenario, col(Scenario.id) == col(ThreadReply.scenario_id))
        .where(Scenario.team_id == team_id, ThreadReply.scenario_id == scenario_id)
        .order_by(col(ThreadReply.ts).desc())
        .limit(limit)
    ).all()
    return [ThreadReplyPublic.model_validate(row, from_attributes=True) for row in reversed(rows)]
