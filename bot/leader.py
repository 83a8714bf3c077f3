"""One digest scheduler leads at a time, among every replica and `costbot scheduler` process.

On PostgreSQL the leader holds a session advisory lock on a connection of its own, kept out of the pool for as
long as it leads: if its process dies, PostgreSQL ends the session and the lock with it, and a standby takes
it at its next minute's pass. Each pass the leader checks that its connection still answers (a restarted
server ends the lead too). The per-(channel, week) claim stays the last line of defence: even two leaders
would post each digest once. On SQLite (one host) every scheduler leads; the claim does the rest.

The lock is one per workspace (two deployments for two workspaces may share a database), and the leader's
session keeps TCP alive briskly, so that a leader whose host vanishes loses its lock in about a minute
rather than PostgreSQL's default two hours.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import zlib
from typing import Any

from sqlalchemy import text

from bot.observe import SCHEDULER_LEADING
from storage import Database, is_unavailable

__all__ = ["LOCK_KEY", "Leadership", "workspace_key"]

log = logging.getLogger(__name__)

#: The advisory lock's first key ("cost" in ASCII); the second names the workspace.
LOCK_KEY = int.from_bytes(b"cost", "big") - 2**31
#: What the leader's session sets: probes after 20 s of silence, every 10 s, 3 unanswered end it; an unanswered
#: write gives up after 60 s.
_KEEPALIVE = (
    "SET tcp_keepalives_idle = 20",
    "SET tcp_keepalives_interval = 10",
    "SET tcp_keepalives_count = 3",
    "SET tcp_user_timeout = 60000",
)


def workspace_key(team_id: str) -> int:
    """The lock's second key: the workspace's id as a signed 32-bit number."""
    return zlib.crc32(team_id.encode()) - 2**31


class Leadership:
    """Whether this process leads the digest scheduler (`lead()`, asked at each pass)."""

    def __init__(self, db: Database, team_id: str = "") -> None:
        self._db = db
        self._keys = {"one": LOCK_KEY, "two": workspace_key(team_id)}
        self._connection: Any = None
        self._lock = threading.Lock()  # the minute's pass and the start-up catch-up may ask at once

    @property
    def leading(self) -> bool:
        return self._db.is_sqlite or self._connection is not None

    def lead(self) -> bool:
        """Keep the lead, or try to take it; whether this process leads now."""
        with self._lock:
            leads = self._lead()
        SCHEDULER_LEADING.set(1 if leads else 0)
        return leads

    def _lead(self) -> bool:
        if self._db.is_sqlite:
            return True
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except Exception as error:  # the session is gone, and the lock with it
                log.warning("lost the lead of the digest scheduler (%s)", type(error).__name__)
                self._drop()
        try:
            connection = self._db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except Exception as error:
            if not is_unavailable(error):
                raise
            return False
        try:
            taken = bool(connection.execute(text("SELECT pg_try_advisory_lock(:one, :two)"), self._keys).scalar())
            if taken:
                for setting in _KEEPALIVE:
                    connection.execute(text(setting))
        except Exception:
            connection.invalidate()  # whatever its session holds goes with it, not back into the pool
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        log.info("this process leads the digest scheduler")
        return True

    def release(self) -> None:
        """Give the lead up (at shutdown): a standby takes it at its next pass."""
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(Exception):  # closing the session releases it anyway
                    self._connection.execute(text("SELECT pg_advisory_unlock(:one, :two)"), self._keys)
                self._drop()

    def _drop(self) -> None:
        with contextlib.suppress(Exception):
            self._connection.invalidate()  # never back into the pool: its session held the lock
            self._connection.close()
        self._connection = None
        SCHEDULER_LEADING.set(0)
