"""Guards for code that might never return, shared by the tests of due times and of the scheduler."""

from __future__ import annotations

import signal
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
