from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.listeners.events import app_mention, is_direct_message, mention_text, thread_message
from bot.work import Outbox
from storage import Database
from tests.bot.listeners.conftest import deliver
from tests.fakeslack import TEAM, FakeSlack

BODY = {"team_id": TEAM, "type": "event_callback"}


def test_the_leading_mentions_are_dropped() -> None:
    assert mention_text("<@U0BOT> video 10s") == "video 10s"
    assert mention_text("  <@U0BOT|costbot>   <@U0BOT> help ") == "help"
    assert mention_text("video <@U0BOT>") == "video <@U0BOT>"  # later mentions are the parser's to refuse


def event(text: str, **extra: str) -> dict[str, str]:
    return {"type": "app_mention", "user": "U0ALICE", "text": text, "ts": "1.5", "channel": "C1", **extra}


def mention(text: str, db: Database, client: WebClient, logger: logging.Logger, *, body: dict[str, Any] = BODY,
            **extra: str) -> None:  # fmt: skip
    app_mention(event=event(text, **extra), body=body, context=BoltContext(), client=client, db=db, logger=logger)


def test_an_estimate_goes_in_the_thread_without_a_share_button(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    mention("<@U0BOT> transcribe 10 min x 5k per week", sqlite_db, client, logger, thread_ts="1.0")
    posted = fake_slack.api_calls("chat.postMessage")[0].body
    assert posted["thread_ts"] == "1.0"
    buttons = [e["action_id"] for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["save_estimate", "adjust_estimate", "estimate_details"]


def test_help_goes_to_the_asker_alone_in_the_mentions_thread(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    for text in ("<@U0BOT> help", "<@U0BOT>"):  # a bare mention asks what costbot does
        mention(text, sqlite_db, client, logger, thread_ts="1.0")
    assert fake_slack.api_calls("chat.postMessage") == []
    helps = [call.body for call in fake_slack.api_calls("chat.postEphemeral")]
    assert [(h["user"], h["thread_ts"]) for h in helps] == [("U0ALICE", "1.0"), ("U0ALICE", "1.0")]
    assert all(h["text"].startswith("costbot help") for h in helps)


def test_a_problem_goes_to_the_author_alone(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    mention("<@U0BOT> x 1M users", sqlite_db, client, logger)
    assert fake_slack.api_calls("chat.postMessage") == []
    assert fake_slack.api_calls("chat.postEphemeral")[0].body["user"] == "U0ALICE"


def test_a_mention_delivered_to_two_replicas_is_answered_once(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, db: Database
) -> None:
    body = {**BODY, "event_id": "Ev0MENTION1", "event": event("<@U0BOT> video 10s")}
    for replica in (Outbox(db, me="host-a:1:aa"), Outbox(db, me="host-b:1:bb")):
        deliver(app_mention, replica, body=body, event=body["event"], client=client, db=db, logger=logger)
    assert len(fake_slack.api_calls("chat.postMessage")) == 1


# --- the Messages tab: text typed to costbot ---------------------------------------------------------------


def direct(text: str, db: Database, client: WebClient, logger: logging.Logger, **extra: Any) -> None:
    event = {"type": "message", "channel_type": "im", "channel": "D0ALICE", "user": "U0ALICE", "text": text,
             "ts": "1700000100.000100", **extra}  # fmt: skip
    thread_message(body=BODY, event=event, context=BoltContext(), client=client, db=db, logger=logger)


def test_a_direct_message_is_answered_in_the_conversation_like_cost(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    direct("video 10s x 1M users", sqlite_db, client, logger)
    direct("how much would 1M videos of 10s cost?", sqlite_db, client, logger, ts="1700000101.000100")
    direct("lunch anyone?", sqlite_db, client, logger, ts="1700000102.000100")
    answers = [c.body for c in fake_slack.api_calls("chat.postMessage")]
    assert [a["channel"] for a in answers] == ["D0ALICE"] * 3
    assert "$1,000,000" in answers[0]["text"] and "$1,000,000" in answers[1]["text"]
    assert "Read from your words as `/cost 1M videos of 10s`" in str(answers[1]["blocks"])
    assert "There's no workload in that message" in str(answers[2]["blocks"])


@pytest.mark.parametrize(
    "extra",
    [{"bot_id": "B0COSTBOT"}, {"subtype": "message_changed"}, {"thread_ts": "1700000000.000001"}],
    ids=["costbot's own answer", "an edit", "a reply in a thread there"],
)
def test_direct_messages_that_are_not_someone_asking_are_left_alone(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database, extra: dict[str, str]
) -> None:
    assert not is_direct_message({"channel_type": "im", "user": "U0ALICE", "ts": "1.5", **extra}, BoltContext())
    direct("video 10s", sqlite_db, client, logger, **extra)
    assert fake_slack.api_calls("chat.postMessage") == []
