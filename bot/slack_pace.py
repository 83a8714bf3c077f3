"""Posting at Slack's pace: at most one post per channel per second (`ChannelPace`, shared by the scheduler and
`digest now`), and the Web API client digests post with, which retries rate limits only (`digest_client`) and
holds every thread posting with it while one of them waits out a rate limit (`RateLimitHold`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

__all__ = ["ChannelPace", "RateLimitHold", "digest_client"]

#: Seconds waited after a 429 that names no Retry-After (Slack always sends one).
_DEFAULT_RETRY_AFTER = 1.0


class RateLimitHold:
    """A workspace's rate-limit pause, shared by every thread posting with one client: Slack's limits count
    per workspace and method, so while one thread waits out a 429's Retry-After, the others wait too instead of
    earning 429s of their own."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._until = 0.0
        self._lock = threading.Lock()

    def hold(self, seconds: float) -> None:
        """Nobody calls Slack with this client for the next `seconds`."""
        with self._lock:
            self._until = max(self._until, self._clock() + seconds)

    def remaining(self) -> float:
        """Seconds left of the hold in force (0 when none is)."""
        with self._lock:
            return max(0.0, self._until - self._clock())

    def wait(self) -> None:
        """Return when no hold is in force."""
        while True:
            with self._lock:
                left = self._until - self._clock()
            if left <= 0:
                return
            self._sleep(left)


class _HeldRateLimitRetry(RateLimitErrorRetryHandler):
    """Retries a 429 after its Retry-After, as the SDK's handler does, and holds the other threads as long."""

    def __init__(self, hold: RateLimitHold, *, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._hold = hold

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:  # not a rate limit (`_can_retry` only takes 429s): nothing to wait out
            raise error or RuntimeError("no response to retry")
        state.next_attempt_requested = True
        self._hold.hold(_retry_after(response.headers))
        self._hold.wait()
        state.increment_current_attempt()


def _retry_after(headers: dict[str, list[str]]) -> float:
    for name, values in headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return _DEFAULT_RETRY_AFTER


class _HeldClient(WebClient):
    """A Web API client whose every call first waits out a rate-limit hold in force."""

    def __init__(self, *, hold: RateLimitHold, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hold = hold

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        self.hold.wait()
        return super().api_call(api_method, **kwargs)


def digest_client(client: WebClient, *, hold: RateLimitHold | None = None) -> WebClient:
    """A client like `client` that retries only rate limits: a 5xx or a dropped connection after a post may
    mean Slack posted it, and the digest's own retry (which checks first) handles those. A 429 holds every
    thread posting with this client (or with `hold`) for its Retry-After, then is retried (three times)."""
    hold = hold or RateLimitHold()
    return _HeldClient(
        hold=hold,
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[_HeldRateLimitRetry(hold, max_retry_count=3)],
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
