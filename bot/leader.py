"""One digest scheduler leads at a time, among every replica and `costbot scheduler` process.

On PostgreSQL the leader holds a session advisory lock on a connection of its own, kept out of the pool for as
long as it leads: if its process dies, PostgreSQL ends the session and the lock with it, and a standby takes
it at its next minute's pass. Each pass the leader checks that its connection still answers (a restarted
server ends the lead too). The per-(channel, week) claim stays the last line of defence: even two leaders
would post each digest once. On SQLite (one host) every scheduler leads; the claim does the rest.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy import text

from bot.observe import SCHEDULER_LEADING
from storage import Database, is_unavailable

__all__ = ["LOCK_KEY", "Leadership"]

log = logging.getLogger(__name__)

#: The advisory lock's key (a bigint; "costbot" in ASCII, folded to 63 bits).
LOCK_KEY = int.from_bytes(b"costbot", "big")


class Leadership:
    """Whether this process leads the digest scheduler (`lead()`, asked at each pass)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: Any = None

    @property
    def leading(self) -> bool:
        return self._db.is_sqlite or self._connection is not None

    def lead(self) -> bool:
        """Keep the lead, or try to take it; whether this process leads now."""
        if self._db.is_sqlite:
            SCHEDULER_LEADING.set(1)
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
            taken = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar())
        except Exception:
            connection.close()
            raise
        if not taken:
            connection.close()
            SCHEDULER_LEADING.set(0)
            return False
        self._connection = connection
        SCHEDULER_LEADING.set(1)
        log.info("this process leads the digest scheduler")
        return True

    def release(self) -> None:
        """Give the lead up (at shutdown): a standby takes it at its next pass."""
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing the session releases it anyway
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            self._drop()

    def _drop(self) -> None:
        with contextlib.suppress(Exception):
            self._connection.invalidate()  # never back into the pool: its session held the lock
        self._connection = None
        SCHEDULER_LEADING.set(0)
