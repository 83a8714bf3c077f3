"""Latency of `/cost` through the whole HTTP stack, against a bare Bolt app that only acks "ok".

Each app runs as its own process on the same server (waitress, 8 threads) with signature verification on;
the same client calls them with signed requests over keep-alive connections, in one run, in alternating
rounds so that drift on a busy machine hits all alike. Then 8 concurrent clients against each: p99 and
errors; then load tests (1,000 commands from 16, then 64 clients at once): p50, p99, throughput and errors.
Finally the resident memory of `costbot serve`.

costbot keeps recent estimates (Share and Adjust cost the same text again), so it is measured twice: on six
texts repeated, and on texts that are all new (a count that never repeats). Two baselines: a bare app
configured as costbot is (`process_before_response=True`: the ack is the response as soon as the listener
returns; the fair comparison), and one with Bolt's defaults, where the request thread polls for the ack
every 10 ms (what a plain Bolt app costs).

    pip install '.[test]' && python bench/bench_slack.py [--rounds 10] [--per-round 100]
        [--load 1000] [--concurrency 16 64] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake Slack lives with the tests

from tests.fakeslack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, command_body, sign  # noqa: E402

TEXTS = [
    "video 10s x 1M users",
    "chat 1500 in 500 out gpt-4o x 200k per day",
    "image high 1024x1536 x 50k per day value $0.05 each",
    "agent 40 steps x 6k tokens for 200 devs x 5 per day saves 30 min @ $70/h",
    "video 8s veo-3.1 1080p x 3 per user per day x 50k users",
    "tts 2k chars x 10k per month",
]


def bare_server(*, process_before_response: bool) -> None:
    """The baseline: a Bolt app whose /cost listener acks "ok", served exactly like costbot."""
    from slack_bolt import App
    from slack_sdk import WebClient
    from waitress import create_server

    from bot.server import wsgi_app

    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], token_verification_enabled=False,
              process_before_response=process_before_response)  # fmt: skip

    @app.command("/cost")
    def cost(ack) -> None:  # type: ignore[no-untyped-def]
        ack("ok")

    server = create_server(
        wsgi_app(app, signing_secret=os.environ["SLACK_SIGNING_SECRET"]), host="127.0.0.1", port=0, threads=8
    )
    print(f"serving Slack at http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()


def start(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[subprocess.Popen[str], int]:
    """Start a server that says where it serves; the process and its port (its output is drained after)."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"serving Slack at http://[\d.]+:(\d+)", line)
        if match:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # drain logs
            return process, int(match.group(1))
    raise SystemExit(f"{command} did not start")


class Client:
    """One keep-alive connection sending signed slash commands."""

    def __init__(self, port: int, response_url: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.response_url = response_url

    def cost(self, text: str) -> float:
        body = command_body(text, response_url=self.response_url)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        began = time.perf_counter()
        self.connection.request("POST", "/slack/events", body=body, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - began
        if response.status != 200 or not payload:
            raise RuntimeError(f"HTTP {response.status}: {payload[:200]!r}")
        return elapsed


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def concurrent(port: int, response_url: str, clients: int, each: int) -> tuple[list[float], int]:
    samples: list[float] = []
    errors = 0
    lock = threading.Lock()

    def work(n: int) -> None:
        nonlocal errors
        client = Client(port, response_url)
        for i in range(each):
            try:
                elapsed = client.cost(TEXTS[(n + i) % len(TEXTS)])
            except Exception:
                with lock:
                    errors += 1
                client = Client(port, response_url)
                continue
            with lock:
                samples.append(elapsed)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, errors


def memory(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = re.search(r"VmRSS:\s+(\d+) kB", status)
    peak = re.search(r"VmHWM:\s+(\d+) kB", status)
    return f"RSS {int(rss.group(1)) / 1024:.0f} MB (peak {int(peak.group(1)) / 1024:.0f} MB)" if rss and peak else "?"


def summary(name: str, samples: list[float]) -> str:
    return f"{name:44}{statistics.median(samples) * 1000:>8.2f} ms{percentile(samples, 99) * 1000:>8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100)
    parser.add_argument("--load", type=int, default=1000, help="commands in each load test (default 1000)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64], help="clients at once (16 64)")
    parser.add_argument("--database-url", help="costbot's database (default: a fresh SQLite file)")
    parser.add_argument("--bare-server", choices=["same", "defaults"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server(process_before_response=args.bare_server == "same")
        return

    fake = FakeSlack().start()
    # costbot notes each user's last estimate in its database (SQLite, WAL) before answering: that write is
    # part of what is measured. A fresh file, so no run leaves a database behind in the working directory.
    database = Path(tempfile.mkdtemp(prefix="costbot-bench-")) / "costbot.db"
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake.api_url, "COSTBOT_LOG_LEVEL": "WARNING",
           "DATABASE_URL": args.database_url or f"sqlite:///{database}"}  # fmt: skip
    costbot_bin = str(Path(sys.executable).with_name("costbot"))
    serve = [costbot_bin, "serve", "--host", "127.0.0.1", "--port", "0"]
    servers = {
        "costbot /cost estimate": start(serve, env),
        "bare Bolt app, ack ok (as costbot)": start([sys.executable, __file__, "--bare-server", "same"], env),
        "bare Bolt app, ack ok (Bolt defaults)": start([sys.executable, __file__, "--bare-server", "defaults"], env),
    }
    try:
        response_url = fake.response_url()
        clients = {name: Client(port, response_url) for name, (_, port) in servers.items()}
        for i in range(50):  # warm up: imports, caches, connections
            for client in clients.values():
                client.cost(TEXTS[i % len(TEXTS)])
        ours_name = "costbot /cost estimate"
        distinct_name = "costbot /cost, every text new (no cache)"
        samples: dict[str, list[float]] = {name: [] for name in [ours_name, distinct_name, *list(servers)[1:]]}
        fresh = iter(range(1, 10**9))
        for _ in range(args.rounds):  # alternating rounds: drift on a busy machine hits all alike
            for name, client in clients.items():
                samples[name] += [client.cost(TEXTS[i % len(TEXTS)]) for i in range(args.per_round)]
            samples[distinct_name] += [
                clients[ours_name].cost(f"{TEXTS[i % len(TEXTS)]} x {next(fresh)}") for i in range(args.per_round)
            ]

        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; waitress, 8 threads each; signed requests; "
              f"{args.rounds * args.per_round} sequential requests each")  # fmt: skip
        print(f"{'':44}{'median':>11}{'p99':>11}")
        for name, values in samples.items():
            print(summary(name, values))
        print("median ratio costbot / bare Bolt app (goal <= 1.2):")
        for ours, label in ((ours_name, "repeated texts"), (distinct_name, "new texts")):
            for name in list(servers)[1:]:
                ratio = statistics.median(samples[ours]) / statistics.median(samples[name])
                print(f"  {label:15} / bare {name.removeprefix('bare Bolt app, ack ok ')}: {ratio:.2f}")
        print(f"8 concurrent clients x {args.per_round} requests:")
        for name, (_, port) in servers.items():
            values, errors = concurrent(port, response_url, clients=8, each=args.per_round)
            print(f"{summary(name, values)}   errors {errors}")
        kind = "PostgreSQL" if args.database_url else "SQLite"
        for clients in args.concurrency:
            print(f"load: {args.load} commands from {clients} clients at once (costbot on {kind}):")
            for name, (_, port) in servers.items():
                began = time.perf_counter()
                values, errors = concurrent(port, response_url, clients=clients, each=args.load // clients)
                rate = len(values) / (time.perf_counter() - began)
                print(f"{summary(name, values)}   {rate:>7.0f}/s   errors {errors}")
        costbot_process = servers["costbot /cost estimate"][0]
        print(f"costbot serve memory after the run: {memory(costbot_process.pid)}")
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=10)
        fake.stop()


if __name__ == "__main__":
    main()
