from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.listeners.events import app_mention, mention_text
from storage import Database
from tests.fakeslack import TEAM, FakeSlack

BODY = {"team_id": TEAM, "type": "event_callback"}


def test_the_leading_mentions_are_dropped() -> None:
    assert mention_text("<@U0BOT> video 10s") == "video 10s"
    assert mention_text("  <@U0BOT|costbot>   <@U0BOT> help ") == "help"
    assert mention_text("video <@U0BOT>") == "video <@U0BOT>"  # later mentions are the parser's to refuse


def event(text: str, **extra: str) -> dict[str, str]:
    return {"type": "app_mention", "user": "U0ALICE", "text": text, "ts": "1.5", "channel": "C1", **extra}


def test_an_estimate_goes_in_the_thread_without_a_share_button(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    app_mention(
        event=event("<@U0BOT> transcribe 10 min x 5k per week", thread_ts="1.0"),
        client=client,
        db=sqlite_db,
        body=BODY,
        logger=logger,
    )
    posted = fake_slack.api_calls("chat.postMessage")[0].body
    assert posted["thread_ts"] == "1.0"
    buttons = [e["action_id"] for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["save_estimate", "adjust_estimate"]


def test_help_in_a_thread_is_public(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    app_mention(event=event("<@U0BOT> help"), client=client, db=sqlite_db, body=BODY, logger=logger)
    assert fake_slack.api_calls("chat.postMessage")[0].body["thread_ts"] == "1.5"


def test_a_problem_goes_to_the_author_alone(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    app_mention(event=event("<@U0BOT> x 1M users"), client=client, db=sqlite_db, body=BODY, logger=logger)
    assert fake_slack.api_calls("chat.postMessage") == []
    assert fake_slack.api_calls("chat.postEphemeral")[0].body["user"] == "U0ALICE"
