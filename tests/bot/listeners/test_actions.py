from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.blocks.estimate import headline
from bot.blocks.scenarios import SAVE_VERSION_ACTION
from bot.listeners.actions import (
    adjust_estimate,
    card_details,
    confirm_delete,
    estimate_details,
    keep_scenario,
    new_estimate,
    post_scenario_card,
    save_scenario_version,
    share_estimate,
    undo_scenario_delete,
)
from bot.scenarios import Where, save_named
from bot.seals import Seal
from costing import estimate, use_price_book
from storage import Database, ScenarioPublic, get_scenario
from tests.bot.listeners.conftest import Recorder
from tests.fakeslack import TEAM, FakeSlack, button_payload


def saved_through_bot(db: Database, client: WebClient, text: str, *, name: str = "plan",
                      channel: str = "C0GENERAL") -> ScenarioPublic:  # fmt: skip
    """`/cost save NAME TEXT` by Alice in `channel`, through the bot's own use case; the scenario as stored."""
    save_named(name, text, where=Where(team_id=TEAM, channel_id=channel, user_id="U0ALICE"), db=db, client=client)
    with db.session(write=False) as session:
        scenario = get_scenario(session=session, team_id=TEAM, channel_id=channel, name=name)
    assert scenario is not None
    return scenario


def test_share_posts_in_the_channel_and_deletes_the_ephemeral(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    body = button_payload("share_estimate", "tts 2k chars x 10k per month", response_url="unused")
    share_estimate(body=body, client=client, respond=respond, logger=logger)

    posted = fake_slack.api_calls("chat.postMessage")[0].body
    assert posted["channel"] == "C0GENERAL" and "Shared by <@U0ALICE>" in json.dumps(posted["blocks"])
    assert respond.only == {"delete_original": True}


def test_share_from_a_public_message_keeps_that_message(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    body = button_payload("share_estimate", "image x 10", response_url="unused", ephemeral=False)
    share_estimate(body=body, client=client, respond=respond, logger=logger)
    assert len(fake_slack.api_calls("chat.postMessage")) == 1
    assert respond.calls == []


def test_share_refused_by_slack_tells_the_user_and_keeps_their_copy(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    fake_slack.fail_next("chat.postMessage", error="is_archived")
    body = button_payload("share_estimate", "image x 10", response_url="unused")
    share_estimate(body=body, client=client, respond=respond, logger=logger)
    assert respond.only["replace_original"] is False
    assert "is_archived" in respond.only["text"] and "nothing was shared" in respond.only["text"]


def test_new_estimate_on_app_home_opens_the_empty_form_answered_in_messages(
    client: WebClient, fake_slack: FakeSlack, seal: Seal
) -> None:
    body = button_payload("new_estimate", "", response_url="unused")
    new_estimate(body=body, client=client, seal=seal)
    view = fake_slack.api_calls("views.open")[0].body["view"]
    assert view["title"]["text"] == "New estimate" and seal.open(view["private_metadata"]) == {"dm": True}


def test_adjust_opens_the_modal_with_where_to_answer(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack, seal: Seal
) -> None:
    body = button_payload("adjust_estimate", "chat 2k tokens x 1M per day", response_url="http://hook/1")
    adjust_estimate(body=body, client=client, respond=respond, seal=seal)

    view = fake_slack.api_calls("views.open")[0].body["view"]
    assert seal.open(view["private_metadata"]) == {
        "channel": "C0GENERAL",
        "response_url": "http://hook/1",
        "replace": True,
        "thread_ts": None,
    }
    assert fake_slack.api_calls("views.open")[0].body["trigger_id"] == body["trigger_id"]


def test_a_card_that_could_not_be_posted_is_posted_from_show(
    client: WebClient, fake_slack: FakeSlack, respond: Recorder, sqlite_db: Database
) -> None:
    where = Where(team_id=TEAM, channel_id="C0GENERAL", user_id="U0ALICE")
    fake_slack.fail_next("chat.postMessage", error="not_in_channel")
    saved = save_named("plan", "video 10s", where=where, db=sqlite_db, client=client)
    assert "couldn't post its card" in json.dumps(saved.message)
    with sqlite_db.session(write=False) as session:
        scenario = get_scenario(session=session, team_id=TEAM, channel_id="C0GENERAL", name="plan")
    assert scenario is not None and scenario.card_ts is None

    payload = button_payload("post_scenario_card", str(scenario.id), response_url=fake_slack.response_url())
    post_scenario_card(body=payload, client=client, respond=respond, db=sqlite_db)

    assert respond.only["text"] == "Posted the card of *plan*; its thread is the discussion."
    with sqlite_db.session(write=False) as session:
        posted = get_scenario(session=session, team_id=TEAM, channel_id="C0GENERAL", name="plan")
    assert posted is not None and posted.card_ts and posted.card_permalink
    post_scenario_card(body=payload, client=client, respond=respond, db=sqlite_db)  # pressed again
    assert "has its card in the channel already" in respond.calls[-1]["text"]


POSTED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def details_click(text: str, *, shown: tuple[str, str] | None = None, posted: datetime | None = POSTED) -> dict:
    """A Details click on a message showing `text`'s figures as of `posted` (or other totals: `shown`)."""
    e = estimate(text, at=posted or datetime.now(UTC))
    api, compute = shown or (str(e.api.total_usd), str(e.compute.total_usd))
    value = json.dumps({"text": text, "api": api, "compute": compute})
    body = button_payload("estimate_details", value, response_url="unused")
    if posted is None:
        del body["container"]["message_ts"]
    else:
        body["container"]["message_ts"] = f"{posted.timestamp():.6f}"
    return body


def test_details_open_every_figure_of_the_message_as_of_when_it_was_posted(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack
) -> None:
    text = "video 10s sora-2 x 1M users per month"
    body = details_click(text)
    estimate_details(body=body, client=client, respond=respond)

    (call,) = fake_slack.api_calls("views.open")
    view = call.body["view"]
    assert call.body["trigger_id"] == body["trigger_id"] and view["type"] == "modal"
    said = json.dumps(view["blocks"], ensure_ascii=False)
    assert view["blocks"][0]["text"]["text"] == headline(estimate(text, at=POSTED))  # the message's own figures
    assert "shut down on 2026-09-24" in said and "*Assumptions*" in said and "*Per year*" in said
    assert f"Costed as of <!date^{int(POSTED.timestamp())}^" in said and "the same figures it shows" in said
    assert respond.calls == []


def test_details_say_so_when_prices_have_changed_since_the_message(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack
) -> None:
    estimate_details(body=details_click("image x 10", shown=("0.50", "0.04")), client=client, respond=respond)
    footer = fake_slack.api_calls("views.open")[0].body["view"]["blocks"][-1]["elements"][0]["text"]
    assert footer.startswith(":warning: Prices have changed since the message was posted: it shows $0.50 API")
    assert "the price data in use now" in footer


def test_details_without_the_messages_time_are_costed_now_and_say_so(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack
) -> None:
    estimate_details(body=details_click("image x 10", posted=None), client=client, respond=respond)
    footer = fake_slack.api_calls("views.open")[0].body["view"]["blocks"][-1]["elements"][0]["text"]
    assert "when Details was opened" in footer


def test_details_of_a_text_that_no_longer_costs_say_why_and_open_nothing(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack
) -> None:
    body = details_click("image x 10")
    body["actions"][0]["value"] = json.dumps({"text": "video 10s x", "api": "1", "compute": "1"})
    estimate_details(body=body, client=client, respond=respond)
    said = respond.only
    assert said["replace_original"] is False and "response_type" not in said  # private to the clicker
    assert "needs a number after it" in said["text"] and fake_slack.api_calls("views.open") == []


@pytest.mark.parametrize(
    "value",
    ["image x 10", "{}", '{"text": "image x 10", "api": "NaN", "compute": "1"}',
     '{"text": "image x 10", "api": "-1", "compute": "1"}', '{"text": "", "api": "1", "compute": "1"}'],
)  # fmt: skip
def test_a_details_button_the_bot_did_not_make_shows_nothing(
    value: str, respond: Recorder, client: WebClient, fake_slack: FakeSlack
) -> None:
    body = details_click("image x 10")
    body["actions"][0]["value"] = value
    estimate_details(body=body, client=client, respond=respond)
    assert "isn't one costbot made" in respond.only["text"] and fake_slack.api_calls("views.open") == []


def test_details_with_a_broken_price_book_say_so_and_open_nothing(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    body = details_click("image x 10")
    book = tmp_path / "prices.yaml"
    book.write_text("entries: [this is not an entry]\n", encoding="utf-8")
    use_price_book(str(book))
    estimate_details(body=body, client=client, respond=respond)
    assert respond.only["text"].startswith("costbot's price book has a problem:")
    assert fake_slack.api_calls("views.open") == []


def test_a_modal_slack_would_not_open_is_said_to_the_clicker(
    respond: Recorder, client: WebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    estimate_details(body=details_click("image x 10"), client=client, respond=respond)
    assert respond.only["replace_original"] is False
    assert "Slack didn't open the details (expired_trigger_id); click the button again." in respond.only["text"]


def test_a_cards_details_show_its_saved_figures_and_only_in_its_channel(
    client: WebClient, fake_slack: FakeSlack, respond: Recorder, sqlite_db: Database
) -> None:
    scenario = saved_through_bot(sqlite_db, client, "video 10s x 1k per day")
    card_details(body=button_payload("scenario_details", str(scenario.id), response_url="u", ephemeral=False),
                 client=client, respond=respond, db=sqlite_db)  # fmt: skip
    (call,) = fake_slack.api_calls("views.open")
    assert call.body["view"]["title"]["text"] == "plan v1"
    assert call.body["view"]["blocks"][0]["text"]["text"] == headline(scenario.estimate)

    elsewhere = button_payload("scenario_details", str(scenario.id), response_url="u", channel="C0OTHER")
    card_details(body=elsewhere, client=client, respond=respond, db=sqlite_db)
    card_details(body=button_payload("scenario_details", "abc", response_url="u"), client=client, respond=respond,
                 db=sqlite_db)  # fmt: skip
    card_details(
        body=button_payload("scenario_details", str(scenario.id + 1000), response_url="u"),
        client=client,
        respond=respond,
        db=sqlite_db,
    )  # fmt: skip  (deleted, or never was)
    assert "isn't this channel's" in respond.calls[0]["text"] and "isn't one costbot made" in respond.calls[1]["text"]
    assert "was deleted" in respond.calls[2]["text"]
    assert len(fake_slack.api_calls("views.open")) == 1


# --- tampered buttons -------------------------------------------------------------------------------------------


def _saved_elsewhere(db: Database, client: WebClient, fake_slack: FakeSlack) -> int:
    """A scenario of the private channel C0SECRET, with its card not posted; its id."""
    fake_slack.fail_next("chat.postMessage", error="not_in_channel")
    scenario = saved_through_bot(db, client, "video 10s", name="hidden-plan", channel="C0SECRET")
    return scenario.id


@pytest.mark.parametrize("value", ["abc", "1.5", "-3", "", str(10**30), "١٢"])
def test_a_card_button_with_an_id_that_isnt_one_is_refused_in_words(
    value: str, client: WebClient, fake_slack: FakeSlack, respond: Recorder, sqlite_db: Database
) -> None:
    payload = button_payload("post_scenario_card", value, response_url=fake_slack.response_url())
    post_scenario_card(body=payload, client=client, respond=respond, db=sqlite_db)
    assert "isn't one costbot made" in respond.only["text"]
    assert fake_slack.api_calls("chat.postMessage") == []


def test_a_card_button_from_another_channel_posts_nothing_and_names_nothing(
    client: WebClient, fake_slack: FakeSlack, respond: Recorder, sqlite_db: Database
) -> None:
    scenario_id = _saved_elsewhere(sqlite_db, client, fake_slack)
    payload = button_payload("post_scenario_card", str(scenario_id), response_url=fake_slack.response_url())
    post_scenario_card(body=payload, client=client, respond=respond, db=sqlite_db)  # clicked in C0GENERAL
    assert "isn't this channel's" in respond.only["text"] and "hidden-plan" not in json.dumps(respond.calls)
    assert [c for c in fake_slack.api_calls("chat.postMessage") if c.body.get("channel") == "C0GENERAL"] == []


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        "[]",
        json.dumps({"scenario": "abc", "text": "video 20s", "base": 1}),
        json.dumps({"scenario": 1.5, "text": "video 20s", "base": 1}),
        json.dumps({"scenario": None, "text": "video 20s"}),
        json.dumps({"scenario": 10**30, "text": "video 20s"}),
        json.dumps({"scenario": True, "text": "video 20s"}),
        json.dumps({"scenario": 1, "text": 7}),
        json.dumps({"scenario": 1, "text": "video 20s", "base": "v1"}),
    ],
)
def test_a_what_if_button_with_a_value_the_bot_didnt_make_saves_nothing(
    value: str, client: WebClient, fake_slack: FakeSlack, sqlite_db: Database
) -> None:
    body = {**button_payload(SAVE_VERSION_ACTION, value, response_url=fake_slack.response_url(), ephemeral=False)}
    save_scenario_version(body=body, client=client, db=sqlite_db, logger=logging.getLogger("tests"))
    (refusal,) = fake_slack.api_calls("chat.postEphemeral")
    assert "isn't one costbot made" in json.dumps(refusal.body)


def test_a_what_if_button_naming_another_channels_scenario_changes_nothing(
    client: WebClient, fake_slack: FakeSlack, sqlite_db: Database
) -> None:
    scenario_id = _saved_elsewhere(sqlite_db, client, fake_slack)
    value = json.dumps({"scenario": scenario_id, "text": "video 20s", "base": 1})
    body = button_payload(SAVE_VERSION_ACTION, value, response_url=fake_slack.response_url(), ephemeral=False)
    save_scenario_version(body=body, client=client, db=sqlite_db, logger=logging.getLogger("tests"))
    (refusal,) = fake_slack.api_calls("chat.postEphemeral")
    assert "isn't one of this channel's" in json.dumps(refusal.body) and "hidden-plan" not in json.dumps(refusal.body)
    with sqlite_db.session(write=False) as session:
        scenario = get_scenario(session=session, team_id=TEAM, channel_id="C0SECRET", name="hidden-plan")
    assert scenario is not None and scenario.version == 1


# --- Delete, Keep it and Undo around a delete ----------------------------------------------------------------


def _button(message: dict, action_id: str) -> str:
    return next(e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id)  # fmt: skip


def test_delete_keep_and_undo_buttons_answer_through_the_response_url_in_place(
    client: WebClient, fake_slack: FakeSlack, respond: Recorder, sqlite_db: Database
) -> None:
    scenario = saved_through_bot(sqlite_db, client, "video 10s")

    keep_scenario(body=button_payload("keep_scenario", str(scenario.id), response_url="u"), respond=respond,
                  db=sqlite_db)  # fmt: skip
    kept = respond.calls[-1]
    assert kept["replace_original"] is True and "Kept *plan*; nothing was deleted." in str(kept["blocks"])
    confirm_delete(body=button_payload("delete_scenario", str(scenario.id), response_url="u"), client=client,
                   respond=respond, db=sqlite_db)  # fmt: skip
    deleted = respond.calls[-1]
    assert deleted["replace_original"] is True and "Deleted *plan*" in str(deleted["blocks"])
    undo = button_payload("undo_delete", _button(deleted, "undo_delete"), response_url="u")
    undo_scenario_delete(body=undo, client=client, respond=respond, db=sqlite_db)
    assert respond.calls[-1]["replace_original"] is True and "Restored" in str(respond.calls[-1]["blocks"])


@pytest.mark.parametrize("action_id", ["delete_scenario", "undo_delete"])
def test_a_delete_or_undo_button_the_bot_did_not_make_changes_nothing(
    client: WebClient, respond: Recorder, sqlite_db: Database, action_id: str
) -> None:
    listener = confirm_delete if action_id == "delete_scenario" else undo_scenario_delete
    listener(body=button_payload(action_id, "not-ours", response_url="u"), client=client, respond=respond,
             db=sqlite_db)  # fmt: skip
    assert respond.only["replace_original"] is False and "isn't one costbot made" in respond.only["text"]
