from datetime import UTC, datetime, timedelta

import time_machine
from sqlmodel import select

from storage import (
    Database,
    claim_event,
    forget_estimates_before,
    forget_events_before,
    last_estimate,
    remember_estimate,
)
from storage.models import ProcessedEvent
from tests.storage.factories import AUTHOR, CHANNEL, OTHER_AUTHOR, OTHER_CHANNEL, OTHER_TEAM, TEAM, count_rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _claim(db: Database, event_id: str) -> bool:
    with db.session() as session:
        return claim_event(session=session, event_id=event_id, team_id=TEAM)


def _remember(db: Database, text: str, team_id: str = TEAM, channel_id: str = CHANNEL, user_id: str = AUTHOR) -> None:
    with db.session() as session:
        remember_estimate(session=session, team_id=team_id, channel_id=channel_id, user_id=user_id, text=text)


def _last(db: Database, team_id: str = TEAM, channel_id: str = CHANNEL, user_id: str = AUTHOR) -> str | None:
    with db.session(write=False) as session:
        return last_estimate(session=session, team_id=team_id, channel_id=channel_id, user_id=user_id)


def test_the_first_claim_of_an_event_wins(db: Database) -> None:
    assert _claim(db, "Ev0001") is True


def test_a_repeated_delivery_of_an_event_is_not_claimed_again(db: Database) -> None:
    _claim(db, "Ev0001")
    assert _claim(db, "Ev0001") is False


def test_a_repeated_claim_in_one_unit_of_work_leaves_the_first_standing(db: Database) -> None:
    with db.session() as session:
        claims = [claim_event(session=session, event_id="Ev0001", team_id=None) for _ in range(2)]
    assert (claims, count_rows(db, "processed_event")) == ([True, False], 1)


def test_another_event_is_claimed(db: Database) -> None:
    _claim(db, "Ev0001")
    assert _claim(db, "Ev0002") is True


def test_forgetting_old_events_drops_only_those_received_before(db: Database) -> None:
    with db.session() as session:
        for event_id, age in [("Ev-old", timedelta(hours=2)), ("Ev-edge", timedelta(0)), ("Ev-new", -timedelta(1))]:
            session.add(ProcessedEvent(event_id=event_id, team_id=TEAM, received_at=NOW - age))
    with db.session() as session:
        dropped = forget_events_before(session=session, before=NOW)
    with db.session(write=False) as session:
        left = sorted(session.exec(select(ProcessedEvent.event_id)).all())
    assert (dropped, left) == (1, ["Ev-edge", "Ev-new"])


def test_a_forgotten_event_can_be_claimed_again(db: Database) -> None:
    with db.session() as session:
        session.add(ProcessedEvent(event_id="Ev0001", team_id=TEAM, received_at=NOW - timedelta(hours=2)))
    with db.session() as session:
        forget_events_before(session=session, before=NOW)
    assert _claim(db, "Ev0001") is True


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
