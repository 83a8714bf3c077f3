"""bot.scenarios.commands with a real database (SQLite, then PostgreSQL) and the fake Slack Web API."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.blocks.scenarios import LIST_LIMIT
from bot.listeners.actions import save_scenario_version
from bot.replies import Reply
from bot.scenarios import Where, delete_confirmed, run_scenario_command, save_what_if, undo_delete, what_if
from costing.language import subcommand_of
from storage import Database, ScenarioPublic, get_scenario, list_versions, remember_estimate
from tests.fakeslack import BOT_TOKEN, TEAM, FakeSlack
from tests.storage.factories import save as save_in_db

CHANNEL = "C0GENERAL"
ALICE = Where(team_id=TEAM, channel_id=CHANNEL, user_id="U0ALICE")
BOB = Where(team_id=TEAM, channel_id=CHANNEL, user_id="U0BOB")
ELSEWHERE = Where(team_id="T0OTHER9", channel_id=CHANNEL, user_id="U0ALICE")
VIDEO = "video 10s sora-2 x 1M users per month"


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


def run(text: str, db: Database, client: WebClient, *, where: Where = ALICE) -> Reply:
    command = subcommand_of(text)
    assert command is not None, text
    return run_scenario_command(command, where=where, db=db, client=client)


def shown(reply: Reply) -> str:
    return json.dumps(reply.message, ensure_ascii=False)


def stored(db: Database, name: str, *, where: Where = ALICE) -> ScenarioPublic | None:
    with db.session(write=False) as session:
        return get_scenario(session=session, team_id=where.team_id, channel_id=where.channel_id, name=name)


def saved(db: Database, client: WebClient, name: str = "plan", text: str = VIDEO) -> ScenarioPublic:
    """Save a scenario as Alice; the scenario as stored after its card was posted."""
    quoted = f'"{name}"' if " " in name else name
    reply = run(f"save {quoted} {text}", db, client)
    assert "Saved" in reply.message["text"], shown(reply)
    scenario = stored(db, name)
    assert scenario is not None
    return scenario


def versions(db: Database, scenario: ScenarioPublic) -> list[int]:
    with db.session(write=False) as session:
        return [v.number for v in list_versions(session=session, team_id=scenario.team_id, scenario_id=scenario.id)]


# --- save ----------------------------------------------------------------------------------------------------


def test_save_posts_the_card_in_the_channel_and_answers_privately_with_its_link(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    reply = run(f"save launch {VIDEO}", db, client)

    (card,) = fake_slack.api_calls("chat.postMessage")
    assert card.body["channel"] == CHANNEL and card.body["text"].startswith("Scenario launch: 1,000,000 × 10 s video")
    scenario = stored(db, "launch")
    assert scenario is not None and scenario.card_ts is not None
    assert scenario.card_permalink == f"https://fake.slack.com/archives/{CHANNEL}/p{scenario.card_ts.replace('.', '')}"
    assert scenario.channel_private is False
    assert reply.private and reply.estimate is not None and reply.estimate.text == VIDEO
    assert f":white_check_mark: Saved *launch* (v1). <{scenario.card_permalink}|Its card is in the channel>" in shown(
        reply
    )


def test_a_scenario_saved_in_a_private_channel_is_stored_as_private(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.private_channels.add(CHANNEL)
    assert saved(db, client).channel_private is True


def test_a_channel_slack_cannot_describe_is_taken_as_private(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("conversations.info", error="missing_scope")
    assert saved(db, client).channel_private is True


def test_a_card_refused_by_slack_leaves_the_scenario_saved_and_says_how_to_invite_the_bot(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", error="not_in_channel")
    reply = run(f"save launch {VIDEO}", db, client)

    scenario = stored(db, "launch")
    assert scenario is not None and scenario.card_ts is None
    assert reply.private
    assert "Saved *launch* (v1), but I couldn't post its card here (Slack said not_in_channel)" in shown(reply)
    assert "`/invite @costbot`" in shown(reply) and "`/cost show launch`" in shown(reply)


@pytest.mark.parametrize("quoted", ['"launch plan"', "“launch plan”"])
def test_a_quoted_name_may_have_spaces(db: Database, client: WebClient, quoted: str) -> None:
    run(f"save {quoted} video 10s x 1M users", db, client)
    scenario = stored(db, "launch plan")
    assert scenario is not None and scenario.text == "video 10s x 1M users"


def test_a_forgotten_name_is_asked_for_with_an_example_and_nothing_is_saved(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    reply = run("save video 10s x 1M users", db, client)
    assert reply.private
    assert "Give the scenario a name before the estimate: /cost save launch-video video 10s x 1M users" in shown(reply)
    assert stored(db, "video") is None
    assert fake_slack.api_calls("chat.postMessage") == []


def test_save_without_a_text_saves_the_users_last_estimate_in_the_channel(db: Database, client: WebClient) -> None:
    with db.session() as session:
        remember_estimate(session=session, team_id=TEAM, channel_id=CHANNEL, user_id="U0ALICE", text="image x 3")
    run("save pics", db, client)
    scenario = stored(db, "pics")
    assert scenario is not None and scenario.text == "image x 3"


def test_save_without_a_text_or_a_last_estimate_says_what_to_add(db: Database, client: WebClient) -> None:
    reply = run("save pics", db, client)
    assert reply.private
    assert "You haven't costed anything in this channel yet, so there's nothing to save as 'pics'" in shown(reply)
    assert "/cost save pics video 10s x 1M users" in shown(reply)


def test_save_without_a_name_shows_how_to_save(db: Database, client: WebClient) -> None:
    reply = run("save", db, client)
    assert reply.private and "Give the scenario a name" in shown(reply)
    assert "/cost save launch-video video 10s x 1M users" in shown(reply)


def test_a_name_taken_in_any_case_is_refused_and_the_scenario_kept(db: Database, client: WebClient) -> None:
    saved(db, client, "plan")
    reply = run("save PLAN image x 3", db, client, where=BOB)
    assert reply.private and "This channel already has a scenario called 'plan'" in shown(reply)
    scenario = stored(db, "plan")
    assert scenario is not None and scenario.text == VIDEO


def test_a_malformed_name_is_refused_with_the_rules(db: Database, client: WebClient) -> None:
    reply = run("save -plan video 10s", db, client)
    assert reply.private and "'-plan' can't be a scenario name. A name starts with a letter or digit" in shown(reply)
    assert stored(db, "-plan") is None


def test_a_text_that_does_not_cost_is_explained_and_nothing_is_saved(db: Database, client: WebClient) -> None:
    reply = run("save plan video 10s x banana", db, client)
    assert reply.private and ":thinking_face:" in shown(reply)
    assert stored(db, "plan") is None


# --- list, show, compare -------------------------------------------------------------------------------------


def test_list_shows_the_channels_scenarios(db: Database, client: WebClient) -> None:
    assert "No saved scenarios in <#C0GENERAL> yet" in shown(run("list", db, client))
    saved(db, client, "sora")
    saved(db, client, "veo", "video 20s veo-3.1-fast x 1M users per month")
    listing = run("list", db, client)
    assert listing.private and "*2 saved scenarios* in <#C0GENERAL>" in shown(listing)
    assert "|sora> · v1" in shown(listing) and "|veo> · v1" in shown(listing)


def test_a_long_list_reads_one_page_and_counts_the_rest(db: Database, client: WebClient) -> None:
    for n in range(LIST_LIMIT + 5):
        save_in_db(db, f"plan {n:02d}", channel_id="C0GENERAL")
    listing = shown(run("list", db, client))
    assert f"*{LIST_LIMIT + 5} saved scenarios*" in listing and "…and 5 more" in listing
    assert "plan 00" in listing and f"plan {LIST_LIMIT - 1:02d}" in listing and f"plan {LIST_LIMIT:02d}" not in listing


def test_show_gives_the_figures_and_the_versions(db: Database, client: WebClient) -> None:
    scenario = saved(db, client)
    reply = run("show plan", db, client)
    assert reply.private and reply.estimate == scenario.estimate
    assert "*Versions*\\nv1 ·" in shown(reply) and "*$1,000,000* per month" in shown(reply)


def test_show_of_an_unknown_name_suggests_a_close_one(db: Database, client: WebClient) -> None:
    saved(db, client, "launch")
    reply = run("show lanch", db, client)
    assert reply.private
    assert "There's no scenario called 'lanch' in this channel. Did you mean 'launch'?" in shown(reply)


def test_show_without_a_name_asks_which(db: Database, client: WebClient) -> None:
    assert "Which scenario? /cost show NAME" in shown(run("show", db, client))


def test_compare_shows_the_difference_between_two_scenarios(db: Database, client: WebClient) -> None:
    saved(db, client, "sora")
    saved(db, client, "big sora", "video 10s sora-2 x 2M users per month")
    reply = run('compare sora "big sora"', db, client)
    assert reply.private and reply.message["text"] == "sora compared with big sora"
    assert "$1,000,000 → $2,000,000 (+$1,000,000, +100%)" in shown(reply)


def test_compare_of_an_unknown_name_suggests_a_close_one(db: Database, client: WebClient) -> None:
    saved(db, client, "sora")
    saved(db, client, "veo")
    assert "no scenario called 'vee' in this channel. Did you mean 'veo'?" in shown(run("compare sora vee", db, client))


@pytest.mark.parametrize("args", ["sora", "a b c"])
def test_compare_needs_exactly_two_names(db: Database, client: WebClient, args: str) -> None:
    assert "Compare two scenarios of this channel: /cost compare A B" in shown(run(f"compare {args}", db, client))


# --- delete, value, budget: who may ------------------------------------------------------------------------


def _buttons(reply: Reply) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in reply.message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def delete(text: str, db: Database, client: WebClient, *, where: Where = ALICE) -> Reply:
    """`/cost delete NAME`, then its Delete button pressed (and confirmed)."""
    asked = run(text, db, client, where=where)
    button = _buttons(asked).get("delete_scenario")
    if button is None:  # refused: no button to press
        return asked
    return delete_confirmed(int(button["value"]), where=where, db=db, client=client)


def test_delete_asks_first_and_deletes_nothing_until_confirmed(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    scenario = saved(db, client)
    asked = run("delete plan", db, client)
    assert asked.private and "Delete *plan*?" in shown(asked) and "undo it for an hour" in shown(asked)
    delete_button = _buttons(asked)["delete_scenario"]
    assert delete_button["style"] == "danger" and delete_button["value"] == str(scenario.id)
    assert delete_button["confirm"]["confirm"]["text"] == "Delete"  # Slack's own confirmation dialog
    assert _buttons(asked)["keep_scenario"]["value"] == str(scenario.id)
    assert stored(db, "plan") == scenario and fake_slack.api_calls("chat.update") == []


def test_the_author_may_delete_and_the_card_says_so(db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    scenario = saved(db, client)
    reply = delete("delete plan", db, client)
    assert reply.private and "Deleted *plan* with its only version and the replies" in shown(reply)
    assert "undo_delete" in _buttons(reply) and "Undo works until <!date^" in shown(reply)
    assert stored(db, "plan") is None
    (update,) = fake_slack.api_calls("chat.update")
    assert update.body["ts"] == scenario.card_ts and "was deleted by <@U0ALICE>" in json.dumps(update.body)


def test_undo_brings_the_scenario_and_its_card_back(db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    scenario = saved(db, client)
    run("value plan $2 each", db, client)  # v2
    deleted = delete("delete plan", db, client)
    undo = json.loads(_buttons(deleted)["undo_delete"]["value"])
    reply = undo_delete(undo["deleted"], undo["scenario"], where=ALICE, db=db, client=client)
    assert reply.private and not reply.problem and "Restored" in shown(reply) and "v2" in shown(reply)
    back = stored(db, "plan")
    assert back is not None and (back.id, back.version, back.card_ts) == (scenario.id, 2, scenario.card_ts)
    assert versions(db, back) == [1, 2]
    last_update = fake_slack.api_calls("chat.update")[-1].body
    assert last_update["ts"] == scenario.card_ts and "was deleted" not in json.dumps(last_update)
    again = undo_delete(undo["deleted"], undo["scenario"], where=ALICE, db=db, client=client)
    assert "Restored" in shown(again)  # pressed twice (or carried out again): the same answer, nothing twice


def test_undo_is_the_deleters_and_refuses_over_a_scenario_saved_since(db: Database, client: WebClient) -> None:
    saved(db, client)
    undo = json.loads(_buttons(delete("delete plan", db, client))["undo_delete"]["value"])
    theirs = undo_delete(undo["deleted"], undo["scenario"], where=BOB, db=db, client=client)
    assert theirs.problem and "Only whoever deleted 'plan' can undo it; nothing was restored." in shown(theirs)
    saved(db, client, text="image x 3")  # a new "plan"
    taken = undo_delete(undo["deleted"], undo["scenario"], where=ALICE, db=db, client=client)
    assert taken.problem and "A new 'plan' was saved in this channel since" in shown(taken)
    assert stored(db, "plan").text == "image x 3"  # type: ignore[union-attr]


def test_an_undo_button_names_its_own_delete_only(db: Database, client: WebClient) -> None:
    first, second = saved(db, client, "first"), saved(db, client, "second")
    undo = json.loads(_buttons(delete("delete first", db, client))["undo_delete"]["value"])
    stale = undo_delete(undo["deleted"], second.id, where=ALICE, db=db, client=client)  # a forged pairing
    assert stale.problem and stored(db, "first") is None and stored(db, "second") == second
    assert first.id == undo["scenario"]


def test_an_undo_carried_out_again_after_the_restore_still_brings_the_card_back(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    from storage import restore_scenario

    scenario = saved(db, client)
    undo = json.loads(_buttons(delete("delete plan", db, client))["undo_delete"]["value"])
    with db.session() as session:  # the first run restored the rows, then died before the card
        restore_scenario(session=session, team_id=TEAM, deleted_id=undo["deleted"])
    updates = len(fake_slack.api_calls("chat.update"))
    again = undo_delete(undo["deleted"], undo["scenario"], where=ALICE, db=db, client=client)
    assert "Restored" in shown(again)
    (card,) = fake_slack.api_calls("chat.update")[updates:]
    assert card.body["ts"] == scenario.card_ts and "was deleted" not in json.dumps(card.body)


def test_a_delete_carried_out_again_after_its_undo_deletes_nothing(db: Database, client: WebClient) -> None:
    scenario = saved(db, client)
    clicked = Where(team_id=TEAM, channel_id=CHANNEL, user_id="U0ALICE", request="work:delete-1")
    deleted = delete_confirmed(scenario.id, where=clicked, db=db, client=client)
    undo = json.loads(_buttons(deleted)["undo_delete"]["value"])
    undo_delete(undo["deleted"], undo["scenario"], where=ALICE, db=db, client=client)
    again = Where(team_id=TEAM, channel_id=CHANNEL, user_id="U0ALICE", request="work:delete-1", retried=True)
    delete_confirmed(scenario.id, where=again, db=db, client=client)  # the worker died before marking it done
    assert stored(db, "plan") is not None  # the undo stands


def test_a_delete_button_of_another_channel_or_a_deleted_scenario_deletes_nothing(
    db: Database, client: WebClient
) -> None:
    scenario = saved(db, client)
    elsewhere = Where(team_id=TEAM, channel_id="C0ELSEWHERE", user_id="U0ALICE")
    assert delete_confirmed(scenario.id, where=elsewhere, db=db, client=client).problem
    assert stored(db, "plan") is not None
    delete("delete plan", db, client)
    gone = delete_confirmed(scenario.id, where=BOB, db=db, client=client)
    assert gone.problem and "That scenario was deleted a moment ago by someone else." in shown(gone)


@pytest.mark.parametrize("command", ["delete plan", "value plan $2 each", "budget plan $5k/month"])
def test_another_user_is_refused_politely_with_the_authors_name_and_nothing_changes(
    db: Database, client: WebClient, fake_slack: FakeSlack, command: str
) -> None:
    saved(db, client)
    reply = run(command, db, client, where=BOB)
    assert reply.private
    assert "Only <@U0ALICE>, who saved *plan*, or a workspace admin may" in shown(reply)
    assert "save your own version" in shown(reply)
    scenario = stored(db, "plan")
    assert scenario is not None and scenario.version == 1
    assert fake_slack.api_calls("chat.update") == []


def test_a_workspace_admin_may_delete_anyones_scenario(db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    saved(db, client)
    fake_slack.admins.add("U0BOB")
    assert "Deleted *plan*" in shown(delete("delete plan", db, client, where=BOB))
    assert stored(db, "plan") is None


def test_when_slack_cannot_say_who_the_user_is_nothing_changes(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    saved(db, client)
    fake_slack.fail_next("users.info", error="ratelimited")
    reply = run("delete plan", db, client, where=BOB)
    assert reply.private
    assert "I couldn't check with Slack whether you may delete 'plan'; try again shortly." in shown(reply)
    assert stored(db, "plan") is not None


def test_deleting_an_unknown_scenario_suggests_a_close_one(db: Database, client: WebClient) -> None:
    saved(db, client)
    assert "no scenario called 'plna' in this channel. Did you mean 'plan'?" in shown(run("delete plna", db, client))


def test_delete_without_a_name_asks_which(db: Database, client: WebClient) -> None:
    reply = run("delete", db, client)
    assert reply.private and "Which scenario? /cost delete NAME" in shown(reply)


@pytest.mark.parametrize("command", ["value", "budget"])
def test_value_or_budget_without_a_name_shows_its_own_command(db: Database, client: WebClient, command: str) -> None:
    assert f"Which scenario? /cost {command} NAME" in shown(run(command, db, client))


def test_a_value_is_a_new_version_and_the_card_follows(db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    scenario = saved(db, client)
    reply = run("value plan $2 each", db, client)

    changed = stored(db, "plan")
    assert changed is not None and changed.version == 2 and changed.text == f"{VIDEO} value $2 each"
    assert reply.private and ":white_check_mark: Value set to `value $2 each`: *plan* is now v2." in shown(reply)
    assert "pays back: value 2.00× API spend" in shown(reply)
    (update,) = fake_slack.api_calls("chat.update")
    card = json.dumps(update.body["blocks"], ensure_ascii=False)
    assert update.body["ts"] == scenario.card_ts and "Saved by <@U0ALICE> · v2 ·" in card
    assert card.count("<@") == 1  # the author changed it: one mention


@pytest.mark.parametrize("words", ["save 10 min @ $70/h", "saves 10 min @ $70/h", "worth $2 each"])
def test_a_value_given_with_any_of_the_languages_value_words_is_kept_as_typed(
    db: Database, client: WebClient, words: str
) -> None:
    """`save` starts a value clause in the /cost language; it was missing from this command's own list, which
    put `value` in front of it and made a text that doesn't parse."""
    saved(db, client)
    run(f"value plan {words}", db, client)
    changed = stored(db, "plan")
    assert changed is not None and changed.text == f"{VIDEO} {words}" and changed.estimate.value is not None


def test_value_off_removes_the_value(db: Database, client: WebClient) -> None:
    saved(db, client, text=f"{VIDEO} value $2 each")
    run("value plan off", db, client)
    scenario = stored(db, "plan")
    assert scenario is not None and scenario.text == VIDEO and scenario.estimate.value is None


def test_value_without_an_amount_asks_what_it_is_worth(db: Database, client: WebClient) -> None:
    saved(db, client)
    assert "What is it worth? /cost value plan $20/user/month" in shown(run("value plan", db, client))


def test_a_budget_is_read_per_month_and_kept_as_a_new_version(db: Database, client: WebClient) -> None:
    saved(db, client)
    reply = run("budget plan $200 per week", db, client)
    scenario = stored(db, "plan")
    assert scenario is not None and scenario.version == 2 and scenario.budget_usd_month == Decimal("869.05")
    assert "Budget set to $200.00 per week = $869.05 per month: *plan* is now v2." in shown(reply)
    assert ":rotating_light: *over budget*" in shown(reply)


def test_budget_off_clears_the_budget(db: Database, client: WebClient) -> None:
    saved(db, client)
    run("budget plan $5k/month", db, client)
    run("budget plan off", db, client)
    scenario = stored(db, "plan")
    assert scenario is not None and scenario.version == 3 and scenario.budget_usd_month is None


@pytest.mark.parametrize("amount", ["lots", "$5k per fortnight"])
def test_a_budget_that_does_not_read_is_explained_with_an_example_and_nothing_changes(
    db: Database, client: WebClient, amount: str
) -> None:
    saved(db, client)
    reply = run(f"budget plan {amount}", db, client)
    assert reply.private and "as a budget" in shown(reply) and "Try: `/cost budget NAME $5,000/month`" in shown(reply)
    scenario = stored(db, "plan")
    assert scenario is not None and scenario.version == 1


def test_a_sub_cent_budget_is_refused_and_the_channels_list_still_works(db: Database, client: WebClient) -> None:
    saved(db, client)
    assert "less than a cent" in shown(run("budget plan $0.0000000000000000000001/month", db, client))
    assert "*1 saved scenario*" in shown(run("list", db, client))


def test_a_budget_without_an_amount_asks_how_much(db: Database, client: WebClient) -> None:
    saved(db, client)
    assert "How much a month? /cost budget plan $5,000/month" in shown(run("budget plan", db, client))


def test_the_same_budget_again_is_not_a_new_version(db: Database, client: WebClient) -> None:
    saved(db, client)
    run("budget plan $5k/month", db, client)
    assert "nothing changed" in shown(run("budget plan $5,000 monthly", db, client))
    scenario = stored(db, "plan")
    assert scenario is not None and scenario.version == 2


@pytest.mark.parametrize(
    "command", ["show secret", "delete secret", "value secret $1 each", "budget secret $1/month",
                "compare secret secret"],
)  # fmt: skip
def test_a_scenario_of_another_workspace_is_invisible(
    db: Database, client: WebClient, fake_slack: FakeSlack, command: str
) -> None:
    saved(db, client, "secret")
    reply = run(command, db, client, where=ELSEWHERE)
    assert "There's no scenario called 'secret' in this channel." in shown(reply)
    assert "Did you mean" not in shown(reply)
    assert "No saved scenarios" in shown(run("list", db, client, where=ELSEWHERE))
    scenario = stored(db, "secret")
    assert scenario is not None and scenario.version == 1
    assert fake_slack.api_calls("chat.update") == []


def test_the_same_name_may_be_saved_in_another_workspace(db: Database, client: WebClient) -> None:
    saved(db, client, "shared")
    assert "Saved *shared*" in shown(run("save shared image x 3", db, client, where=ELSEWHERE))
    there = stored(db, "shared", where=ELSEWHERE)
    assert there is not None and there.text == "image x 3"


# --- what-ifs ------------------------------------------------------------------------------------------------


def test_conversation_in_a_thread_is_not_a_what_if(db: Database, client: WebClient) -> None:
    assert what_if(saved(db, client), "looks pricey to me", asked_by="U0BOB") is None


def test_a_what_if_is_answered_publicly_with_the_difference(db: Database, client: WebClient) -> None:
    answer = what_if(saved(db, client), "what if 2M users", asked_by="U0BOB")
    assert answer is not None and not answer.private
    assert answer.estimate is not None and answer.estimate.text == "video 10s sora-2 x 2M users per month"
    assert ":crystal_ball: *What if* · *plan* v1 → *2,000,000 ×" in shown(answer) and "<@U0BOB>" not in shown(
        answer
    )  # answers Bob's own message
    assert "$1,000,000 → $2,000,000 (+$1,000,000, +100%)" in shown(answer) and "Save as v2" in shown(answer)


def test_a_what_if_that_changes_no_figure_answers_the_asker_alone_without_save(db: Database, client: WebClient) -> None:
    answer = what_if(saved(db, client), "what if 720p", asked_by="U0BOB")  # 720p is what it costs already
    assert answer is not None and answer.private and not answer.problem
    assert "gives the same figures as *plan* v1" in shown(answer)
    assert _buttons(answer) == {}  # nothing to save


def test_what_if_per_week_asks_whether_the_volume_stays_or_the_count_is_per_week(
    db: Database, client: WebClient
) -> None:
    scenario = saved(db, client, text="video 10s sora-2 x 2M per month")
    asked = what_if(scenario, "what if per week", asked_by="U0BOB")
    assert asked is not None and asked.private and asked.estimate is None  # a question, for the asker
    text = shown(asked)
    assert "*per week* can mean two things for *plan* (x 2M per month)" in text
    assert "`video 10s sora-2 x 460,274 per week`" in text  # the same volume, in whole videos
    assert "Reply `what if x 460,274 per week`" in text and "Reply `what if x 2M per week`" in text
    assert "+334.5%" in text  # 2M a week instead of a month, said with its cost
    # Either reply is then an ordinary what-if, with its figures for the thread.
    for reply in ("what if x 460,274 per week", "what if x 2M per week"):
        answer = what_if(scenario, reply, asked_by="U0BOB")
        assert answer is not None and not answer.private and "save_scenario_version" in _buttons(answer)


def test_an_asked_what_if_that_cannot_be_read_is_explained_privately(db: Database, client: WebClient) -> None:
    answer = what_if(saved(db, client), "what if banana", asked_by="U0BOB")
    assert answer is not None and answer.private and answer.estimate is None
    assert "I read that as a what-if, but couldn't apply it" in shown(answer)
    assert "Try: `what if 2M users`" in shown(answer)  # a reply to type in the thread, not a command


def test_saving_a_what_if_makes_the_next_version_and_updates_the_card(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    scenario = saved(db, client)
    reply = save_what_if(scenario.id, "video 10s sora-2 x 2M users per month", where=BOB, db=db, client=client)

    changed = stored(db, "plan")
    assert changed is not None and changed.version == 2 and changed.text == "video 10s sora-2 x 2M users per month"
    assert changed.author_id == "U0ALICE"
    assert versions(db, changed) == [1, 2]
    assert not reply.private and "<@U0BOB> saved this as *plan* v2" in shown(reply)
    (update,) = fake_slack.api_calls("chat.update")
    assert update.body["ts"] == scenario.card_ts
    card = json.dumps(update.body, ensure_ascii=False)
    assert "Saved by <@U0ALICE> · v2 by <@U0BOB>" in card and "*plan* · v2 — *2,000,000 × 10 s video" in card


def test_saving_the_same_what_if_twice_is_refused(db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    scenario = saved(db, client)
    text = "video 10s sora-2 x 2M users per month"
    save_what_if(scenario.id, text, where=BOB, db=db, client=client)
    again = save_what_if(scenario.id, text, where=BOB, db=db, client=client)
    assert again.private and "plan says that already (v2); nothing to save." in shown(again)
    assert versions(db, scenario) == [1, 2]
    assert len(fake_slack.api_calls("chat.update")) == 1


def test_saving_a_what_if_of_a_deleted_scenario_says_so(db: Database, client: WebClient) -> None:
    scenario = saved(db, client)
    delete("delete plan", db, client)
    reply = save_what_if(scenario.id, "video 10s sora-2 x 2M users per month", where=BOB, db=db, client=client)
    assert reply.private and "That scenario was deleted" in shown(reply)


def test_a_what_if_cannot_be_saved_into_another_workspaces_scenario(db: Database, client: WebClient) -> None:
    scenario = saved(db, client)
    reply = save_what_if(scenario.id, "image x 3", where=ELSEWHERE, db=db, client=client)
    assert reply.private and "That scenario was deleted" in shown(reply)
    unchanged = stored(db, "plan")
    assert unchanged is not None and unchanged.version == 1


def test_a_what_if_asked_before_another_was_saved_does_not_undo_it(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    scenario = saved(db, client)
    more_users = what_if(scenario, "what if 2M users", asked_by="U0BOB")
    other_model = what_if(scenario, "with veo-3.1-fast", asked_by="U0CAROL")
    assert more_users is not None and other_model is not None
    assert more_users.estimate is not None
    save_what_if(scenario.id, more_users.estimate.text, where=BOB, db=db, client=client)

    button = next(e for b in other_model.message["blocks"] if b["type"] == "actions" for e in b["elements"])
    body = {
        "team": {"id": TEAM}, "user": {"id": "U0CAROL"}, "channel": {"id": CHANNEL},
        "message": {"ts": "1700000099.000100", "thread_ts": scenario.card_ts, "blocks": other_model.message["blocks"]},
        "actions": [button],
    }  # fmt: skip
    save_scenario_version(body=body, client=client, db=db, logger=logging.getLogger("tests"))

    now = stored(db, "plan")
    assert now is not None and "2M users" in now.text
