"""Benchmark: a Monday-09:00 burst of due weekly digests, posted by one scheduler pass at Slack's pace.

Every subscription is due at the same minute (Mondays 09:00 Berlin, one channel each, each channel with a few
saved scenarios, so each digest is a message, a chart uploaded in its thread, and its records). One pass of
`run_due_digests` posts them through the fake Slack (a real HTTP server on loopback whose every Web API call
takes `--latency` seconds, as Slack's do) with the real per-channel pace (`--pace` seconds between posts to a
channel: Slack allows about one a second). Measured in one run, each in a process of its own: the pass with
costbot's bounded pool (`POST_WORKERS` at once) and the baseline, one digest after another (workers=1; what a
pass did before the pool). Reported: the pass's time, digests per second, Web API calls at once (most), and
resident memory (RSS) before the pass, at its peak and the growth; twice, at `--digests` and at a fifth of
it, to show that memory does not grow with the burst.

The baseline is slow by design (each digest waits out its channel's pace before its chart): by default it
runs on `--baseline-digests` only, and its time for the full burst is worked out from its rate, said so.

    python bench/bench_digest_burst.py                       # 10,000 digests, SQLite file
    python bench/bench_digest_burst.py --digests 2000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEAM, AUTHOR = "T0TEAM1", "U0BURST"  # the fake Slack's workspace
#: A Monday 09:00 in Berlin: every subscription's time; the pass runs five minutes later.
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TEXTS = ("video 10s x 1M users per month", "chat 1500 in 500 out x 200k per day", "image x 50k per week")


def fill(url: str, digests: int) -> None:
    """`digests` channels with a digest due on Monday 09:00 Berlin and the three scenarios of TEXTS each."""
    from bench_scale import insert_subscriptions
    from sqlalchemy import insert

    import costing
    from storage import Database, upgrade
    from storage.models import Scenario, estimate_json, figures_of, prices_of

    db = Database(url)
    upgrade(db)
    created = MONDAY - timedelta(days=30)
    estimates = [costing.estimate(text) for text in TEXTS]
    with db.engine.begin() as connection:
        insert_subscriptions(connection, digests, team=TEAM, created_by=AUTHOR, created=created)
        scenarios = [
            {"team_id": TEAM, "channel_id": f"C{n:09d}", "name": f"plan {i}", "name_key": f"plan {i}",
             "author_id": AUTHOR, "text": e.text, "estimate": estimate_json(e), "figures": figures_of(e),
             "prices": prices_of(e), "channel_private": False, "version": 1, "created_at": created,
             "updated_at": created}
            for n in range(digests)
            for i, e in enumerate(estimates)
        ]  # fmt: skip
        for start in range(0, len(scenarios), 3000):
            connection.execute(insert(Scenario), scenarios[start : start + 3000])
    db.dispose()


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def serve_fake(latency: float, pipe: Connection) -> None:
    """The fake Slack, in a process of its own (it keeps every call it answers, charts included, which would
    otherwise count as the pass's memory): its URL sent, then at "stop", what it saw."""
    from tests.fakeslack import TEAM as FAKE_TEAM
    from tests.fakeslack import FakeSlack

    assert TEAM == FAKE_TEAM, "the fake Slack's token belongs to TEAM"
    fake = FakeSlack().start()
    fake.latency = latency
    pipe.send(fake.api_url)
    pipe.recv()
    methods = ("chat.postMessage", "files.completeUploadExternal")
    calls = {name: sum(c.name == name for c in fake.calls) for name in methods}
    pipe.send({"at_once": fake.most_in_flight, "calls": calls})
    fake.stop()


def warm_up(db: Any) -> None:
    """One channel's digest built, rendered and charted, not posted: what every digest imports and caches
    (matplotlib, fonts, the catalog) is in memory before the baseline is read."""
    from bot.blocks.digest import digest_messages
    from bot.chart import spend_value_chart
    from costing import build_digest, current_catalog
    from storage import scenarios_for_digest

    with db.session(write=False) as session:
        scenarios = scenarios_for_digest(session=session, team_id=TEAM, channel_id=f"C{0:09d}")
    digest = build_digest(scenarios, catalog=current_catalog(), at=MONDAY, previous=None)
    digest_messages(digest, channel_id=f"C{0:09d}", heading="warm-up")
    spend_value_chart(digest, title="warm-up")


def child(args: argparse.Namespace) -> None:
    """One pass over the burst in this process; one JSON line of what it measured."""
    import time_machine
    from slack_sdk import WebClient

    from bot.digests import DigestPoster
    from bot.scheduler import run_due_digests
    from bot.slack_pace import ChannelPace
    from storage import Database
    from tests.fakeslack import BOT_TOKEN

    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    fake = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(args.latency, theirs), daemon=True)
    fake.start()
    api_url = ours.recv()
    db = Database(args.url)
    poster = DigestPoster(
        db=db, client=WebClient(token=BOT_TOKEN, base_url=api_url), team_id=TEAM, pace=ChannelPace(args.pace)
    )
    warm_up(db)

    before = peak = rss_mb()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=True):
        began = time.perf_counter()
        outcomes = run_due_digests(poster, workers=args.workers)
        seconds = time.perf_counter() - began
    done.set()
    sampler.join()
    peak = max(peak, rss_mb())
    posted = sum(o.status == "posted" and "chart" not in o.detail for o in outcomes)
    ours.send("stop")
    seen = ours.recv()
    fake.join(timeout=10)
    print(json.dumps({
        "digests": len(outcomes), "posted": posted, "seconds": seconds, "before_mb": before, "peak_mb": peak,
        "at_once": seen["at_once"], "calls": seen["calls"],
    }))  # fmt: skip
    db.dispose()


def measure(url: str, args: argparse.Namespace, *, workers: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--url", url, "--workers", str(workers),
               "--latency", str(args.latency), "--pace", str(args.pace)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the pass failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--digests", type=int, default=10_000, help="digests due at once (10,000)")
    parser.add_argument("--baseline-digests", type=int, default=200, help="digests for the one-at-a-time pass")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each Web API call takes (0.05)")
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between posts to one channel (1.0)")
    parser.add_argument("--database-url", help="PostgreSQL server for databases of its own (default: SQLite files)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from bot.scheduler import POST_WORKERS
    from tests.databases import fresh_postgres_url

    def database(stack: ExitStack) -> str:
        if args.database_url:
            os.environ["TEST_DATABASE_URL"] = args.database_url
            return stack.enter_context(fresh_postgres_url())
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='costbot-burst-')) / 'costbot.db'}"

    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Python {sys.version.split()[0]}; {kind}; Web API latency {args.latency * 1000:.0f} ms; "
          f"{args.pace:g} s between posts to a channel; {len(TEXTS)} scenarios per channel")  # fmt: skip
    print(f"{'pass':34}{'digests':>9}{'posted':>8}{'seconds':>9}{'per s':>8}{'at once':>9}"
          f"{'RSS before':>12}{'peak':>8}{'growth':>8}")  # fmt: skip
    rows = [
        (f"pool of {POST_WORKERS}", POST_WORKERS, args.digests),
        (f"pool of {POST_WORKERS}, a fifth", POST_WORKERS, max(1, args.digests // 5)),
        ("baseline: one at a time", 1, args.baseline_digests),
    ]
    rates = {}
    for name, workers, digests in rows:
        with ExitStack() as stack:
            url = database(stack)
            fill(url, digests)
            m = measure(url, args, workers=workers)
        rate = m["digests"] / m["seconds"]
        rates[name] = rate
        print(f"{name:34}{m['digests']:>9,}{m['posted']:>8,}{m['seconds']:>9.1f}{rate:>8.1f}{m['at_once']:>9}"
              f"{m['before_mb']:>10.0f}MB{m['peak_mb']:>6.0f}MB{m['peak_mb'] - m['before_mb']:>6.0f}MB")  # fmt: skip
    pool, baseline = rates[rows[0][0]], rates[rows[2][0]]
    print(f"pool ÷ baseline rate: {pool / baseline:.1f}×; the baseline would take about "
          f"{args.digests / baseline / 60:.0f} min for {args.digests:,} (worked out from its rate on "
          f"{args.baseline_digests:,}, not measured), the pool took {args.digests / pool / 60:.1f} min")  # fmt: skip


if __name__ == "__main__":
    main()
