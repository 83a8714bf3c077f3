"""What every `costbot` command shares: its exit statuses, how it says what happened, the settings it reads."""

from __future__ import annotations

import sys

__all__ = ["CACHE_ENV", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "PRICES_ENV", "fail", "say"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: The setting that names the operator's price book, a YAML or JSON file of their own prices.
PRICES_ENV = "COSTBOT_PRICES"
#: The setting that says where parsed data files are cached (an unwritable one only costs a slower start).
CACHE_ENV = "COSTBOT_CACHE_DIR"


def fail(*messages: str) -> int:
    """Say what is wrong, one line per problem, and return the bad-input status."""
    for message in messages:
        print(f"costbot: {message}", file=sys.stderr)
    return EXIT_USAGE


def say(message: str) -> None:
    print(f"costbot: {message}", file=sys.stderr, flush=True)
