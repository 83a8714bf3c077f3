"""Listeners are plain functions: these fakes stand in for what Bolt injects (ack, respond) and for Slack."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.seals import Seal
from bot.work import Outbox, acknowledge_work, durable
from tests.fakeslack import BOT_TOKEN, SIGNING_SECRET, FakeSlack


class Recorder:
    """Stands in for Bolt's `ack` or `respond`: records each call's keyword arguments."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, text: str | None = None, **kwargs: Any) -> None:
        self.calls.append({**({"text": text} if text is not None else {}), **kwargs})

    @property
    def only(self) -> dict[str, Any]:
        assert len(self.calls) == 1, self.calls
        return self.calls[0]


@pytest.fixture
def ack() -> Recorder:
    return Recorder()


@pytest.fixture
def respond() -> Recorder:
    return Recorder()


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


@pytest.fixture
def logger() -> logging.Logger:
    return logging.getLogger("tests.listeners")


@pytest.fixture
def outbox(sqlite_db: Any) -> Outbox:
    """Where this test's process writes down acknowledged work (the SQLite database of the test)."""
    return Outbox(sqlite_db)


@pytest.fixture
def seal() -> Seal:
    """The seal the app puts on what it round-trips through Slack, keyed as the app's (by the signing secret)."""
    return Seal(SIGNING_SECRET)


def deliver(
    step: Any, outbox: Outbox, *, body: dict[str, Any], context: BoltContext | None = None, worth: Any = None,
    **kwargs: Any,
) -> tuple[BoltResponse | None, Recorder]:  # fmt: skip
    """What Bolt does with a durable listener (`bot.work`): its acknowledgement writes the request down, then
    its deferred half carries it out. The acknowledgement's response (None: the ack's) and the ack."""
    context = context if context is not None else BoltContext()
    ack = Recorder()
    response = acknowledge_work(step, worth=worth)(ack=ack, body=body, context=context, outbox=outbox)
    durable(step)(context=context, outbox=outbox, body=body, **kwargs)
    return response, ack
