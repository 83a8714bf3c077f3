"""Slack delivers an event again when it thinks the first delivery failed; each event is handled once."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["RecentIds"]


class RecentIds:
    """Ids seen in the last `ttl` seconds (at most `capacity` of them), safe to share between threads.

    Slack retries an event up to three times within about an hour, so an hour of memory covers them.
    """

    def __init__(self, *, ttl: float = 3600.0, capacity: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True when it had not been seen within the window."""
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest, at = next(iter(self._seen.items()))
                if now - at < self._ttl and len(self._seen) < self._capacity:
                    break
                del self._seen[oldest]
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True

    def __deepcopy__(self, memo: dict[int, Any]) -> RecentIds:
        return self  # shared: Bolt copies what a lazy listener gets

    def forget(self, event_id: str) -> None:
        """Take `event_id` back (its handling was refused: Slack's next delivery must be handled)."""
        with self._lock:
            self._seen.pop(event_id, None)
