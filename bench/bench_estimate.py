"""Benchmark: `costing.estimate()` against genai-prices' own `calc_price`, and `costbot cost` cold start.

Not a test: it measures and prints. Run it from the project's virtual environment:

    pip install '.[bench]'
    python bench/bench_estimate.py            # in-process timings and cold start
    python bench/bench_estimate.py --quick    # fewer repetitions
    python bench/bench_estimate.py --instructions   # and instruction counts under valgrind (repeatable)

Goal (issues 2 and 11): `estimate()` of distinct texts of every workload kind is no slower than one
`calc_price` of the same token usage; `costbot cost --json` starts no slower than `genai-prices calc`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
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


def paired(
    ours: Callable[[], object], theirs: Callable[[], object], *, calls: int, rounds: int
) -> tuple[float, float, float]:
    """Both sides in alternating blocks of `calls`, `rounds` times: (our best, their best, median of the
    per-round ratios). A shared machine speeds up and slows down over seconds; side by side, both see the same."""
    ratios, best_ours, best_theirs = [], float("inf"), float("inf")
    for _ in range(rounds):
        a = per_call(ours, calls=calls, rounds=1)
        b = per_call(theirs, calls=calls, rounds=1)
        best_ours, best_theirs = min(best_ours, a), min(best_theirs, b)
        ratios.append(a / b)
    return best_ours, best_theirs, statistics.median(ratios)


#: Distinct texts of every workload kind, the i-th of each: no two alike, so no per-text cache can help.
DISTINCT: dict[str, Callable[[int], str]] = {
    "chat": lambda i: f"chat {1000 + i} in {200 + i % 300} out x {i + 1} users per day",
    "chat gpt-4o": lambda i: f"chat {1000 + i} in {200 + i % 300} out gpt-4o x {i + 1} users per day",
    "agent": lambda i: f"agent {10 + i % 50} steps x {2000 + i} tokens for {i + 1} devs x 5 per day",
    "embed": lambda i: f"embed {1000 + i}k tokens x {i + 1} per month",
    "image": lambda i: f"image {('low', 'medium', 'high')[i % 3]} 1024x{(1024, 1536)[i % 2]} x {i + 1}k per day",
    "video": lambda i: f"video {4 + i % 8}s {('720p', '1080p', '4k')[i % 3]} x {i + 1}k users",
    "tts": lambda i: f"tts {10 + i % 50}s x {i + 1}k per month",
    "transcribe": lambda i: f"transcribe {1 + i % 60} min x {i + 1}k per week",
}


#: The kinds genai-prices prices too: their baseline is `calc_price` of the same usage.
TOKEN_KINDS = frozenset({"chat", "chat gpt-4o", "agent", "embed"})


def _token_usage(result: object) -> tuple[str, str, int, int]:
    """The model, its provider and the tokens `estimate()` priced: `calc_price` gets the very same usage."""
    from costing.tokens import find_token_price

    parts = result.parts  # type: ignore[attr-defined]
    steps = int(parts.steps or 1)
    tokens_in = int(parts.tokens_in or 0) * steps
    tokens_out = int(parts.tokens_out or 0) * steps
    price = find_token_price(result.model)  # type: ignore[attr-defined]
    assert price is not None
    return result.model, price.provider_id, tokens_in, tokens_out  # type: ignore[attr-defined]


def _usages(kind: str, count: int) -> list[tuple[str, str, int, int]]:
    from costing import estimate

    make = DISTINCT[kind]
    return [_token_usage(estimate(make(i))) for i in range(count)]


def _usages_elsewhere(kind: str, count: int) -> list[tuple[str, str, int, int]]:
    """The usages of `kind`'s texts, found in another process: costing them here would warm this process's
    caches with the very texts about to be timed."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_usages, kind, count).result()


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
    print(f"{'calc_price (genai-prices, gpt-4o 1500/500)':56s} {calc * 1e6:8.1f} µs")
    print(f"{'estimate(chat 1500 in 500 out gpt-4o), same text':56s} {same * 1e6:8.1f} µs   ratio {same / calc:.2f}")

    # Distinct texts of every kind: a fresh text every call, parsed, priced and costed from scratch. Token kinds
    # are compared with calc_price on the very usages estimate() priced (also distinct); media kinds, which
    # genai-prices doesn't price, with calc_price of the gpt-4o request above. Both sides alternate in blocks.
    print(f"\nDistinct texts, {rounds} alternating blocks of {calls} calls; ratio = median of the blocks' ratios:")
    worst = 0.0
    for kind, make in DISTINCT.items():
        texts = iter([make(i) for i in range(calls * rounds + 1)])
        sample = estimate(make(0))
        against = "calc_price gpt-4o 1500/500"

        def baseline() -> object:
            return calc_price(Usage(input_tokens=1500, output_tokens=500), "gpt-4o")

        if kind in TOKEN_KINDS:
            usages = iter(_usages_elsewhere(kind, calls * rounds + 1))
            against = f"calc_price {sample.model}"

            def baseline() -> object:
                model, provider, tokens_in, tokens_out = next(usages)  # noqa: B023
                return calc_price(Usage(input_tokens=tokens_in, output_tokens=tokens_out), model, provider_id=provider)

        ours, theirs, ratio = paired(lambda: estimate(next(texts)), baseline, calls=calls, rounds=rounds)  # noqa: B023
        worst = max(worst, ratio)
        shown = f"estimate(distinct {kind})"
        print(f"  {shown:32s} {ours * 1e6:7.1f} µs  vs {against:34s} {theirs * 1e6:7.1f} µs   ratio {ratio:.2f}")
    print(f"  worst ratio {worst:.2f} (goal: at most 1.00)")


def _segments(calls: int) -> list[tuple[str, Callable[[], object]]]:
    """What `instructions` counts, in order: `estimate()` of each kind's distinct texts and, for token kinds, the
    `calc_price` of the very usages it priced; last, `calc_price` of the gpt-4o request the media kinds face.
    Each is called once before counting, so first-call imports and caches are not counted."""
    from genai_prices import Usage, calc_price

    from costing import estimate

    def theirs_of(usages: list[tuple[str, str, int, int]]) -> Callable[[], object]:
        it = iter(usages)

        def call() -> object:
            model, provider, tokens_in, tokens_out = next(it)
            return calc_price(Usage(input_tokens=tokens_in, output_tokens=tokens_out), model, provider_id=provider)

        return call

    segments: list[tuple[str, Callable[[], object]]] = []
    for kind, make in DISTINCT.items():
        texts = iter([make(i) for i in range(calls + 1)])
        segments.append((f"ours {kind}", lambda texts=texts: estimate(next(texts))))
        if kind in TOKEN_KINDS:
            segments.append((f"theirs {kind}", theirs_of(_usages_elsewhere(kind, calls + 1))))
    segments.append(("theirs gpt-4o", lambda: calc_price(Usage(input_tokens=1500, output_tokens=500), "gpt-4o")))
    for _, call in segments:
        call()
    return segments


def _run_segments(calls: int) -> None:
    """Under callgrind: each segment between two calls of getppid(), where callgrind dumps its counts."""
    segments = _segments(calls)
    for _, call in segments:
        os.getppid()
        for _ in range(calls):
            call()
    os.getppid()
    print("\n".join(label for label, _ in segments))


def instructions(calls: int) -> None:
    """Instructions per call, counted by callgrind: the same figures run after run, whatever else the machine
    is doing (wall-clock ratios on a shared machine move by 10-20% between runs)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind not found; install it (Debian: valgrind) for instruction counts")
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "cg"
        run = subprocess.run(
            [
                valgrind,
                "--tool=callgrind",
                "--dump-before=getppid",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--segments",
                str(calls),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        parts = sorted(Path(folder).glob("cg.*"), key=lambda path: int(path.suffix[1:]))
        totals = [int(re.search(r"^totals: (\d+)", path.read_text(), re.M).group(1)) for path in parts]  # type: ignore[union-attr]
    labels = run.stdout.splitlines()
    # A dump before the first segment (startup) may come with others; the segments are the last parts.
    per_call = dict(zip(labels, (total / calls for total in totals[-len(labels) :]), strict=True))
    print(f"Instructions per call (callgrind, {calls} distinct texts of each kind):")
    worst = 0.0
    for kind in DISTINCT:
        theirs = per_call[f"theirs {kind}"] if kind in TOKEN_KINDS else per_call["theirs gpt-4o"]
        against = "same usage" if kind in TOKEN_KINDS else "gpt-4o 1500/500"
        ratio = per_call[f"ours {kind}"] / theirs
        worst = max(worst, ratio)
        print(
            f"  estimate(distinct {kind:10s}) {per_call[f'ours {kind}'] / 1e3:7.0f}k  vs calc_price "
            f"{against:16s} {theirs / 1e3:7.0f}k   ratio {ratio:.2f}"
        )
    print(f"  worst ratio {worst:.2f} (goal: at most 1.00)")


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
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions per call under valgrind's callgrind"
    )
    parser.add_argument("--segments", type=int, help=argparse.SUPPRESS)  # the run that callgrind counts
    args = parser.parse_args()
    if args.segments:
        _run_segments(args.segments)
        return
    calls, rounds, runs = (500, 5, 5) if args.quick else (1000, 15, 15)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; best of {rounds} rounds x {calls} calls\n")
    in_process(calls, rounds)
    print(f"\nCold start, median of {runs} runs:")
    cold_start(runs)
    if args.instructions:
        print()
        instructions(100 if args.quick else 300)


if __name__ == "__main__":
    main()
