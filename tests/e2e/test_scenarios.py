"""Saved scenarios end to end: `costbot serve` with its SQLite file, signed requests, the fake Slack.

Every test works in a channel of its own (the bot and its database live for the whole session).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.databases import fresh_postgres_url
from tests.e2e.conftest import RunningBot, start_bot, stop_bot
from tests.fakeslack import (
    FORM,
    JSON,
    TEAM,
    Call,
    FakeSlack,
    button_payload,
    command_body,
    event_body,
    interaction_body,
    message_event,
    post,
    shortcut_payload,
    sign,
    view_submission_payload,
)

OTHER_TEAM = "T0OTHER9"


def new_channel() -> str:
    return "C" + uuid.uuid4().hex[:10].upper()


def slash(bot: RunningBot, fake: FakeSlack, text: str, *, channel: str, user: str = "U0ALICE",
          team: str = TEAM, timeout: float = 10.0) -> dict[str, Any]:  # fmt: skip
    """Run `/cost TEXT`; the answer to a scenario command comes through the response URL (within `timeout`)."""
    name = f"r-{uuid.uuid4().hex[:8]}"
    body = command_body(text, response_url=fake.response_url(name), user=user, channel=channel, team=team)
    status, raw = post(f"{bot.url}/slack/events", body, {**FORM, **sign(body)})
    assert status == 200
    if raw:  # an estimate or help: answered in the acknowledgement
        return json.loads(raw)
    calls = fake.wait_for(lambda calls: any(c.kind == "response" and c.name == name for c in calls), timeout)
    return next(c for c in calls if c.kind == "response" and c.name == name).body


def send_event(bot: RunningBot, event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM,
               retry: int | None = None) -> int:  # fmt: skip
    body = event_body(event, event_id=event_id or f"Ev{uuid.uuid4().hex[:10]}", team=team)
    # Slack signs a retry anew, at the time it is sent (the first comes a second or more later).
    headers = {**JSON, **sign(body, timestamp=int(time.time()) + (retry or 0))}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return post(f"{bot.url}/slack/events", body, headers)[0]


def eventually(read: Callable[[], str], holds: Callable[[str], bool], timeout: float = 10) -> str:
    """Read until `holds(value)`: for state the bot changes after acknowledging, with no Slack call to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if holds(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def interact(bot: RunningBot, payload: dict[str, Any]) -> tuple[int, bytes]:
    body = interaction_body(payload)
    return post(f"{bot.url}/slack/events", body, {**FORM, **sign(body)})


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def cards(fake: FakeSlack, channel: str) -> list[Call]:
    return [c for c in fake.api_calls("chat.postMessage") if c.body["channel"] == channel and "thread_ts" not in c.body]


def save(bot: RunningBot, fake: FakeSlack, name: str, text: str, *, channel: str, user: str = "U0ALICE") -> str:
    """Save a scenario and return its card's ts (the thread)."""
    answer = slash(bot, fake, f"save {name} {text}", channel=channel, user=user)
    assert "Saved" in answer["text"], answer
    fake.wait_for(lambda calls: any(c.name == "chat.getPermalink" and c.body["channel"] == channel for c in calls))
    card = cards(fake, channel)[-1]
    return card_ts(fake, card)


def card_ts(fake: FakeSlack, card: Call) -> str:
    # The fake answers chat.postMessage with a new ts; the bot asked for that message's permalink next.
    permalink = [c for c in fake.api_calls("chat.getPermalink") if c.body["channel"] == card.body["channel"]][-1]
    return str(permalink.body["message_ts"])


# --- save, show, list ----------------------------------------------------------------------------------------


def test_save_posts_the_card_in_the_channel_and_answers_with_its_link(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    answer = slash(running_bot, fake_slack, "save launch video 10s sora-2 x 1M users per month", channel=channel)

    assert answer["response_type"] == "ephemeral"
    assert "Saved *launch* (v1)" in text_of(answer) and "https://fake.slack.com/archives/" in text_of(answer)
    card = cards(fake_slack, channel)[0].body
    assert "launch" in card["text"] and "$1,000,000" in text_of(card)
    assert "what if 2M users" in text_of(card)  # the card teaches the thread


def test_save_without_a_text_saves_the_users_last_estimate_in_the_channel(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    slash(running_bot, fake_slack, "image x 3 per day", channel=channel)
    answer = slash(running_bot, fake_slack, "save pics", channel=channel)
    assert "Saved *pics*" in text_of(answer)
    shown = slash(running_bot, fake_slack, "show pics", channel=channel)
    assert "`/cost image x 3 per day`" in text_of(shown)


def test_a_name_taken_in_the_channel_gets_a_clear_message_and_nothing_changes(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    save(running_bot, fake_slack, "plan", "video 10s", channel=channel)
    answer = slash(running_bot, fake_slack, "save PLAN image", channel=channel, user="U0BOB")
    assert "already has a scenario called 'plan'" in answer["text"]
    assert "`/cost video 10s`" in text_of(slash(running_bot, fake_slack, "show plan", channel=channel))
    assert len(cards(fake_slack, channel)) == 1


def test_show_list_and_compare(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    save(running_bot, fake_slack, "sora", "video 10s sora-2 x 1M users per month", channel=channel)
    save(running_bot, fake_slack, "veo", "video 20s veo-3.1-fast x 1M users per month", channel=channel)

    listing = text_of(slash(running_bot, fake_slack, "list", channel=channel))
    assert "2 saved scenarios" in listing and "sora" in listing and "veo" in listing

    shown = text_of(slash(running_bot, fake_slack, "show sora", channel=channel))
    assert "v1" in shown and "Versions" in shown and "$1,000,000" in shown

    compared = text_of(slash(running_bot, fake_slack, "compare sora veo", channel=channel))
    assert "→" in compared and "%" in compared and "Sora 2" in compared


def test_show_of_an_unknown_name_suggests_a_close_one(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    save(running_bot, fake_slack, "launch", "video 10s", channel=channel)
    answer = slash(running_bot, fake_slack, "show lanch", channel=channel)
    assert "no scenario called 'lanch'" in answer["text"] and "launch" in answer["text"]


# --- threads -------------------------------------------------------------------------------------------------


def test_a_thread_reply_is_kept_and_not_answered(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    thread = save(running_bot, fake_slack, "kept", "video 10s x 1M users", channel=channel)
    posted_before = len(fake_slack.api_calls("chat.postMessage"))

    assert send_event(running_bot, message_event("seems pricey to me", ts="1800000000.000100", thread_ts=thread,
                                                 channel=channel)) == 200  # fmt: skip
    # Kept in a thread of its own after the acknowledgement: ask until it shows (nothing else to wait on).
    shown = eventually(lambda: text_of(slash(running_bot, fake_slack, "show kept", channel=channel)),
                       lambda shown: "seems pricey to me" in shown)  # fmt: skip
    assert "<@U0BOB>" in shown
    assert len(fake_slack.api_calls("chat.postMessage")) == posted_before


def test_a_what_if_reply_is_answered_in_the_thread_with_the_difference(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    thread = save(running_bot, fake_slack, "growth", "video 10s sora-2 x 1M users", channel=channel)

    send_event(running_bot, message_event("what if 2M users", ts="1800000000.000200", thread_ts=thread,
                                          channel=channel))  # fmt: skip
    answer = fake_slack.wait_for(
        lambda calls: any(c.name == "chat.postMessage" and c.body.get("thread_ts") == thread for c in calls)
    )
    what_if = next(c for c in answer if c.name == "chat.postMessage" and c.body.get("thread_ts") == thread).body
    shown = text_of(what_if)
    assert "$1,000,000 → $2,000,000" in shown and "+100" in shown
    assert "save_scenario_version" in shown and "Save as v2" in shown


def test_saving_a_what_if_makes_a_new_version_and_updates_the_card(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    thread = save(running_bot, fake_slack, "model", "video 10s sora-2 x 1M users", channel=channel)
    send_event(running_bot, message_event("with veo-3.1-fast", ts="1800000000.000300", thread_ts=thread,
                                          channel=channel))  # fmt: skip
    calls = fake_slack.wait_for(
        lambda calls: any(c.name == "chat.postMessage" and c.body.get("thread_ts") == thread for c in calls)
    )
    what_if = next(c for c in calls if c.name == "chat.postMessage" and c.body.get("thread_ts") == thread).body
    button = next(e for b in what_if["blocks"] if b["type"] == "actions" for e in b["elements"])

    payload = {
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0BOB", "team_id": TEAM},
        "channel": {"id": channel}, "trigger_id": "1.2.3", "api_app_id": "A0APP", "token": "deprecated",
        "container": {"type": "message", "message_ts": "1800000000.000301", "channel_id": channel,
                      "is_ephemeral": False},
        "message": {"ts": "1800000000.000301", "thread_ts": thread, "blocks": what_if["blocks"], "text": "…"},
        "response_url": fake_slack.response_url("what-if"),
        "actions": [{**button, "block_id": "what_if_actions", "action_ts": "1800000001.1"}],
    }  # fmt: skip
    assert interact(running_bot, payload)[0] == 200

    updates = fake_slack.wait_for_api("chat.update", 2)
    card = next(c.body for c in updates if c.body["ts"] == thread)
    assert "v2" in text_of(card) and "Veo 3.1 Fast" in text_of(card)
    note = next(c.body for c in updates if c.body["ts"] == "1800000000.000301")
    assert "saved this as *model* v2" in text_of(note) and "save_scenario_version" not in text_of(note)
    shown = text_of(slash(running_bot, fake_slack, "show model", channel=channel))
    assert "v2" in shown and "what-if from the thread" in shown and "<@U0BOB>" in shown


def test_an_event_delivered_twice_is_handled_once(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    thread = save(running_bot, fake_slack, "twice", "video 10s x 1M users", channel=channel)
    event = message_event("what if 3M users", ts="1800000000.000400", thread_ts=thread, channel=channel)

    assert send_event(running_bot, event, event_id="EvTWICE0001") == 200
    assert send_event(running_bot, event, event_id="EvTWICE0001", retry=1) == 200
    fake_slack.wait_for(lambda calls: any(c.body.get("thread_ts") == thread for c in calls))
    # The repeat is recognised before it is acknowledged, so nothing of it can still be running.
    assert "event EvTWICE0001 delivered again" in running_bot.log_text()
    assert len([c for c in fake_slack.api_calls("chat.postMessage") if c.body.get("thread_ts") == thread]) == 1


def test_a_mention_in_the_thread_is_kept_and_answered_against_the_scenario(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    thread = save(running_bot, fake_slack, "mention", "video 10s x 1M users", channel=channel)
    text = "<@U0BOT> what if 500k users"
    send_event(running_bot, {**message_event(text, ts="1800000000.000500", thread_ts=thread, channel=channel)})
    send_event(running_bot, {**message_event(text, ts="1800000000.000500", thread_ts=thread, channel=channel),
                             "type": "app_mention"})  # fmt: skip
    fake_slack.wait_for(lambda calls: any(c.body.get("thread_ts") == thread for c in calls))
    shown = eventually(lambda: text_of(slash(running_bot, fake_slack, "show mention", channel=channel)),
                       lambda shown: "what if 500k users" in shown)  # fmt: skip
    assert shown.count("what if 500k users") == 1  # kept once, though two events carried it
    answers = [c.body for c in fake_slack.api_calls("chat.postMessage") if c.body.get("thread_ts") == thread]
    assert len(answers) == 1 and "500,000" in text_of(answers[0])


# --- changes, permissions, workspaces ------------------------------------------------------------------------


def test_only_the_author_or_an_admin_may_delete(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    thread = save(running_bot, fake_slack, "mine", "video 10s", channel=channel)

    refused = slash(running_bot, fake_slack, "delete mine", channel=channel, user="U0BOB")
    assert "Only <@U0ALICE>" in text_of(refused)
    assert "mine" in text_of(slash(running_bot, fake_slack, "list", channel=channel))

    fake_slack.admins.add("U0ADMIN")
    asked = slash(running_bot, fake_slack, "delete mine", channel=channel, user="U0ADMIN")
    assert "Delete *mine*?" in text_of(asked)
    deleted = press(running_bot, fake_slack, asked, "delete_scenario", channel=channel, user="U0ADMIN")
    assert deleted["replace_original"] is True and "Deleted *mine*" in text_of(deleted)
    assert "No saved scenarios" in text_of(slash(running_bot, fake_slack, "list", channel=channel))
    card = next(c.body for c in fake_slack.api_calls("chat.update") if c.body["ts"] == thread)
    assert "deleted by <@U0ADMIN>" in text_of(card)


def press(bot: RunningBot, fake: FakeSlack, message: dict[str, Any], action_id: str, *, channel: str,
          user: str = "U0ALICE") -> dict[str, Any]:  # fmt: skip
    """Press the button `action_id` of an ephemeral `message`, as Slack sends it; what the bot answers through
    the response URL."""
    (value,) = [e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id]  # fmt: skip
    name = f"b-{uuid.uuid4().hex[:8]}"
    payload = button_payload(action_id, value, response_url=fake.response_url(name), channel=channel, user=user)
    assert interact(bot, payload)[0] == 200
    calls = fake.wait_for(lambda calls: any(c.kind == "response" and c.name == name for c in calls))
    return next(c.body for c in calls if c.kind == "response" and c.name == name)


def test_a_delete_asks_first_and_can_be_undone(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    thread = save(running_bot, fake_slack, "plan", "video 10s x 1M users per month", channel=channel)
    slash(running_bot, fake_slack, "value plan $2 each", channel=channel)  # v2

    asked = slash(running_bot, fake_slack, "delete plan", channel=channel)
    kept = press(running_bot, fake_slack, asked, "keep_scenario", channel=channel)
    assert kept["replace_original"] is True and "Kept *plan*; nothing was deleted." in text_of(kept)
    assert "plan" in text_of(slash(running_bot, fake_slack, "list", channel=channel))

    asked = slash(running_bot, fake_slack, "delete plan", channel=channel)
    deleted = press(running_bot, fake_slack, asked, "delete_scenario", channel=channel)
    assert "Deleted *plan* with its 2 versions" in text_of(deleted) and "Undo works until" in text_of(deleted)
    assert "No saved scenarios" in text_of(slash(running_bot, fake_slack, "list", channel=channel))

    restored = press(running_bot, fake_slack, deleted, "undo_delete", channel=channel)
    assert restored["replace_original"] is True and "Restored" in text_of(restored) and "v2" in text_of(restored)
    assert "v2" in text_of(slash(running_bot, fake_slack, "show plan", channel=channel))
    card = [c.body for c in fake_slack.api_calls("chat.update") if c.body["ts"] == thread][-1]
    assert "deleted by" not in text_of(card) and "plan" in card["text"]  # the card shows its figures again
    again = press(running_bot, fake_slack, deleted, "undo_delete", channel=channel)
    assert "Restored" in text_of(again)  # a second press changes nothing
    assert "1 saved scenario in this channel" in text_of(slash(running_bot, fake_slack, "list", channel=channel))


def test_value_and_budget_are_new_versions_for_the_author_and_refused_to_others(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    save(running_bot, fake_slack, "worth", "video 10s sora-2 x 1M users per month", channel=channel)

    assert "Only <@U0ALICE>" in text_of(slash(running_bot, fake_slack, "budget worth $1k/month", channel=channel,
                                              user="U0BOB"))  # fmt: skip
    valued = text_of(slash(running_bot, fake_slack, "value worth $2 each", channel=channel))
    assert "now v2" in valued and "pays back: value 2.00× API spend" in valued
    budgeted = text_of(slash(running_bot, fake_slack, "budget worth $500k/month", channel=channel))
    assert "now v3" in budgeted and "over budget" in budgeted
    shown = text_of(slash(running_bot, fake_slack, "show worth", channel=channel))
    assert "value changed" in shown and "budget changed" in shown


def test_another_workspace_can_neither_see_nor_touch_a_scenario(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    save(running_bot, fake_slack, "secret", "video 10s", channel=channel)

    for command in ("show secret", "delete secret", "budget secret $1/month", "compare secret secret"):
        answer = slash(running_bot, fake_slack, command, channel=channel, team=OTHER_TEAM)
        assert "no scenario called 'secret'" in answer["text"], command
    assert "No saved scenarios" in text_of(slash(running_bot, fake_slack, "list", channel=channel, team=OTHER_TEAM))
    assert "secret" in text_of(slash(running_bot, fake_slack, "list", channel=channel))


def test_twenty_concurrent_saves_all_land(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel = new_channel()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(
            lambda i: slash(running_bot, fake_slack, f"save s{i:02} video 10s x {i + 1}k users", channel=channel),
            range(20),
        ))  # fmt: skip
    assert all("Saved" in a["text"] for a in answers), [a["text"] for a in answers if "Saved" not in a["text"]]
    listing = text_of(slash(running_bot, fake_slack, "list", channel=channel))
    assert "20 saved scenarios" in listing
    assert len(cards(fake_slack, channel)) == 20


# --- the Save button, the shortcut, App Home --------------------------------------------------------------------


def test_the_save_button_asks_for_a_name_and_refuses_a_taken_one(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    save(running_bot, fake_slack, "taken", "image", channel=channel)
    button = {
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0ALICE", "team_id": TEAM},
        "channel": {"id": channel}, "trigger_id": "1.2.3", "api_app_id": "A0APP", "token": "deprecated",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": channel, "is_ephemeral": True},
        "response_url": fake_slack.response_url("save-button"),
        "actions": [{"action_id": "save_estimate", "block_id": "estimate_actions", "type": "button",
                     "value": "video 10s x 1M users", "action_ts": "1.2"}],
    }  # fmt: skip
    assert interact(running_bot, button)[0] == 200
    view = fake_slack.wait_for_api("views.open")[-1].body["view"]
    assert view["callback_id"] == "save_scenario"

    status, raw = interact(running_bot, view_submission_payload(view, {"scenario_name": {"name": {"value": "Taken"}}}))
    assert status == 200 and "already" in json.loads(raw)["errors"]["scenario_name"]

    status, raw = interact(running_bot, view_submission_payload(view, {"scenario_name": {"name": {"value": "fresh"}}}))
    assert status == 200 and not raw
    answer = fake_slack.wait_for(lambda calls: any(c.name == "save-button" for c in calls))
    assert "Saved *fresh*" in text_of(next(c.body for c in answer if c.name == "save-button"))
    assert "fresh" in text_of(slash(running_bot, fake_slack, "list", channel=channel))


def test_the_message_shortcut_estimates_a_messages_text(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    payload = shortcut_payload("<@U0BOB> how about video 10s x 1M users?", response_url=fake_slack.response_url("sc"))
    payload["message"]["text"] = "<@U0BOB> video 10s x 1M users"
    assert interact(running_bot, payload)[0] == 200
    answer = fake_slack.wait_for(lambda calls: any(c.name == "sc" for c in calls))
    body = next(c.body for c in answer if c.name == "sc")
    assert body["response_type"] == "ephemeral" and "$1,000,000" in body["text"]


def test_app_home_lists_the_users_scenarios_with_links(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    channel, private = new_channel(), new_channel()
    fake_slack.private_channels.add(private)
    save(running_bot, fake_slack, "home-one", "video 10s x 1M users per month", channel=channel, user="U0HOMER")
    save(running_bot, fake_slack, "home-two", "image x 5 per day", channel=private, user="U0HOMER")

    send_event(running_bot, {"type": "app_home_opened", "user": "U0HOMER", "channel": "D0HOME", "tab": "home",
                             "event_ts": "1.1"})  # fmt: skip
    view = fake_slack.wait_for_api("views.publish")[-1].body
    assert view["user_id"] == "U0HOMER"
    shown = text_of(view["view"])
    assert "home-one" in shown and "https://fake.slack.com/archives/" in shown and "$1,000,000" in shown
    assert "home-two" in shown and "private channel" in shown


# --- restarts and PostgreSQL ---------------------------------------------------------------------------------


def test_scenarios_survive_a_restart(fake_slack: FakeSlack, tmp_path: Path) -> None:
    channel = new_channel()
    bot = start_bot(fake_slack, tmp_path)
    try:
        save(bot, fake_slack, "durable", "video 10s x 1M users", channel=channel)
    finally:
        stop_bot(bot)
    bot = start_bot(fake_slack, tmp_path)
    try:
        assert "`/cost video 10s x 1M users`" in text_of(slash(bot, fake_slack, "show durable", channel=channel))
    finally:
        stop_bot(bot)


def test_on_postgresql_twenty_concurrent_saves_land_and_survive_a_restart(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    channel = new_channel()
    with fresh_postgres_url() as url:
        bot = start_bot(fake_slack, tmp_path, DATABASE_URL=url)
        try:
            with ThreadPoolExecutor(max_workers=20) as pool:
                answers = list(pool.map(
                    lambda i: slash(bot, fake_slack, f"save p{i:02} image x {i + 1}", channel=channel), range(20)
                ))  # fmt: skip
            assert all("Saved" in a["text"] for a in answers)
        finally:
            stop_bot(bot)
        bot = start_bot(fake_slack, tmp_path, DATABASE_URL=url)
        try:
            assert "20 saved scenarios" in text_of(slash(bot, fake_slack, "list", channel=channel))
        finally:
            stop_bot(bot)


@pytest.mark.parametrize("text", ["save", "save video 10s x 1M users", "show", "compare a", "budget x banana"])
def test_incomplete_commands_say_what_to_type(running_bot: RunningBot, fake_slack: FakeSlack, text: str) -> None:
    answer = slash(running_bot, fake_slack, text, channel=new_channel())
    assert "/cost" in answer["text"] or "scenario" in answer["text"]
    assert answer["response_type"] == "ephemeral"


def test_saving_in_a_public_channel_the_bot_is_not_in_joins_it_to_hear_the_thread(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    fake_slack.outside_channels.add(channel)
    save(running_bot, fake_slack, "joined", "video 10s", channel=channel)
    assert [c.body["channel"] for c in fake_slack.api_calls("conversations.join")] == [channel]


def test_when_joining_is_refused_the_saver_is_told_replies_wont_be_heard(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    channel = new_channel()
    fake_slack.outside_channels.add(channel)
    fake_slack.fail_next("conversations.join", error="method_not_supported_for_channel_type")
    answer = slash(running_bot, fake_slack, "save deaf video 10s", channel=channel)
    assert "Saved *deaf*" in text_of(answer) and "/invite @costbot" in text_of(answer)
