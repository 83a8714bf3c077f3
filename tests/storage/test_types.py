from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text as sql
from sqlalchemy.exc import StatementError

from storage import Database, forget_estimates_before, get_scenario_by_id
from storage.models import LastEstimate
from tests.storage.factories import TEAM, save

EXACT = ["0.000001234", "1E+18", "1430555.55", "0.10", "0"]


@pytest.mark.parametrize("amount", EXACT)
def test_decimals_come_back_exactly_as_saved(db: Database, amount: str) -> None:
    saved = save(db, budget_usd_month=Decimal(amount))
    with db.session(write=False) as session:
        again = get_scenario_by_id(session=session, team_id=TEAM, scenario_id=saved.id)
    assert again is not None
    assert (str(again.budget_usd_month), again.budget_usd_month) == (amount, Decimal(amount))


@pytest.mark.parametrize("amount", EXACT)
def test_decimals_are_stored_as_their_exact_text(db: Database, amount: str) -> None:
    save(db, budget_usd_month=Decimal(amount))
    with db.engine.connect() as connection:
        assert connection.execute(sql("SELECT budget_usd_month FROM scenario")).scalar_one() == amount


def test_a_datetime_in_another_zone_comes_back_as_the_same_instant_in_utc(db: Database) -> None:
    in_karachi = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=5)))
    with db.session() as session:
        session.add(LastEstimate(team_id="T0TEAM1", channel_id="C0CHAN1", user_id="U0ALICE", text="chat",
                                 estimated_at=in_karachi))  # fmt: skip
    with db.session(write=False) as session:
        received_at = session.get_one(LastEstimate, ("T0TEAM1", "C0CHAN1", "U0ALICE")).estimated_at
    assert (received_at, received_at.tzinfo) == (datetime(2026, 11, 25, 7, 0, 0, 123456, tzinfo=UTC), UTC)


def test_timestamps_a_scenario_gets_are_aware_utc(db: Database) -> None:
    saved = save(db)
    with db.session(write=False) as session:
        again = get_scenario_by_id(session=session, team_id=TEAM, scenario_id=saved.id)
    assert again is not None
    assert (again.created_at.tzinfo, again.updated_at.tzinfo) == (UTC, UTC)


def test_a_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="aware datetimes only"), db.session() as session:
        session.add(LastEstimate(team_id="T0TEAM1", channel_id="C0CHAN1", user_id="U0ALICE", text="chat",
                                 estimated_at=datetime(2026, 11, 25, 12, 0)))  # fmt: skip
        session.flush()


def test_a_naive_datetime_is_refused_in_a_query_too(db: Database) -> None:
    with pytest.raises(StatementError, match="aware datetimes only"), db.session() as session:
        forget_estimates_before(session=session, before=datetime(2026, 11, 25, 12, 0))
