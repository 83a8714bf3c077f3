"""Benchmark: building one channel's weekly digest for 1k, 10k and 100k saved scenarios.

Not a test: it measures and prints. Run it from the project's virtual environment:

    python bench/bench_digest.py                 # 1k, 10k, 100k scenarios in a SQLite file
    python bench/bench_digest.py --sizes 1000 10000 --database-url postgresql+psycopg://postgres@127.0.0.1/test

"Build" is everything between the scheduler firing and the first Slack call: read the channel's scenarios and
the previous digest's figures from the database, re-cost them with today's catalog, compare with last week,
and render every message (the summary and the thread's continuation). The chart is timed apart: it draws the
top 15 scenarios whatever the channel's size.

Goal (issue 5): the build grows linearly with the scenarios and stays under a second at 10k.

The scenarios are varied the way a busy channel's would be: 120 workload/model combinations (video, image,
chat, agent, speech, transcription, embeddings; default and named models; some with the user's own price),
each with its own counts, period and value, so almost every text is distinct.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORKLOADS = [
    "video 10s", "video 5s 1080p", "video 8s veo-3.1-fast", "video 4s 480p", "video 10s kling-2.1",
    "image high 1024x1536", "image medium", "image gpt-image-1 low", "image 1024x1024 imagen-4",
    "chat 1500 in 500 out", "chat 800 in 200 out gpt-4o", "chat 3k tokens claude-sonnet-4",
    "chat 1500 in 500 out gemini-2.5-flash",
    "agent 40 steps x 6k tokens", "agent 12 steps x 2k tokens gpt-4o",
    "tts 30s", "tts 2k chars", "transcribe 10 min", "transcribe 1 min", "embed 1M tokens",
]  # fmt: skip
PRICES = ["", "", "", "at $0.2/s"]
PERIODS = ["per day", "per week", "per month", "per year", ""]
VALUES = ["", "value $0.05 each", "saves 5 min", "revenue $9.99/user/month", "value $2,000 per month"]


def scenario_texts(count: int, seed: int = 5) -> list[str]:
    """`count` estimate texts a channel might hold, all of which the catalog can cost."""
    from costing import EstimateError, estimate

    rng = random.Random(seed)
    combos = []
    for workload, price in itertools.product(WORKLOADS, PRICES):
        text = f"{workload} {price}".strip() if price and workload.startswith("video") else workload
        try:
            estimate(text)
        except EstimateError:
            continue
        combos.append(text)
    texts = []
    while len(texts) < count:
        base = rng.choice(combos)
        period = rng.choice(PERIODS)
        users = rng.choice([50, 200, 1_000, 20_000, 1_000_000])
        value = rng.choice(VALUES) if period else ""
        text = f"{base} x {users:,} users x {rng.randint(1, 40)} {period} {value}".strip()
        if "revenue" in value and "users" not in text:
            continue
        texts.append(" ".join(text.split()))
    return texts


def fill(url: str, count: int) -> tuple[str, str]:
    """A database with `count` scenarios in one channel and a previous digest; the (team, channel)."""
    from costing import estimate
    from storage import Database, ScenarioCreate, upgrade
    from storage.models import DigestRun

    team, channel = "T0BENCH", "C0BENCH"
    db = Database(url)
    upgrade(db)
    cache: dict[str, object] = {}
    texts = scenario_texts(count)
    rows = []
    for number, text in enumerate(texts):
        result = cache.get(text) or cache.setdefault(text, estimate(text))
        rows.append(
            ScenarioCreate(
                team_id=team,
                channel_id=channel,
                name=f"scenario {number:06d}",
                author_id="U0BENCH",
                text=text,
                estimate=result,
            ).row()
        )  # type: ignore[arg-type]
    with db.session() as session:
        session.add_all(rows)
    previous = build(db, team, channel, previous=None)[0]
    with db.session() as session:
        session.add(DigestRun(team_id=team, channel_id=channel, week="2026-W47", due_at=datetime(2026, 11, 16, 8,
                              tzinfo=UTC), status="posted", figures=previous.snapshot()))  # fmt: skip
    db.dispose()
    return team, channel


def build(db, team: str, channel: str, *, previous: object = "load"):  # type: ignore[no-untyped-def]
    """What a digest run does before its first Slack call; the digest and its messages."""
    from bot.blocks.digest import digest_messages
    from costing import current_catalog
    from costing.digest import build_digest
    from storage import previous_figures, scenarios_for_digest

    due = datetime(2026, 11, 23, 8, tzinfo=UTC)
    with db.session(write=False) as session:
        scenarios = scenarios_for_digest(session=session, team_id=team, channel_id=channel)
        if previous == "load":
            previous = previous_figures(session=session, team_id=team, channel_id=channel, before=due)
    digest = build_digest(scenarios, catalog=current_catalog(), at=due, previous=previous)  # type: ignore[arg-type]
    messages = digest_messages(digest, channel_id=channel, heading="Weekly AI spend vs value · week 48")
    digest.snapshot()
    return digest, messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5, help="builds per size (the median is reported)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use instead of a SQLite file")
    args = parser.parse_args()

    from bot.chart import spend_value_chart
    from storage import Database

    print(f"{'scenarios':>10} {'build (median)':>15} {'min':>9} {'µs/scenario':>12} {'messages':>9}  {'chart':>8}")
    per_scenario = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
            if args.database_url:
                _empty(url)
            team, channel = fill(url, size)
            db = Database(url)
            build(db, team, channel)  # warm: imports, catalog, the connection pool
            gc.collect()  # start each size from the same heap, not with the filling's garbage pending
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                digest, messages = build(db, team, channel)
                times.append(time.perf_counter() - start)
            start = time.perf_counter()
            png = spend_value_chart(digest, title="Weekly AI spend vs value · week 48")
            chart = time.perf_counter() - start
            db.dispose()
        median = statistics.median(times)
        per_scenario.append(median / size * 1e6)
        print(f"{size:>10,} {median:>14.3f}s {min(times):>8.3f}s {median / size * 1e6:>12.1f} {len(messages):>9}  "
              f"{chart:>7.3f}s ({len(png or b'') // 1024} KB)")  # fmt: skip
    if len(per_scenario) > 1:
        spread = max(per_scenario) / min(per_scenario)
        print(f"linear? time per scenario varies by {spread:.2f}× across sizes (1.00× is perfectly linear)")


def _empty(url: str) -> None:
    from sqlalchemy import text

    from storage import Database

    db = Database(url)
    with db.engine.begin() as connection:
        for table in ("thread_reply", "scenario_version", "digest_run", "digest_subscription", "scenario",
                      "last_estimate", "work", "alembic_version"):  # fmt: skip
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    db.dispose()


if __name__ == "__main__":
    main()
