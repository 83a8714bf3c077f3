"""Messages in a scenario's thread (kept, what-ifs answered) and the Home tab."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.listeners.events import app_home_opened, thread_message
from storage import Database, ScenarioPublic, ThreadReplyPublic, latest_replies, set_card
from storage.models import DigestSubscription
from tests.fakeslack import BOT_USER, TEAM, FakeSlack, message_event
from tests.storage.factories import save

CHANNEL = "C0GENERAL"
CARD_TS = "1700000001.000100"
PERMALINK = "https://fake.slack.com/archives/C0GENERAL/p1700000001000100"
BODY = {"team_id": TEAM, "type": "event_callback"}
CONTEXT = BoltContext({"bot_user_id": BOT_USER})
VIDEO = "video 10s sora-2 x 1M users per month"


@pytest.fixture
def scenario(sqlite_db: Database) -> ScenarioPublic:
    """A scenario whose card (and so its thread) is CARD_TS in CHANNEL."""
    saved = save(sqlite_db, "plan", text=VIDEO, channel_id=CHANNEL)
    with sqlite_db.session() as session:
        set_card(
            session=session, team_id=TEAM, scenario_id=saved.id, card_ts=CARD_TS, permalink=PERMALINK,
            channel_private=False,
        )  # fmt: skip
    return saved


def kept(db: Database, scenario: ScenarioPublic) -> list[ThreadReplyPublic]:
    with db.session(write=False) as session:
        return latest_replies(session=session, team_id=TEAM, scenario_id=scenario.id)


def said(sqlite_db: Database, client: WebClient, logger: logging.Logger, text: str, *, thread_ts: str | None = CARD_TS,
         body: dict[str, Any] = BODY, **extra: Any) -> None:  # fmt: skip
    event = message_event(text, ts="1700000050.000100", thread_ts=thread_ts, channel=CHANNEL, **extra)
    thread_message(body=body, event=event, context=CONTEXT, client=client, db=sqlite_db, logger=logger)


def slack_calls(fake_slack: FakeSlack) -> list[str]:
    return [c.name for c in fake_slack.calls]


# --- what is ignored -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{"bot_id": "B0BOT"}, {"subtype": "message_changed"}, {"subtype": "message_deleted"},
     {"subtype": "channel_join"}, {"user": ""}],
    ids=["a bot", "an edit", "a deletion", "a join", "no user"],
)  # fmt: skip
def test_bots_edits_and_other_subtypes_are_ignored(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack,
    logger: logging.Logger, extra: dict[str, str],
) -> None:  # fmt: skip
    said(sqlite_db, client, logger, "what if 2M users", **extra)
    assert kept(sqlite_db, scenario) == []
    assert slack_calls(fake_slack) == []


@pytest.mark.parametrize(
    "thread_ts", [None, "1700000050.000100", "1700000002.000100"],
    ids=["a channel message", "a thread's first message", "another thread"],
)  # fmt: skip
def test_messages_outside_the_scenarios_thread_are_ignored(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack,
    logger: logging.Logger, thread_ts: str | None,
) -> None:  # fmt: skip
    said(sqlite_db, client, logger, "what if 2M users", thread_ts=thread_ts)
    assert kept(sqlite_db, scenario) == []
    assert slack_calls(fake_slack) == []


def test_the_same_thread_in_another_workspace_is_ignored(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    said(sqlite_db, client, logger, "what if 2M users", body={**BODY, "team_id": "T0OTHER9"})
    assert kept(sqlite_db, scenario) == []
    assert slack_calls(fake_slack) == []


def test_a_message_mentioning_the_bot_is_left_to_app_mention(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    said(sqlite_db, client, logger, f"<@{BOT_USER}> what if 2M users")
    assert kept(sqlite_db, scenario) == []
    assert slack_calls(fake_slack) == []


def test_a_mention_in_a_cards_thread_in_a_direct_message_is_answered(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    # In the user's own messages with costbot Slack sends no app_mention: the message event is all there is.
    saved = save(sqlite_db, "solo", text=VIDEO, channel_id="D0ALICE")
    with sqlite_db.session() as session:
        set_card(session=session, team_id=TEAM, scenario_id=saved.id, card_ts=CARD_TS, permalink=None,
                 channel_private=True)  # fmt: skip
    event = message_event(f"<@{BOT_USER}> what if 2M users", ts="1700000050.000100", thread_ts=CARD_TS,
                          channel="D0ALICE", channel_type="im")  # fmt: skip
    thread_message(body=BODY, event=event, context=CONTEXT, client=client, db=sqlite_db, logger=logger)
    (answer,) = fake_slack.api_calls("chat.postMessage")
    assert answer.body["channel"] == "D0ALICE" and answer.body["thread_ts"] == CARD_TS
    assert answer.body["text"].startswith("What if: solo → 2,000,000 × 10 s video")
    (reply,) = kept(sqlite_db, saved)
    assert reply.text == f"<@{BOT_USER}> what if 2M users" and reply.is_change is True  # kept as said, as in channels


# --- what is kept and answered -------------------------------------------------------------------------------


def test_a_plain_reply_is_kept_and_not_answered(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    said(sqlite_db, client, logger, "looks pricey to me")
    (reply,) = kept(sqlite_db, scenario)
    assert (reply.user_id, reply.ts, reply.text, reply.is_change) == ("U0BOB", "1700000050.000100",
                                                                       "looks pricey to me", False)  # fmt: skip
    assert slack_calls(fake_slack) == []


def test_a_reply_broadcast_to_the_channel_is_kept(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, logger: logging.Logger
) -> None:
    said(sqlite_db, client, logger, "looks pricey to me", subtype="thread_broadcast")
    assert [r.text for r in kept(sqlite_db, scenario)] == ["looks pricey to me"]


def test_a_what_if_is_answered_in_the_thread_for_everyone_and_kept_as_a_change(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    said(sqlite_db, client, logger, "what if 2M users")
    (answer,) = fake_slack.api_calls("chat.postMessage")
    assert answer.body["channel"] == CHANNEL and answer.body["thread_ts"] == CARD_TS
    assert answer.body["text"].startswith("What if: plan → 2,000,000 × 10 s video")
    assert fake_slack.api_calls("chat.postEphemeral") == []
    (reply,) = kept(sqlite_db, scenario)
    assert reply.text == "what if 2M users" and reply.is_change is True


def test_a_message_that_arrives_twice_is_answered_once(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    said(sqlite_db, client, logger, "what if 2M users")
    said(sqlite_db, client, logger, "what if 2M users")  # the same ts, under another event id
    assert len(fake_slack.api_calls("chat.postMessage")) == 1
    assert len(kept(sqlite_db, scenario)) == 1


def test_an_unreadable_what_if_is_explained_to_its_author_alone(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    said(sqlite_db, client, logger, "what if banana")
    assert fake_slack.api_calls("chat.postMessage") == []
    (answer,) = fake_slack.api_calls("chat.postEphemeral")
    assert answer.body["user"] == "U0BOB" and answer.body["thread_ts"] == CARD_TS
    assert "I read that as a what-if, but couldn't apply it" in answer.body["text"]
    (reply,) = kept(sqlite_db, scenario)
    assert reply.is_change is False


@pytest.mark.parametrize(
    ("text", "said_privately"),
    [("what if 720p", "gives the same figures as *plan* v1"), ("what if per week", "can mean two things")],
    ids=["changes no figure", "only another period"],
)
def test_a_what_if_with_nothing_for_the_thread_answers_its_author_alone(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger,
    text: str, said_privately: str,
) -> None:  # fmt: skip
    said(sqlite_db, client, logger, text)
    assert fake_slack.api_calls("chat.postMessage") == []  # no public post, no Save button in the thread
    (answer,) = fake_slack.api_calls("chat.postEphemeral")
    assert answer.body["user"] == "U0BOB" and answer.body["thread_ts"] == CARD_TS
    assert said_privately in str(answer.body["blocks"])
    (reply,) = kept(sqlite_db, scenario)
    assert reply.is_change is False


# --- App Home ------------------------------------------------------------------------------------------------


def home_event(tab: str = "home", user: str = "U0ALICE") -> dict[str, str]:
    return {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab, "event_ts": "1.1"}


def test_the_home_tab_shows_the_users_own_scenarios_and_digests(
    sqlite_db: Database, scenario: ScenarioPublic, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(sqlite_db, "bobs", author_id="U0BOB")
    save(sqlite_db, "elsewhere", team_id="T0OTHER9")
    with sqlite_db.session() as session:
        session.add(DigestSubscription(team_id=TEAM, channel_id="C0OPS", created_by="U0ALICE", weekday=0,
                                       at_time="09:00", timezone="Europe/Berlin"))  # fmt: skip
    app_home_opened(body=BODY, event=home_event(), client=client, db=sqlite_db)

    (published,) = fake_slack.api_calls("views.publish")
    assert published.body["user_id"] == "U0ALICE" and published.body["view"]["type"] == "home"
    sections = [b["text"]["text"] for b in published.body["view"]["blocks"] if b["type"] == "section"][2:]
    assert sections[0].startswith(f"<{PERMALINK}|plan> · <#C0GENERAL>")  # after the intro and how to
    assert sections[1] == "<#C0OPS> · Mondays at 09:00 (Europe/Berlin) · on"
    assert len(sections) == 2


def test_the_home_tab_keeps_a_stopped_digest_marked(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    with sqlite_db.session() as session:
        session.add(DigestSubscription(team_id=TEAM, channel_id="C0OPS", created_by="U0ALICE", weekday=0,
                                       at_time="09:00", timezone="Europe/Berlin", active=False))  # fmt: skip
    app_home_opened(body=BODY, event=home_event(), client=client, db=sqlite_db)
    view = fake_slack.api_calls("views.publish")[0].body["view"]
    assert "<#C0OPS> · ~Mondays at 09:00 (Europe/Berlin)~ · :double_vertical_bar: stopped" in str(view)


def test_the_messages_tab_is_left_alone(sqlite_db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    app_home_opened(body=BODY, event=home_event("messages"), client=client, db=sqlite_db)
    assert slack_calls(fake_slack) == []


def test_a_user_with_more_scenarios_than_shown_is_told_how_many_more(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    for i in range(51):
        save(sqlite_db, f"s{i:02}")
    app_home_opened(body=BODY, event=home_event(), client=client, db=sqlite_db)
    view = fake_slack.api_calls("views.publish")[0].body["view"]
    names = [b for b in view["blocks"] if b["type"] == "section" and b["text"]["text"].startswith("*s")]
    told = any("older ones" in e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"])
    assert len(names) == 51 or told
