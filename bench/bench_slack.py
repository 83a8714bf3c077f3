"""Latency of `/cost` through the whole HTTP stack, against a bare Bolt app that only acks "ok".

Both run as their own process on the same server (waitress, 8 threads) with signature verification on, are
called by the same client with signed requests over keep-alive connections, and are measured in one run,
in alternating rounds so that drift on a busy machine hits both alike. Then 8 concurrent clients against
costbot: p99 and errors. Finally the resident memory of `costbot serve`.

Bolt's HTTP mode waits for a listener's ack by polling every 10 ms, so both apps sit near that floor.

    pip install '.[test]' && python bench/bench_slack.py [--rounds 10] [--per-round 100]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
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


def bare_server() -> None:
    """The baseline: a Bolt app whose /cost listener acks "ok", served exactly like costbot."""
    from slack_bolt import App
    from slack_sdk import WebClient
    from waitress import create_server

    from bot.server import wsgi_app

    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], token_verification_enabled=False)

    @app.command("/cost")
    def cost(ack) -> None:  # type: ignore[no-untyped-def]
        ack("ok")

    server = create_server(wsgi_app(app), host="127.0.0.1", port=0, threads=8)
    print(f"serving Slack at http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()


def start(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100)
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server()
        return

    fake = FakeSlack().start()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake.api_url, "COSTBOT_LOG_LEVEL": "WARNING"}  # fmt: skip
    costbot_bin = str(Path(sys.executable).with_name("costbot"))
    serve = [costbot_bin, "serve", "--host", "127.0.0.1", "--port", "0"]
    costbot, costbot_port = start(serve, {**env, "COSTBOT_LOG_LEVEL": "INFO"})  # INFO: it says where it listens
    bare, bare_port = start([sys.executable, __file__, "--bare-server"], env)
    try:
        response_url = fake.response_url()
        ours, theirs = Client(costbot_port, response_url), Client(bare_port, response_url)
        for i in range(50):  # warm up both: imports, caches, connections
            ours.cost(TEXTS[i % len(TEXTS)])
            theirs.cost("anything")
        ours_samples: list[float] = []
        bare_samples: list[float] = []
        for _ in range(args.rounds):
            bare_samples += [theirs.cost(TEXTS[i % len(TEXTS)]) for i in range(args.per_round)]
            ours_samples += [ours.cost(TEXTS[i % len(TEXTS)]) for i in range(args.per_round)]
        conc_samples, conc_errors = concurrent(costbot_port, response_url, clients=8, each=args.per_round)
        bare_conc, bare_errors = concurrent(bare_port, response_url, clients=8, each=args.per_round)

        ms = 1000
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; waitress 8 threads each; signed requests")
        print(f"{'':34}{'median':>10}{'p99':>10}")
        print(f"{'bare Bolt app, ack ok':34}{statistics.median(bare_samples) * ms:>8.2f}ms"
              f"{percentile(bare_samples, 99) * ms:>8.2f}ms")  # fmt: skip
        print(f"{'costbot /cost estimate':34}{statistics.median(ours_samples) * ms:>8.2f}ms"
              f"{percentile(ours_samples, 99) * ms:>8.2f}ms")  # fmt: skip
        ratio = statistics.median(ours_samples) / statistics.median(bare_samples)
        print(f"median ratio costbot / bare: {ratio:.2f} (goal <= 1.2), {len(ours_samples)} requests each")
        total = 8 * args.per_round
        print(f"8 concurrent clients, costbot: median {statistics.median(conc_samples) * ms:.2f} ms, "
              f"p99 {percentile(conc_samples, 99) * ms:.2f} ms, errors {conc_errors} of {total}")  # fmt: skip
        print(f"8 concurrent clients, bare:    median {statistics.median(bare_conc) * ms:.2f} ms, "
              f"p99 {percentile(bare_conc, 99) * ms:.2f} ms, errors {bare_errors}")  # fmt: skip
        print(f"costbot serve memory after the run: {memory(costbot.pid)}")
    finally:
        for process in (costbot, bare):
            process.terminate()
            process.wait(timeout=10)
        fake.stop()


if __name__ == "__main__":
    main()
