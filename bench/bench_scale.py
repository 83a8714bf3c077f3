"""Benchmark: costs that must stay flat as use grows, each beside its floor, in one run.

- the scheduler's minute pass over 50k digest subscriptions: the first pass after the upgrade (every next due
  time still to work out, once), a pass when nothing is due, and a pass the day after a send (every channel's
  digest posted this week); floor: reading the running subscriptions by one query, and the week's runs by one;
- `/cost list` in a channel with 10k scenarios (the whole reply, Block Kit included); floor: a count and one
  page of 40 rows by two queries;
- App Home for a user with 10k scenarios (the whole view); floor: the indexed query for the 10 it shows.

Targets (issue 14): a pass ≤ 0.5 s with nothing due and ≤ 1 s the day after a send; list and Home ≤ 20 ms.

    python bench/bench_scale.py                     # SQLite file
    python bench/bench_scale.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEAM, CHANNEL, AUTHOR = "T0SCALE", "C0SCALE", "U0SCALE"
#: Who set the digests up (not the author whose App Home is timed: no one sets up 50k digests).
OPERATOR = "U0DIGESTS"
#: A Monday 09:00 in Berlin (every subscription's time), and the Tuesday after.
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median seconds of `repeat` runs of `work`, and its last result."""
    samples, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples), result


def insert_subscriptions(connection: Any, count: int, *, team: str, created_by: str, created: datetime) -> None:
    """`count` weekly digests due Mondays 09:00 Berlin, in channels C000000000, C000000001, …, in bulk."""
    from sqlalchemy import insert

    from storage.models import DigestSubscription

    rows = [
        {"team_id": team, "channel_id": f"C{n:09d}", "created_by": created_by, "weekday": 0, "at_time": "09:00",
         "timezone": "Europe/Berlin", "active": True, "created_at": created, "updated_at": created}
        for n in range(count)
    ]  # fmt: skip
    for start in range(0, len(rows), 5000):
        connection.execute(insert(DigestSubscription), rows[start : start + 5000])


def fill(db: Any, subscriptions: int, scenarios: int) -> None:
    """`subscriptions` weekly digests (Mondays 09:00 Berlin, one channel each) and `scenarios` in one channel,
    all by one author, inserted in bulk."""
    from sqlalchemy import insert

    import costing
    from storage.models import Scenario, estimate_json, figures_of, prices_of

    created = MONDAY - timedelta(days=30)
    with db.engine.begin() as connection:
        insert_subscriptions(connection, subscriptions, team=TEAM, created_by=OPERATOR, created=created)
        estimate = costing.estimate("video 10s x 1M users per month")
        data, figures, prices = estimate_json(estimate), figures_of(estimate), prices_of(estimate)
        rows = [
            {"team_id": TEAM, "channel_id": CHANNEL, "name": f"scenario {n:05d}", "name_key": f"scenario {n:05d}",
             "author_id": AUTHOR, "text": estimate.text, "estimate": data, "figures": figures, "prices": prices,
             "channel_private": False, "version": 1, "created_at": created + timedelta(seconds=n),
             "updated_at": created + timedelta(seconds=n)}
            for n in range(scenarios)
        ]  # fmt: skip
        for start in range(0, len(rows), 2000):
            connection.execute(insert(Scenario), rows[start : start + 2000])


def mark_posted(db: Any, week: str, due_at: datetime) -> None:
    """Every channel's digest for `week` as the Monday's passes left them: posted."""
    from sqlalchemy import insert, select

    from storage.models import DigestRun, DigestSubscription, RunStatus

    with db.engine.begin() as connection:
        channels = connection.execute(select(DigestSubscription.channel_id)).scalars().all()
        rows = [
            {"team_id": TEAM, "channel_id": channel, "kind": "weekly", "week": week, "due_at": due_at,
             "status": RunStatus.POSTED, "claimed_by": "bench", "claimed_at": due_at, "posted_at": due_at,
             "message_ts": "1.1", "attempts": 1}
            for channel in channels
        ]  # fmt: skip
        for start in range(0, len(rows), 5000):
            connection.execute(insert(DigestRun), rows[start : start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL to run on (default: a fresh SQLite file)")
    parser.add_argument("--subscriptions", type=int, default=50_000)
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from tests.databases import fresh_postgres_url

    with ExitStack() as stack:
        if args.database_url:  # a database of its own on that server, dropped afterwards
            os.environ["TEST_DATABASE_URL"] = args.database_url
            url = stack.enter_context(fresh_postgres_url())
        else:
            url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='costbot-scale-')) / 'costbot.db'}"
        run(url, args)


def run(url: str, args: argparse.Namespace) -> None:
    from slack_sdk import WebClient
    from sqlalchemy import func, select, text

    from bot.blocks.home import HOME_SCENARIOS, home_view
    from bot.digests import DigestPoster
    from bot.router import Place, answer
    from bot.scenarios import Where
    from bot.scheduler import run_due_digests
    from storage import (
        Database,
        count_scenarios_by_author,
        scenarios_by_author,
        subscriptions_by_creator,
        upgrade,
    )
    from storage.models import DigestRun, DigestSubscription, Scenario
    from tests.fakeslack import BOT_TOKEN, FakeSlack

    db = Database(url)
    upgrade(db)
    postgres = url.startswith("postgresql")
    fill(db, args.subscriptions, args.scenarios)
    if postgres:  # what autovacuum does to a database that has lived a while: statistics, the visibility map
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    fake = FakeSlack().start()
    client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
    poster = DigestPoster(db=db, client=client, team_id=TEAM)
    tuesday = MONDAY + timedelta(days=1)
    results = []
    try:

        def read_subscriptions() -> int:
            with db.session(write=False) as session:
                return len(session.exec(select(DigestSubscription).where(DigestSubscription.active)).all())

        def read_week_runs() -> int:
            with db.session(write=False) as session:
                return len(session.exec(select(DigestRun.channel_id).where(DigestRun.week == "2026-W48")).all())

        floor, _ = timed(read_subscriptions, args.repeat)
        first, outcomes = timed(lambda: run_due_digests(poster, now=MONDAY - timedelta(hours=1)), 1)
        assert outcomes == [], outcomes
        idle, outcomes = timed(lambda: run_due_digests(poster, now=MONDAY - timedelta(minutes=30)), args.repeat)
        assert outcomes == [], outcomes
        results.append((f"pass, {args.subscriptions:,} subscriptions: first after the upgrade", first, floor))
        results.append(("pass, nothing due", idle, floor))

        # Monday's passes posted every channel's digest: the week's runs are there, the next due times moved on.
        mark_posted(db, "2026-W48", MONDAY)
        with db.session() as session:
            session.exec(DigestSubscription.__table__.update().values(next_due_at=MONDAY + timedelta(days=7)))  # type: ignore[attr-defined]
        runs_floor, _ = timed(read_week_runs, args.repeat)
        after, outcomes = timed(lambda: run_due_digests(poster, now=tuesday), args.repeat)
        assert outcomes == [], outcomes
        results.append(("pass, the day after a send", after, runs_floor))

        place = Place(where=Where(TEAM, CHANNEL, AUTHOR), db=db, client=client)

        def page_floor() -> int:
            with db.session(write=False) as session:
                total = session.scalar(select(func.count()).select_from(Scenario).where(Scenario.channel_id == CHANNEL))
                rows = session.exec(
                    select(Scenario).where(Scenario.channel_id == CHANNEL).order_by(Scenario.name_key).limit(40)
                ).all()
                return int(total or 0) + len(rows)

        listed, reply = timed(lambda: answer("list", place), args.repeat)
        assert f"*{args.scenarios} saved scenarios*" in reply.message["blocks"][0]["text"]["text"]
        results.append((f"/cost list, {args.scenarios:,} scenarios", listed, timed(page_floor, args.repeat)[0]))

        def home() -> dict[str, Any]:
            with db.session(write=False) as session:
                scenarios = scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR, limit=HOME_SCENARIOS)
                total = count_scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR)
                subscriptions = subscriptions_by_creator(session=session, team_id=TEAM, user_id=AUTHOR)
            return home_view(scenarios, subscriptions[:10], total=total)

        def home_floor() -> int:
            with db.session(write=False) as session:
                query = (
                    select(Scenario.id)
                    .where(Scenario.team_id == TEAM, Scenario.author_id == AUTHOR)
                    .order_by(Scenario.updated_at.desc())  # type: ignore[attr-defined]
                    .limit(HOME_SCENARIOS)
                )
                return len(session.exec(query).all())

        results.append((f"App Home, {args.scenarios:,} scenarios", timed(home, args.repeat)[0],
                        timed(home_floor, args.repeat)[0]))  # fmt: skip
    finally:
        fake.stop()
        db.dispose()

    kind = "PostgreSQL" if postgres else "SQLite"
    print(f"Python {sys.version.split()[0]}; {kind}; median of {args.repeat} (the first pass: once)")
    print(f"{'':58}{'costbot':>10}{'floor':>10}{'ratio':>8}")
    for name, ours, floor in results:
        print(f"{name:58}{ours * 1000:>8.1f}ms{floor * 1000:>8.1f}ms{ours / floor:>8.1f}")


if __name__ == "__main__":
    main()
