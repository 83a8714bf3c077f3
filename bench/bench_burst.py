"""A burst of thread replies faster than `costbot serve` can answer them: memory, acknowledgement p99, and what
became of each reply, for this checkout and for a baseline commit (before the hardening), in one run.

Each server gets a scenario with its card, then BURST what-if replies in the card's thread from 8 senders at
once, as fast as they can send (each reply is answered in the thread after a Web API call that the fake Slack
slows to `--latency` seconds, as Slack's are). Reported per server: offered rate, accepted (200) and refused
(503: Slack retries those) requests, the acknowledgement's median and p99, resident memory before, at its peak
and after, and how long after the burst the last accepted reply was answered. The baseline runs from a git
worktree of `--baseline` with this checkout's virtual environment.

    pip install '.[bench]' && python bench/bench_burst.py [--burst 3000] [--rate 0] [--baseline a51b54e]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake Slack lives with the tests

from bench.bench_slack import percentile, start  # noqa: E402
from tests.fakeslack import (  # noqa: E402
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    command_body,
    event_body,
    message_event,
    sign,
)

SENDERS = 8


def rss_mb(pid: int) -> float:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def send(port: int, body: bytes, content_type: str, connection: http.client.HTTPConnection | None = None) -> Any:
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/slack/events", body=body, headers={"Content-Type": content_type, **sign(body)})
    response = connection.getresponse()
    response.read()
    return connection, response.status


def run(name: str, command: list[str], env: dict[str, str], cwd: Path, fake: FakeSlack, args: argparse.Namespace,
        channel: str) -> dict[str, Any]:  # fmt: skip
    process, port = start(command, env, cwd)
    try:
        save = command_body("save plan video 10s x 1M users", response_url=fake.response_url(f"{channel}-save"),
                            channel=channel)  # fmt: skip
        send(port, save, "application/x-www-form-urlencoded")
        deadline = time.monotonic() + 30
        while not [m for m in fake.posted(channel) if not m["thread_ts"]]:
            if time.monotonic() > deadline:
                raise SystemExit(f"{name}: the scenario's card never came")
            time.sleep(0.05)
        card = next(m for m in fake.posted(channel) if not m["thread_ts"])["ts"]
        time.sleep(0.5)
        before = rss_mb(process.pid)
        fake.latency = args.latency

        peak = [before]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak.append(rss_mb(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        statuses: list[int] = []
        latencies: list[float] = []
        lock = threading.Lock()

        def sender(k: int) -> None:
            connection = None
            for n in range(k, args.burst, SENDERS):
                if args.rate:  # paced: request n leaves at n / rate seconds
                    time.sleep(max(0.0, burst_began + n / args.rate - time.perf_counter()))
                event = message_event(f"what if {n + 2}M users", ts=f"1800000000.{n:06d}", thread_ts=card,
                                      channel=channel)  # fmt: skip
                body = event_body(event, event_id=f"Ev{channel}{n}")
                began = time.perf_counter()
                try:
                    connection, status = send(port, body, "application/json", connection)
                except OSError:
                    connection, status = None, 0
                with lock:
                    statuses.append(status)
                    latencies.append(time.perf_counter() - began)

        began = burst_began = time.perf_counter()
        threads = [threading.Thread(target=sender, args=(k,)) for k in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent_in = time.perf_counter() - began
        accepted = statuses.count(200)

        def answered() -> int:
            return len([m for m in fake.posted(channel) if m["thread_ts"] == card])

        last, last_change = answered(), time.perf_counter()
        while answered() < accepted and time.perf_counter() - last_change < 30:
            time.sleep(0.1)
            if answered() != last:
                last, last_change = answered(), time.perf_counter()
        drained = time.perf_counter() - began - sent_in
        sampling.set()
        sampler.join()
        after = rss_mb(process.pid)
        fake.latency = 0.0
        accepted_latencies = [t for t, s in zip(latencies, statuses, strict=True) if s == 200]
        return {
            "server": name,
            "offered per s": round(args.burst / sent_in),
            "accepted": accepted,
            "refused 503": statuses.count(503),
            "other": len(statuses) - accepted - statuses.count(503),
            "ack median ms": round(statistics.median(accepted_latencies) * 1000, 2) if accepted_latencies else None,
            "ack p99 ms": round(percentile(accepted_latencies, 99) * 1000, 2),
            "answered": answered(),
            "last answer after burst s": round(drained, 1),
            "RSS before MB": round(before),
            "RSS peak MB": round(max(peak)),
            "RSS after MB": round(after),
        }
    finally:
        fake.latency = 0.0
        process.terminate()
        process.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=3000, help="thread replies sent (default 3000)")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds each Web API call takes (0.02)")
    parser.add_argument("--rate", type=float, default=0, help="requests per second in all (default: flat out)")
    parser.add_argument("--baseline", default="a51b54e", help="the commit to compare with ('' for none)")
    args = parser.parse_args()

    fake = FakeSlack().start()
    work = Path(tempfile.mkdtemp(prefix="costbot-burst-"))
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake.api_url, "COSTBOT_LOG_LEVEL": "ERROR"}  # fmt: skip
    serve = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0", "--no-scheduler"]
    results = []
    try:
        if args.baseline:
            old = work / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.baseline],
                           check=True, capture_output=True)  # fmt: skip
            old_env = {**env, "PYTHONPATH": str(old), "DATABASE_URL": f"sqlite:///{work / 'baseline.db'}"}
            results.append(run(f"baseline {args.baseline}", serve, old_env, old, fake, args, "C0BASE"))
        new_env = {**env, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{work / 'costbot.db'}"}
        results.append(run("this checkout", serve, new_env, ROOT, fake, args, "C0HEAD"))
    finally:
        fake.stop()
        if args.baseline:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "baseline")],
                           capture_output=True)  # fmt: skip
    pace = f"{args.rate:g} per s" if args.rate else "flat out"
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {args.burst} thread replies from {SENDERS} "
          f"senders, {pace}; Web API latency {args.latency * 1000:.0f} ms; SQLite")  # fmt: skip
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
