"""Guards for code that might never return, and waiting for what the bot does after acknowledging."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class _StillRunning(Exception):
    pass


def within(seconds: float, work: Callable[[], T]) -> T:
    """`work()`'s result; fails the test when it is still running after `seconds` (an endless loop), by
    interrupting it with SIGALRM so the loop doesn't keep spinning behind the rest of the session."""

    def interrupt(signum: int, frame: object) -> None:
        raise _StillRunning

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    except _StillRunning:
        raise AssertionError(f"still running after {seconds} s: it never returns") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def until(holds: Callable[[], bool], *, timeout: float = 10.0, what: str = "the condition") -> None:
    """Wait until `holds()`, polling: for state the bot changes after acknowledging, with no call to wait on."""
    deadline = time.monotonic() + timeout
    while not holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} didn't hold within {timeout} s")
        time.sleep(0.02)
