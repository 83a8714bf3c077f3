"""Posting at Slack's pace: at most one post per channel per second (`ChannelPace`, shared by the scheduler and
`digest now`), and the Web API client digests post with, which retries rate limits only (`digest_client`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

__all__ = ["ChannelPace", "digest_client"]


def digest_client(client: WebClient) -> WebClient:
    """A client like `client` that retries only rate limits: a 5xx or a dropped connection after a post may
    mean Slack posted it, and the digest's own retry (which checks first) handles those."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )


class ChannelPace:
    """At most one post per `interval` seconds to each channel (Slack allows about one per second)."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> ChannelPace:
        # Bolt deep-copies what it hands a lazy listener; a copy of the pace would pace nobody.
        return self

    def wait(self, channel: str) -> None:
        """Return when a post to `channel` keeps to the pace (and count it as made)."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(channel, now))
            self._next[channel] = at + self._interval
        if at > now:
            self._sleep(at - now)
