"""Benchmark: `costing.estimate()` against genai-prices' own `calc_price`, and `costbot cost` cold start.

Not a test: it measures and prints. Run it from the project's virtual environment:

    pip install '.[bench]'
    python bench/bench_estimate.py            # in-process timings and cold start
    python bench/bench_estimate.py --quick    # fewer repetitions

Goal (issue 2): one `estimate()` of a token workload is no slower than one `calc_price` of the same usage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def per_call(fn: Callable[[], object], *, calls: int, rounds: int) -> float:
    """Best over `rounds` of the mean seconds per call over `calls` calls (the least disturbed round)."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        results.append((time.perf_counter() - start) / calls)
    return min(results)


def in_process(calls: int, rounds: int) -> None:
    from genai_prices import Usage, calc_price

    from costing import estimate

    # Same workload both sides: one gpt-4o request, 1,500 input and 500 output tokens.
    calc_price(Usage(input_tokens=1500, output_tokens=500), "gpt-4o")
    estimate("chat 1500 in 500 out gpt-4o")

    calc = per_call(
        lambda: calc_price(Usage(input_tokens=1500, output_tokens=500), "gpt-4o"), calls=calls, rounds=rounds
    )
    same = per_call(lambda: estimate("chat 1500 in 500 out gpt-4o"), calls=calls, rounds=rounds)

    # Distinct texts every call, so no per-workload cache can help: parse, price and compute from scratch.
    texts = [f"chat {1000 + i} in {200 + i % 300} out gpt-4o x {i + 1} users per day" for i in range(calls * rounds)]
    iterator = iter(texts)
    fresh = per_call(lambda: estimate(next(iterator)), calls=calls, rounds=rounds)
    video = per_call(lambda: estimate("video 10s x 1M users"), calls=calls, rounds=rounds)

    print(f"calc_price (genai-prices, gpt-4o 1500/500)         {calc * 1e6:8.1f} µs")
    print(f"estimate('chat 1500 in 500 out gpt-4o')            {same * 1e6:8.1f} µs   ratio {same / calc:.2f}")
    print(f"estimate(distinct chat texts with counts, period)  {fresh * 1e6:8.1f} µs   ratio {fresh / calc:.2f}")
    print(f"estimate('video 10s x 1M users')                   {video * 1e6:8.1f} µs   ratio {video / calc:.2f}")


def cold_start(runs: int) -> None:
    costbot = shutil.which("costbot") or str(Path(sys.executable).with_name("costbot"))
    genai = shutil.which("genai-prices") or str(Path(sys.executable).with_name("genai-prices"))
    commands = {
        "costbot cost --json 'chat 1500 in 500 out gpt-4o'": [costbot, "cost", "--json", "chat 1500 in 500 out gpt-4o"],
        "costbot cost 'chat 1500 in 500 out gpt-4o' (table)": [costbot, "cost", "chat 1500 in 500 out gpt-4o"],
        "costbot cost --json 'video 10s x 1M users'": [costbot, "cost", "--json", "video 10s x 1M users"],
        "genai-prices calc -i 1500 -o 500 gpt-4o": [genai, "calc", "-n", "-i", "1500", "-o", "500", "gpt-4o"],
    }
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("COSTBOT_PRICES", None)
    timings = {}
    for label, command in commands.items():
        check = subprocess.run(command, capture_output=True, text=True, env=env)
        if check.returncode != 0:
            print(f"{label}: failed ({check.stderr.strip()[:200]}); is 'genai-prices[cli]' installed?")
            continue
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, env=env, check=True)
            samples.append(time.perf_counter() - start)
        timings[label] = statistics.median(samples)
    baseline = timings.get("genai-prices calc -i 1500 -o 500 gpt-4o")
    for label, seconds in timings.items():
        ratio = f"   ratio {seconds / baseline:.2f}" if baseline else ""
        print(f"{label:55s} {seconds * 1000:7.0f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    calls, rounds, runs = (500, 5, 5) if args.quick else (5000, 7, 15)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; best of {rounds} rounds x {calls} calls\n")
    in_process(calls, rounds)
    print(f"\nCold start, median of {runs} runs:")
    cold_start(runs)


if __name__ == "__main__":
    main()
