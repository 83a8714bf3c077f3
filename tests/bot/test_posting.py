"""Posting once though Slack's answer is lost: 5xx after posting, dropped connections, answers past the timeout.

The fake Slack does the work and then loses the answer; the bot's own Web API client (its retry handlers as
`bot.app.web_client` sets them) must end with exactly one message and say truthfully what became of it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import web_client
from bot.blocks.scenarios import POST_CARD_ACTION, saved_message
from bot.config import Settings
from bot.listeners.actions import post_scenario_card, share_estimate
from bot.listeners.events import thread_message
from bot.posting import Mark, Outcome, no_blind_retries, post_once
from bot.scenarios.cases import Where, save
from storage import Database, get_scenario
from tests.bot.listeners.conftest import Recorder
from tests.fakeslack import BOT_TOKEN, TEAM, FakeSlack, button_payload, message_event

CHANNEL = "C0GENERAL"
MARK = Mark("costbot_test", {"n": 1})
#: Ways an answer gets lost once Slack has posted: each must still end with one message, known to be there.
LOST = {
    "500 after posting": {"status": 500, "after": True},
    "503 after posting": {"status": 503, "after": True},
    "connection dropped after posting": {"drop": True, "after": True},
    "answer past the timeout": {"delay": 1.5},
}


@pytest.fixture
def client(http_settings: Settings, fake_slack: FakeSlack) -> WebClient:
    """The bot's own client, with a 1 s timeout so that a slow answer is slow past it."""
    production = web_client(http_settings)
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url, timeout=1, retry_handlers=production.retry_handlers)


def top_level(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake_slack.posted(CHANNEL) if not m["thread_ts"]]


@pytest.mark.parametrize("lost", LOST.values(), ids=LOST.keys())
def test_a_post_whose_answer_is_lost_is_found_not_posted_again(
    client: WebClient, fake_slack: FakeSlack, lost: dict[str, Any]
) -> None:
    fake_slack.fail_next("chat.postMessage", **lost)

    post = post_once(client, {"text": "hello"}, channel=CHANNEL, mark=MARK)

    (message,) = top_level(fake_slack)
    assert (post.outcome, post.ts, post.found) == (Outcome.POSTED, message["ts"], True)


@pytest.mark.parametrize("unclear", [{"status": 500}, {"error": "internal_error"}, {"error": "fatal_error"}])
def test_a_post_with_no_clear_answer_is_looked_for_twice_and_never_posted_again(
    client: WebClient, fake_slack: FakeSlack, unclear: dict[str, Any]
) -> None:
    """Slack may still be posting it, or its history lag: a second post could make two. Unknown is unknown."""
    fake_slack.fail_next("chat.postMessage", **unclear)  # nothing posted, as it turns out

    post = post_once(client, {"text": "hello"}, channel=CHANNEL, mark=MARK)

    assert post.outcome is Outcome.UNKNOWN and top_level(fake_slack) == []
    assert [c.name for c in fake_slack.calls] == ["chat.postMessage", "conversations.history", "conversations.history"]


def test_when_slack_cannot_be_asked_either_the_post_is_unknown_not_repeated(
    client: WebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", status=500, after=True)
    for _ in range(3):  # the lookup, and the client's own retries of it
        fake_slack.fail_next("conversations.history", status=500)

    post = post_once(client, {"text": "hello"}, channel=CHANNEL, mark=MARK)

    assert post.outcome is Outcome.UNKNOWN and "Slack answered 500" in post.error
    assert len(top_level(fake_slack)) == 1


def test_a_refusal_is_a_refusal(client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    post = post_once(client, {"text": "hello"}, channel=CHANNEL, mark=MARK)
    assert (post.outcome, post.code, post.error) == (
        Outcome.REFUSED,
        "channel_not_found",
        "Slack said channel_not_found",
    )
    assert fake_slack.api_calls("conversations.history") == []  # Slack said it did nothing: no need to look


def test_no_blind_retries_leave_posts_alone_and_retry_the_rest(fake_slack: FakeSlack) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url, retry_handlers=no_blind_retries())
    fake_slack.fail_next("chat.update", status=500)
    client.chat_update(channel=CHANNEL, ts="1.1", text="x")  # retried: updating twice is updating once
    assert len(fake_slack.api_calls("chat.update")) == 2
    fake_slack.fail_next("chat.postMessage", status=500, after=True)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=CHANNEL, text="x")
    assert raised.value.response.status_code == 500
    assert len(fake_slack.api_calls("chat.postMessage")) == 1


# --- what users see ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lost", LOST.values(), ids=LOST.keys())
def test_saving_posts_one_card_records_it_and_says_so(
    client: WebClient, fake_slack: FakeSlack, sqlite_db: Database, lost: dict[str, Any]
) -> None:
    fake_slack.fail_next("chat.postMessage", **lost)

    saved = save("plan", "video 10s x 1M users", where=Where(TEAM, CHANNEL, "U0ALICE"), db=sqlite_db, client=client)

    (card,) = top_level(fake_slack)
    assert saved.card == "posted" and saved.scenario.card_ts == card["ts"]
    with sqlite_db.session(write=False) as session:
        stored = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="plan")
    assert stored is not None and stored.card_ts == card["ts"]  # its thread is recognised


def test_a_card_slack_would_not_confirm_is_said_so_and_the_button_links_it_later(
    client: WebClient, fake_slack: FakeSlack, sqlite_db: Database
) -> None:
    fake_slack.fail_next("chat.postMessage", status=500, after=True)
    for _ in range(3):
        fake_slack.fail_next("conversations.history", status=500)
    where = Where(TEAM, CHANNEL, "U0ALICE")

    saved = save("plan", "video 10s x 1M users", where=where, db=sqlite_db, client=client)

    assert saved.card == "unknown" and saved.scenario.card_ts is None
    said = json.dumps(saved_message(saved.scenario, card=saved.card, caveat=saved.caveat))
    assert "Slack didn't confirm its card" in said and "it won't post a second one" in said

    respond = Recorder()
    body = button_payload(POST_CARD_ACTION, str(saved.scenario.id), response_url="unused", ephemeral=True)
    post_scenario_card(body=body, client=client, respond=respond, db=sqlite_db)

    (card,) = top_level(fake_slack)  # found, not posted again
    assert "was in the channel already" in respond.only["text"]
    with sqlite_db.session(write=False) as session:
        stored = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="plan")
    assert stored is not None and stored.card_ts == card["ts"]


@pytest.mark.parametrize("lost", LOST.values(), ids=LOST.keys())
def test_share_posts_once_though_its_answer_is_lost(
    client: WebClient, fake_slack: FakeSlack, lost: dict[str, Any]
) -> None:
    fake_slack.fail_next("chat.postMessage", **lost)
    respond = Recorder()
    body = button_payload("share_estimate", "video 10s x 1M users", response_url="unused", ephemeral=True)

    share_estimate(body=body, client=client, respond=respond, logger=logging.getLogger("tests.share"),
                   context=BoltContext({"work_key": "body:share1"}))  # fmt: skip

    assert len(top_level(fake_slack)) == 1
    assert respond.only == {"delete_original": True}  # shared: the private copy goes


@pytest.mark.parametrize("lost", LOST.values(), ids=LOST.keys())
def test_a_what_if_in_a_thread_is_answered_once_though_the_answer_is_lost(
    client: WebClient, fake_slack: FakeSlack, sqlite_db: Database, lost: dict[str, Any]
) -> None:
    saved = save("plan", "video 10s x 1M users", where=Where(TEAM, CHANNEL, "U0ALICE"), db=sqlite_db, client=client)
    card = saved.scenario.card_ts
    assert card is not None
    fake_slack.fail_next("chat.postMessage", **lost)
    event = message_event("what if 2M users", ts="1800000000.000001", thread_ts=card, channel=CHANNEL)

    context = BoltContext({"work_key": "event:EvLOST"})
    body = {"team_id": TEAM, "type": "event_callback"}
    thread_message(body=body, event=event, client=client, db=sqlite_db, context=context, logger=logging.getLogger("t"))

    (answer,) = [m for m in fake_slack.posted(CHANNEL) if m["thread_ts"] == card]
    assert "2M" in json.dumps(answer["blocks"])
