"""Each user's last estimate per channel, noted off the answer's path: `/cost save NAME` saves it.

A `/cost` answer must never wait for the database (a SQLite writer can queue behind another for a while), so
the listener only records the note in memory; a background thread writes the notes to the database a batch
at a time (for other replicas, and across restarts), and this process reads its own notes from memory.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from typing import Any

from storage import Database, last_estimate, remember_estimate

__all__ = ["EstimateNotes"]

log = logging.getLogger(__name__)

Key = tuple[str, str, str]  # team, channel, user

#: Notes kept in memory (the most recent users); older ones are read back from the database.
_REMEMBERED = 10_000
#: How long the writer gathers notes before one write: many answers, one transaction.
_GATHER_SECONDS = 0.2


class EstimateNotes:
    """Notes kept in memory and written by a daemon thread; a copy of this (Bolt copies what lazy listeners
    get) is this."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._latest: OrderedDict[Key, str] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[Key, str]] = queue.Queue()
        self._thread = threading.Thread(target=self._write_forever, name="costbot-estimate-notes", daemon=True)
        self._thread.start()

    def __deepcopy__(self, memo: dict[int, Any]) -> EstimateNotes:
        return self

    def note(self, *, team_id: str, channel_id: str, user_id: str, text: str) -> None:
        """Note `text` as the user's last estimate in the channel (returns at once; the same text again is free)."""
        key = (team_id, channel_id, user_id)
        with self._lock:
            if self._latest.get(key) == text:
                self._latest.move_to_end(key)
                return
            self._latest[key] = text
            self._latest.move_to_end(key)
            if len(self._latest) > _REMEMBERED:
                self._latest.popitem(last=False)
        self._queue.put((key, text))

    def last(self, *, team_id: str, channel_id: str, user_id: str) -> str | None:
        """The user's last estimate in the channel: noted here, or written by another process before."""
        with self._lock:
            text = self._latest.get((team_id, channel_id, user_id))
        if text is not None:
            return text
        with self._db.session(write=False) as session:
            return last_estimate(session=session, team_id=team_id, channel_id=channel_id, user_id=user_id)

    def flush(self) -> None:
        """Wait until every note so far is in the database (tests, and shutdown)."""
        self._queue.join()

    def _write_forever(self) -> None:
        while True:
            batch = [self._queue.get()]
            try:
                while True:  # gather what comes in the next moment: one transaction for all of it
                    batch.append(self._queue.get(timeout=_GATHER_SECONDS))
                    if len(batch) >= 500:
                        break
            except queue.Empty:
                pass
            try:
                latest = dict(batch)  # a later note of the same user and channel wins
                with self._db.session() as session:
                    for (team, channel, user), text in latest.items():
                        remember_estimate(session=session, team_id=team, channel_id=channel, user_id=user, text=text)
            except Exception:  # the database is down: this process still has the notes in memory
                log.exception("could not write %d last estimate(s)", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()
