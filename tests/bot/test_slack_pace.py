"""Slack's pace: one post a second per channel, and a 429 holding every thread that posts with one client."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient

from bot.slack_pace import RateLimitHold, digest_client
from tests.fakeslack import BOT_TOKEN, FakeSlack
from tests.storage.factories import CHANNEL, OTHER_CHANNEL


class _Clock:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_hold_keeps_callers_waiting_until_the_latest_one_ends() -> None:
    clock = _Clock()
    hold = RateLimitHold(clock=clock, sleep=clock.sleep)
    hold.wait()
    assert clock.slept == []  # nothing held: no wait
    hold.hold(2)
    hold.hold(1)  # a shorter hold doesn't cut the longer one short
    hold.wait()
    assert (clock.slept, clock.now) == ([2], 102)
    hold.wait()
    assert clock.slept == [2]  # over


def _held(hold: RateLimitHold) -> None:
    """Return once a 429 has put `hold` in force."""
    deadline = time.monotonic() + 10
    while hold.remaining() == 0:
        assert time.monotonic() < deadline, "no hold after a 429"
        time.sleep(0.01)


def test_a_rate_limit_holds_the_other_threads_posting_with_the_client(fake_slack: FakeSlack) -> None:
    hold = RateLimitHold()
    client = digest_client(WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url), hold=hold)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    with ThreadPoolExecutor(max_workers=1) as other:
        first = other.submit(client.chat_postMessage, channel=CHANNEL, text="first")
        _held(hold)  # refused: the client waits out Retry-After
        began = time.monotonic()
        client.chat_postMessage(channel=OTHER_CHANNEL, text="second")  # another channel, the same workspace
        waited = time.monotonic() - began
        first.result(timeout=10)
    # The second post waited for the first one's Retry-After instead of being sent into the limit.
    assert waited >= 0.5, waited  # a lower bound: never flakes
    # Both sent when the hold ended (in either order): the refused one once more, the held one once.
    sent = sorted(c.body["channel"] for c in fake_slack.api_calls("chat.postMessage"))
    assert sent == [CHANNEL, CHANNEL, OTHER_CHANNEL]
    assert sorted(m["text"] for m in fake_slack.posted()) == ["first", "second"]


def test_posts_with_another_client_are_not_held(fake_slack: FakeSlack) -> None:
    hold = RateLimitHold()
    held = digest_client(WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url), hold=hold)
    free = digest_client(WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url))
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=3)
    with ThreadPoolExecutor(max_workers=1) as other:
        first = other.submit(held.chat_postMessage, channel=CHANNEL, text="first")
        _held(hold)
        free.chat_postMessage(channel=OTHER_CHANNEL, text="elsewhere")  # another workspace's poster
        first.result(timeout=10)
    # Posted while the other client's 3 s hold lasted, before its retry.
    assert [c.body["channel"] for c in fake_slack.api_calls("chat.postMessage")] == [CHANNEL, OTHER_CHANNEL, CHANNEL]
