"""Slack delivers an event again when it thinks the first delivery failed; each event is handled once."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from storage import Database, claim_event, forget_events_before
from storage.types import utcnow

__all__ = ["KEEP_EVENT_IDS", "EventClaims", "RecentIds"]

#: Slack retries an event for about an hour; its id is kept a day, then forgotten.
KEEP_EVENT_IDS = timedelta(days=1)
_PRUNE_EVERY = 1000


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


class EventClaims:
    """Event ids claimed in the database before an event's work is done, so that a retry reaching another
    replica, or this one after a restart, is not handled again. Claimed after the acknowledgement (in the
    lazy listener): a database write never delays the answer Slack waits for.

    A copy of this (Bolt copies what lazy listeners get) is this.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._claims = 0
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> EventClaims:
        return self

    def first(self, body: dict[str, Any]) -> bool:
        """True when this delivery's `event_id` is new (handle it), False for a repeat; True without an id."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        with self._lock:
            self._claims += 1
            prune = self._claims % _PRUNE_EVERY == 1  # at the first event, then now and then
        with self._db.session() as session:
            first = claim_event(session=session, event_id=event_id, team_id=body.get("team_id"))
            if prune:
                forget_events_before(session=session, before=utcnow() - KEEP_EVENT_IDS)
        return first
