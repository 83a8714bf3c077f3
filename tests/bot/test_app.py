from __future__ import annotations

import json

import pytest
from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.app import SkipRepeatedEvents, web_client
from bot.config import load_settings
from bot.dedupe import RecentIds


def event_request(event_id: str) -> BoltRequest:
    body = {"type": "event_callback", "event_id": event_id, "team_id": "T1", "event": {"type": "app_mention"}}
    return BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})


def test_a_repeated_event_is_acknowledged_without_being_handled() -> None:
    middleware = SkipRepeatedEvents(RecentIds())
    handled: list[str] = []

    def next_() -> BoltResponse:
        handled.append("yes")
        return BoltResponse(status=200)

    for _ in range(3):
        response = middleware.process(req=event_request("Ev1"), resp=BoltResponse(status=200), next=next_)
        assert response is not None and response.status == 200
    middleware.process(req=event_request("Ev2"), resp=BoltResponse(status=200), next=next_)
    assert handled == ["yes", "yes"]  # Ev1 once, Ev2 once


def test_the_web_client_goes_to_slack_api_url_and_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    client = web_client(load_settings(mode="client", env_file=None))
    assert client.base_url == "http://127.0.0.1:9/api/"
    kinds = [type(handler) for handler in client.retry_handlers]
    assert RateLimitErrorRetryHandler in kinds
    assert any(issubclass(kind, ServerErrorRetryHandler) for kind in kinds)  # 5xx retried, except posts
