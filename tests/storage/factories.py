"""Valid inputs for the storage tests: one workspace, channel and author unless a test names others."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from functools import cache
from typing import Any

from sqlalchemy import text as sql

import costing
from costing import Estimate
from storage import Database, ScenarioCreate, ScenarioPublic, VersionCreate, save_scenario

TEAM, OTHER_TEAM = "T0TEAM1", "T0TEAM2"
CHANNEL, OTHER_CHANNEL = "C0CHAN1", "C0CHAN2"
AUTHOR, OTHER_AUTHOR = "U0ALICE", "U0BOB"

VIDEO = "video 10s x 1M users per day value $0.05 each"
CHAT = "chat 1500 in 500 out x 200k per day"
IMAGE = "image high 1024x1536 x 50k per day"


@cache
def estimate(text: str) -> Estimate:
    """`costing.estimate(text)`, costed once per test session (estimates are frozen)."""
    return costing.estimate(text)


def scenario_create(
    name: str = "Video launch", *, text: str = VIDEO, team_id: str = TEAM, channel_id: str = CHANNEL,
    author_id: str = AUTHOR, **fields: Any,
) -> ScenarioCreate:  # fmt: skip
    return ScenarioCreate(
        team_id=team_id, channel_id=channel_id, name=name, author_id=author_id, text=text, estimate=estimate(text),
        **fields,
    )  # fmt: skip


def version_create(
    text: str = CHAT, *, change: str = "what-if", author_id: str = OTHER_AUTHOR, **fields: Any
) -> VersionCreate:
    return VersionCreate(author_id=author_id, text=text, change=change, estimate=estimate(text), **fields)


def save(db: Database, name: str = "Video launch", **fields: Any) -> ScenarioPublic:
    """Save a scenario in a unit of work of its own."""
    with db.session() as session:
        return save_scenario(session=session, scenario_create=scenario_create(name, **fields))


def count_rows(db: Database, table: str) -> int:
    """The rows in `table`, counted with SQL (not through the repository under test)."""
    with db.engine.connect() as connection:
        return connection.execute(sql(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()


def all_at_once(count: int, work: Callable[[int], Any], *, timeout: float = 60) -> list[Any]:
    """Run `work(0)` … `work(count - 1)` in threads a barrier releases together; what each returned or raised.

    Threads still running after `timeout` seconds fail the test instead of hanging it (a lost wake-up, a lock
    never released).
    """
    barrier = threading.Barrier(count)

    def start(index: int) -> Any:
        barrier.wait(timeout=timeout)
        return work(index)

    pool = ThreadPoolExecutor(max_workers=count)
    try:
        futures = [pool.submit(start, index) for index in range(count)]
        _, running = wait(futures, timeout=timeout)
        assert not running, f"{len(running)} of {count} threads still running after {timeout:.0f} s"
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [future.exception() or future.result() for future in futures]
