"""Backpressure: the work a request defers (lazy listeners, after the acknowledgement) runs in a pool with a
bounded backlog. Past the bound, new requests are refused at once with 503 rather than queued without limit:
Slack retries events, and a user's command shows Slack's own "didn't respond" instead of an answer minutes late.
Memory stays flat under a burst; what was accepted is done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

__all__ = ["MAX_BACKLOG", "Backlog", "RefuseWhenBusy"]

log = logging.getLogger(__name__)

#: Deferred jobs waiting or running at most (about a minute of work at costbot's pace on 2 cores).
MAX_BACKLOG = 200


class Backlog(ThreadPoolExecutor):
    """A thread pool that counts the jobs it holds, so the app can refuse work before accepting too much."""

    def __init__(self, *, workers: int = 5, limit: int = MAX_BACKLOG) -> None:
        super().__init__(max_workers=workers, thread_name_prefix="costbot-deferred")
        self.limit = limit
        self._held = 0
        self._count = threading.Lock()

    @property
    def held(self) -> int:
        """Jobs waiting or running now."""
        return self._held

    @property
    def full(self) -> bool:
        return self._held >= self.limit

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._count:
            self._held += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(lambda _: self._release())
        return future

    def _release(self) -> None:
        with self._count:
            self._held -= 1


class RefuseWhenBusy(Middleware):
    """Answer 503 at once while the backlog is full (before any listener acknowledges the request)."""

    def __init__(self, backlog: Backlog) -> None:
        self._backlog = backlog

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        if self._backlog.full:
            held, limit = self._backlog.held, self._backlog.limit
            log.warning("refused a request: %d deferred jobs are waiting (at most %d)", held, limit)
            return BoltResponse(status=503, body="", headers={"Retry-After": "5"})
        return next()
