"""Acknowledged work: recorded once per key, claimed by one process at a time, finished, pruned."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from storage import (
    Database,
    WorkState,
    claim_work,
    finish_work,
    forget_work_before,
    open_work,
    record_work,
)
from storage.types import utcnow
from tests.storage.factories import TEAM

BODY = {"command": "/cost", "text": "save plan video 10s", "response_url": "https://hooks.slack.com/commands/T/1/s"}


def record(db: Database, key: str = "body:1", by: str = "host:1:aa") -> int:
    with db.session() as session:
        work = record_work(session=session, key=key, step="scenario_command", body=BODY, team_id=TEAM, by=by)
    assert work is not None
    return work.id


def test_a_request_is_recorded_once_per_key(db: Database) -> None:
    record(db)
    with db.session() as session:
        again = record_work(session=session, key="body:1", step="scenario_command", body=BODY, team_id=TEAM, by="b")
    assert again is None
    with db.session(write=False) as session:
        (work,) = open_work(session=session)
    assert (work.state, work.attempts, work.body, work.claimed_by) == (WorkState.WAITING, 0, BODY, "host:1:aa")


def test_of_two_claims_on_the_same_attempt_one_wins(db: Database) -> None:
    work_id = record(db)

    def claim(by: str) -> bool:
        with db.session() as session:
            return claim_work(session=session, work_id=work_id, attempts=0, by=by) is not None

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(claim, [f"host:{n}:x" for n in range(8)]))
    assert won.count(True) == 1
    with db.session(write=False) as session:
        (work,) = open_work(session=session)
    assert (work.state, work.attempts) == (WorkState.RUNNING, 1)


def test_finished_work_is_closed_its_request_dropped_and_pruned_later(db: Database) -> None:
    done, given_up, still_open = record(db, "body:1"), record(db, "body:2"), record(db, "body:3")
    with db.session() as session:
        finish_work(session=session, work_id=done)
        finish_work(session=session, work_id=given_up, state=WorkState.GAVE_UP)
    with db.session(write=False) as session:
        assert [w.id for w in open_work(session=session)] == [still_open]
    with db.session() as session:
        assert claim_work(session=session, work_id=done, attempts=0, by="late:1:x") is None  # done is done
        assert forget_work_before(session=session, before=utcnow() - timedelta(hours=1)) == 0
        assert forget_work_before(session=session, before=utcnow() + timedelta(seconds=1)) == 2
    with db.session(write=False) as session:
        assert [w.id for w in open_work(session=session)] == [still_open]  # open work is never pruned
