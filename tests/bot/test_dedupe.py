from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.dedupe import EventClaims, RecentIds
from storage import Database
from storage.models import ProcessedEvent
from storage.types import utcnow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_id_is_new_once_within_the_window() -> None:
    recent = RecentIds(clock=Clock())
    assert recent.first_time("Ev1") is True
    assert recent.first_time("Ev1") is False
    assert recent.first_time("Ev2") is True


def test_ids_are_forgotten_after_the_window() -> None:
    clock = Clock()
    recent = RecentIds(ttl=60, clock=clock)
    recent.first_time("Ev1")
    clock.now = 61
    assert recent.first_time("Ev1") is True


def test_memory_is_bounded() -> None:
    recent = RecentIds(capacity=3, clock=Clock())
    for n in range(5):
        recent.first_time(f"Ev{n}")
    assert recent.first_time("Ev0") is True  # pushed out by newer ones
    assert recent.first_time("Ev4") is False


def event(event_id: str) -> dict[str, str]:
    return {"type": "event_callback", "event_id": event_id, "team_id": "T0TEAM1"}


def test_a_repeat_reaching_another_replica_is_recognised_by_the_database(db: Database) -> None:
    replicas = [EventClaims(db), EventClaims(db)]  # two processes, one database
    assert [replica.first(event("Ev9")) for replica in replicas] == [True, False]
    assert replicas[1].first(event("Ev10")) is True


def test_a_request_without_an_event_id_is_always_handled(sqlite_db: Database) -> None:
    claims = EventClaims(sqlite_db)
    assert claims.first({"type": "block_actions"}) and claims.first({"type": "block_actions"})


def test_event_ids_older_than_a_day_are_forgotten(db: Database) -> None:
    with db.session() as session:
        session.add(ProcessedEvent(event_id="EvOLD", team_id="T1", received_at=utcnow() - timedelta(days=2)))
        session.add(ProcessedEvent(event_id="EvRECENT", team_id="T1", received_at=utcnow() - timedelta(hours=2)))
    EventClaims(db).first(event("EvNEW"))  # the first claim of a process tidies up
    with db.session(write=False) as session:
        kept = {row.event_id for row in session.exec(select(ProcessedEvent))}
    assert kept == {"EvRECENT", "EvNEW"}
