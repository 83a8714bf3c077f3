"""Digest subscriptions as App Home lists them: a user's own, in their workspace, by channel."""

from __future__ import annotations

from storage import Database, subscriptions_by_creator
from storage.models import DigestSubscription
from tests.storage.factories import AUTHOR, OTHER_AUTHOR, OTHER_TEAM, TEAM


def subscribe(db: Database, channel: str, *, team_id: str = TEAM, user: str = AUTHOR) -> None:
    with db.session() as session:
        session.add(DigestSubscription(team_id=team_id, channel_id=channel, created_by=user, weekday=0,
                                       at_time="09:00", timezone="Europe/Berlin"))  # fmt: skip


def test_a_users_digests_are_listed_by_channel_in_their_workspace_only(db: Database) -> None:
    subscribe(db, "C0ZULU")
    subscribe(db, "C0ALPHA")
    subscribe(db, "C0THEIRS", user=OTHER_AUTHOR)
    subscribe(db, "C0ELSEWHERE", team_id=OTHER_TEAM)
    with db.session(write=False) as session:
        mine = subscriptions_by_creator(session=session, team_id=TEAM, user_id=AUTHOR)
    assert [s.channel_id for s in mine] == ["C0ALPHA", "C0ZULU"]
