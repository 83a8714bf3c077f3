from datetime import UTC, datetime, timedelta

import time_machine

from storage import Database, forget_estimates_before, last_estimate, remember_estimate
from tests.storage.factories import AUTHOR, CHANNEL, OTHER_AUTHOR, OTHER_CHANNEL, OTHER_TEAM, TEAM, count_rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _remember(db: Database, text: str, team_id: str = TEAM, channel_id: str = CHANNEL, user_id: str = AUTHOR) -> None:
    with db.session() as session:
        remember_estimate(session=session, team_id=team_id, channel_id=channel_id, user_id=user_id, text=text)


def _last(db: Database, team_id: str = TEAM, channel_id: str = CHANNEL, user_id: str = AUTHOR) -> str | None:
    with db.session(write=False) as session:
        return last_estimate(session=session, team_id=team_id, channel_id=channel_id, user_id=user_id)


def test_a_remembered_estimate_is_the_last_one(db: Database) -> None:
    _remember(db, "video 10s x 1M users")
    assert _last(db) == "video 10s x 1M users"


def test_remembering_again_overwrites(db: Database) -> None:
    _remember(db, "video 10s x 1M users")
    _remember(db, "chat 1500 in 500 out x 200k per day")
    assert (_last(db), count_rows(db, "last_estimate")) == ("chat 1500 in 500 out x 200k per day", 1)


def test_a_user_with_no_estimate_has_none(db: Database) -> None:
    assert _last(db) is None


def test_last_estimates_are_kept_per_workspace_channel_and_user(db: Database) -> None:
    _remember(db, "mine")
    _remember(db, "other workspace", team_id=OTHER_TEAM)
    _remember(db, "other channel", channel_id=OTHER_CHANNEL)
    _remember(db, "other user", user_id=OTHER_AUTHOR)
    seen = [
        _last(db),
        _last(db, team_id=OTHER_TEAM),
        _last(db, channel_id=OTHER_CHANNEL),
        _last(db, user_id=OTHER_AUTHOR),
    ]
    assert seen == ["mine", "other workspace", "other channel", "other user"]


def test_last_estimates_older_than_a_moment_are_forgotten(db: Database) -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    for user, age in (("U0OLD", 40), ("U0NEW", 1)):
        with time_machine.travel(now - timedelta(days=age), tick=False), db.session() as session:
            remember_estimate(session=session, team_id=TEAM, channel_id=CHANNEL, user_id=user, text="video 10s")
    with db.session() as session:
        assert forget_estimates_before(session=session, before=now - timedelta(days=30)) == 1
    with db.session(write=False) as session:
        assert last_estimate(session=session, team_id=TEAM, channel_id=CHANNEL, user_id="U0NEW") == "video 10s"
        assert last_estimate(session=session, team_id=TEAM, channel_id=CHANNEL, user_id="U0OLD") is None
