from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.blocks.estimate import DETAILS_ACTION
from bot.blocks.scenarios import (
    CARD_DETAILS_ACTION,
    LIST_LIMIT,
    POST_CARD_ACTION,
    SAVE_VERSION_ACTION,
    budget_status,
    comparison_message,
    deleted_card,
    saved_message,
    scenario_card,
    scenario_detail,
    scenario_details_modal,
    scenario_list,
    what_if_message,
)
from bot.replies import estimate_text
from costing import compare_estimates, estimate
from storage import ScenarioPublic, ThreadReplyPublic, VersionPublic
from tests.bot.blocks.factories import AT, MONTHLY, PERMALINK, WHEN, scenario_public

VEO = "video 20s veo-3.1-fast x 1M users per month"  # $2,000,000 a month
ONE_OFF = "video 10s sora-2 x 1M users"


def scenario(
    text: str = MONTHLY, *, card_ts: str | None = "1700000001.000100", **parts: Any
) -> ScenarioPublic:  # a posted card unless said otherwise, whatever the permalink
    return scenario_public(text, card_ts=card_ts, **parts)


def version(number: int, text: str = MONTHLY, *, change: str = "saved", budget: Decimal | None = None) -> VersionPublic:
    return VersionPublic(
        number=number, author_id="U0BOB" if number > 1 else "U0ALICE", text=text, change=change, note=None,
        estimate=estimate_text(text), budget_usd_month=budget, created_at=WHEN + timedelta(days=number),
    )  # fmt: skip


def reply(text: str, *, user: str = "U0BOB", ts: str = "1700000002.000100") -> ThreadReplyPublic:
    return ThreadReplyPublic(user_id=user, ts=ts, text=text, is_change=False, created_at=WHEN)


def texts(message: dict[str, Any]) -> list[str]:
    """Every mrkdwn and plain text of the message's blocks."""
    found = []
    for block in message["blocks"]:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [f["text"] for f in block.get("fields", [])]
        found += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
        found += [e["text"]["text"] for e in block.get("elements", []) if e.get("type") == "button"]
    return found


def shown(message: dict[str, Any]) -> str:
    return "\n".join(texts(message))


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def assert_within_slack_limits(message: dict[str, Any]) -> None:
    assert len(message["blocks"]) <= 50
    assert all(len(t) <= 3000 for t in texts(message))


# --- the card ------------------------------------------------------------------------------------------------


def basis(message: dict[str, Any]) -> str:
    """The card's context line: its basis, who saved it, its /cost text and what its thread is for."""
    (line,) = [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]]
    return line


def test_the_card_opens_with_its_name_version_and_headline() -> None:
    card = scenario_card(scenario(version=3))
    first = card["blocks"][0]["text"]["text"]
    assert first.startswith(":pushpin: *launch* · v3 — *1,000,000 × 10 s video, 720p on Sora 2 per month*: ")
    assert "*$1,000,000* API" in first[:120]
    assert "Saved by <@U0ALICE> · `/cost" in basis(card)
    assert card["text"].startswith("Scenario launch: 1,000,000 × 10 s video")
    assert len(card["blocks"]) <= 5


def test_the_card_names_who_changed_it_after_the_first_version() -> None:
    assert "v2 by <@U0BOB>" in basis(scenario_card(scenario(version=2), changed_by="U0BOB"))
    assert "by <@U0BOB>" not in basis(scenario_card(scenario(version=1), changed_by="U0BOB"))


def test_the_card_mentions_its_author_once_when_they_changed_it_themselves() -> None:
    card = scenario_card(scenario(version=2), changed_by="U0ALICE")
    assert "Saved by <@U0ALICE> · v2 · `/cost" in basis(card) and json.dumps(card).count("<@") == 1


def test_the_card_shows_the_figures_without_the_assumptions() -> None:
    card = shown(scenario_card(scenario()))
    assert "*$1,000,000* API" in card and "*Per video*\n$1.00 API" in card
    assert "*Assumptions*" not in card


def test_the_card_shows_its_budget_status() -> None:
    assert "*Budget*\n:white_check_mark: within its $2,000,000/month budget (50%)" in texts(
        scenario_card(scenario(budget=Decimal(2_000_000)))
    )


def test_the_card_teaches_what_its_thread_is_for() -> None:
    hint = basis(scenario_card(scenario()))
    assert f"`/cost {MONTHLY}`" in hint
    assert "Reply in this thread" in hint and "`what if 2M users`" in hint


def test_the_cards_details_button_names_the_scenario() -> None:
    (button,) = buttons(scenario_card(scenario(scenario_id=42)))
    assert button["action_id"] == CARD_DETAILS_ACTION and button["value"] == "42"


def test_the_cards_details_show_every_figure_and_the_budget() -> None:
    view = scenario_details_modal(scenario(budget=Decimal(2_000_000), version=2))
    said = "\n".join(t for b in view["blocks"] for t in texts({"blocks": [b]}))
    assert view["title"]["text"] == "launch v2" and "as saved on <!date^" in said
    assert "*Assumptions*" in said and "within its $2,000,000/month budget" in said and "*Per year*" in said


def test_the_card_escapes_the_name() -> None:
    card = scenario_card(scenario(name="<!channel> & co"))
    assert "<!channel>" not in json.dumps(card)
    assert "*&lt;!channel&gt; &amp; co*" in card["blocks"][0]["text"]["text"]


def test_the_card_of_the_longest_scenario_stays_within_slack_limits() -> None:
    long_text = "video 10s sora-2 x 1M users per month value $2 each at $0.2/s"
    assert_within_slack_limits(scenario_card(scenario(long_text, name="n" * 60, budget=Decimal(1))))


def test_a_deleted_card_says_who_deleted_it_and_when_and_drops_the_figures() -> None:
    card = deleted_card("launch", deleted_by="U0ADMIN", when=WHEN)
    assert card["text"] == "Scenario launch was deleted"
    assert card["blocks"][0]["text"]["text"] == (
        f":wastebasket: Scenario *launch* was deleted by <@U0ADMIN> on "
        f"<!date^{int(WHEN.timestamp())}^{{date_short_pretty}}|2026-03-02>."
    )
    assert len(card["blocks"]) == 1


# --- the list ------------------------------------------------------------------------------------------------


def test_an_empty_channel_teaches_cost_save() -> None:
    listing = scenario_list([], channel_id="C0GENERAL")
    assert "No saved scenarios in <#C0GENERAL> yet" in shown(listing)
    assert "`/cost save NAME video 10s x 1M users`" in shown(listing)


def test_the_list_links_each_scenario_to_its_thread_with_its_figures() -> None:
    listing = scenario_list([scenario(), scenario(ONE_OFF, name="burst", permalink=None)], channel_id="C0GENERAL")
    assert listing["blocks"][0]["text"]["text"] == "*2 saved scenarios* in <#C0GENERAL>"
    first, second = listing["blocks"][1]["text"]["text"], listing["blocks"][2]["text"]["text"]
    assert first.startswith(f"<{PERMALINK}|launch> · v1 · *$1,000,000*/month API")
    assert first.endswith(f"`/cost {MONTHLY}`")
    assert second.startswith("*burst* · v1 · *$1,000,000* one-off API")


def test_more_than_forty_scenarios_are_cut_with_how_many_more() -> None:
    many = [scenario(name=f"s{i:02}", scenario_id=i) for i in range(LIST_LIMIT + 5)]
    listing = scenario_list(many, channel_id="C0GENERAL")
    assert f"*{LIST_LIMIT + 5} saved scenarios*" in listing["blocks"][0]["text"]["text"]
    assert len(listing["blocks"]) == 1 + LIST_LIMIT + 1
    assert listing["blocks"][-1]["elements"][0]["text"].startswith("…and 5 more")
    assert_within_slack_limits(listing)


def test_an_over_budget_scenario_is_flagged_in_the_list() -> None:
    listing = scenario_list(
        [scenario(budget=Decimal(500_000)), scenario(name="fine", budget=Decimal(5_000_000))], channel_id="C0GENERAL"
    )
    over, fine = listing["blocks"][1]["text"]["text"], listing["blocks"][2]["text"]["text"]
    assert ":rotating_light: over budget" in over
    assert "over budget" not in fine


def test_a_zero_budget_with_spend_is_flagged_in_the_list() -> None:
    listing = scenario_list([scenario(budget=Decimal(0))], channel_id="C0GENERAL")
    assert ":rotating_light: over budget" in listing["blocks"][1]["text"]["text"]


# --- show ----------------------------------------------------------------------------------------------------


def test_show_lists_the_versions_newest_first_with_what_changed() -> None:
    versions = [
        version(1),
        version(2, VEO, change="what-if"),
        version(3, VEO, change="value"),
        version(4, VEO, change="budget", budget=Decimal(5000)),
    ]
    detail = scenario_detail(scenario(VEO, version=4), versions=versions, replies=[])
    history = next(t for t in texts(detail) if t.startswith("*Versions*")).splitlines()[1:]
    assert [line.split(" · ")[0] for line in history] == ["v4", "v3", "v2", "v1"]
    assert "budget changed" in history[0] and history[0].endswith("budget $5,000/month")
    assert "value changed" in history[1]
    assert "<@U0BOB> · what-if from the thread · $2,000,000/month" in history[2]
    assert "saved" in history[3] and f"`{MONTHLY}`" in history[3]


def test_show_keeps_the_last_ten_versions_and_counts_the_earlier_ones() -> None:
    versions = [version(n) for n in range(1, 14)]
    detail = scenario_detail(scenario(version=13), versions=versions, replies=[])
    history = next(t for t in texts(detail) if t.startswith("*Versions*"))
    assert history.splitlines()[1].startswith("v13 ·") and "\nv4 ·" in history and "\nv3 ·" not in history
    assert history.endswith("…and 3 earlier")


def test_show_quotes_the_latest_replies_escaped() -> None:
    replies = [reply("<!channel> look at this <@U0EVE>", user="U0CAROL"), reply("lgtm   👍\nship it")]
    detail = scenario_detail(scenario(), versions=[version(1)], replies=replies)
    said = next(t for t in texts(detail) if t.startswith("*Latest in the thread*"))
    assert said.splitlines()[1:] == [
        "<@U0CAROL>: &lt;!channel&gt; look at this &lt;@U0EVE&gt;",
        "<@U0BOB>: lgtm 👍 ship it",
    ]
    assert "<!channel>" not in json.dumps(detail)


def test_show_cuts_a_long_reply_to_one_short_line() -> None:
    detail = scenario_detail(scenario(), versions=[version(1)], replies=[reply("word " * 100)])
    said = next(t for t in texts(detail) if t.startswith("*Latest in the thread*")).splitlines()[1]
    assert len(said) == len("<@U0BOB>: ") + 200 and said.endswith("…")


def test_show_quotes_a_reply_as_slack_delivered_it_without_escaping_it_twice() -> None:
    detail = scenario_detail(scenario(), versions=[version(1)], replies=[reply("R&amp;D is &lt;50%")])
    said = next(t for t in texts(detail) if t.startswith("*Latest in the thread*"))
    assert said.endswith("<@U0BOB>: R&amp;D is &lt;50%")


def test_show_of_a_posted_card_links_its_thread_and_has_no_post_button() -> None:
    detail = scenario_detail(scenario(), versions=[version(1)], replies=[])
    assert f"<{PERMALINK}|Open its thread> · `/cost {MONTHLY}`" in texts(detail)
    assert "No replies in its thread yet." in texts(detail)
    assert buttons(detail) == []


def test_show_of_a_scenario_without_a_card_offers_to_post_it() -> None:
    detail = scenario_detail(scenario(card_ts=None, permalink=None, scenario_id=42), versions=[version(1)], replies=[])
    assert any(t.startswith("Its card isn't posted.") for t in texts(detail))
    (button,) = buttons(detail)
    assert button["action_id"] == POST_CARD_ACTION and button["value"] == "42"


def test_show_stays_within_slack_limits_with_long_versions_and_replies() -> None:
    long_text = "video 10s sora-2 x 1M users per month value $2 each at $0.2/s " + "x 1 " * 100
    versions = [version(n, long_text) for n in range(1, 13)]
    replies = [reply("<" * 200, ts=f"1700000002.00010{i}") for i in range(5)]
    detail = scenario_detail(scenario(budget=Decimal(1)), versions=versions, replies=replies)
    assert_within_slack_limits(detail)


def test_show_lists_a_zero_budget_as_a_budget() -> None:
    detail = scenario_detail(
        scenario(version=2, budget=Decimal(0)),
        versions=[version(1), version(2, change="budget", budget=Decimal(0))],
        replies=[],
    )
    latest = next(t for t in texts(detail) if t.startswith("*Versions*")).splitlines()[1]
    assert latest.endswith("budget $0/month")


# --- compare and what-if -------------------------------------------------------------------------------------


def test_compare_shows_both_side_by_side_and_the_difference() -> None:
    a, b = scenario(name="sora"), scenario(VEO, name="veo", permalink=None)
    message = comparison_message(a, b, compare_estimates(a.estimate, b.estimate))
    assert message["text"] == "sora compared with veo"
    assert message["blocks"][0]["text"]["text"] == "*sora* → *veo*, per month"
    left, right = (f["text"] for f in message["blocks"][1]["fields"])
    assert left.startswith("*sora* (v1)\nSora 2") and "API *$1,000,000*/month" in left
    assert right.startswith("*veo* (v1)\nVeo 3.1 Fast") and "API *$2,000,000*/month" in right
    differences = message["blocks"][2]["text"]["text"]
    assert "*API spend per month*: $1,000,000 → $2,000,000 (+$1,000,000, +100%)" in differences
    assert "*model*: Sora 2 → Veo 3.1 Fast" in differences
    assert f"<{PERMALINK}|sora>: `/cost {MONTHLY}`" in message["blocks"][3]["elements"][0]["text"]


def test_compare_of_two_one_offs_compares_in_all() -> None:
    a, b = scenario(ONE_OFF, name="a"), scenario(ONE_OFF.replace("1M", "2M"), name="b")
    message = comparison_message(a, b, compare_estimates(a.estimate, b.estimate))
    assert message["blocks"][0]["text"]["text"] == "*a* → *b*, in all"
    assert "API *$1,000,000* in all" in message["blocks"][1]["fields"][0]["text"]


def test_what_if_shows_the_difference_and_offers_to_save_it_as_the_next_version() -> None:
    saved = scenario(version=3, scenario_id=42)
    new_text = "video 10s sora-2 x 2M users per month"
    new = estimate_text(new_text)
    message = what_if_message(
        saved, text=new_text, estimate=new, comparison=compare_estimates(saved.estimate, new), asked_by="U0BOB"
    )
    first = message["blocks"][0]["text"]["text"]
    assert first.startswith(":crystal_ball: *What if* · *launch* v3 → *2,000,000 × 10 s video")
    assert "*$2,000,000* API" in first[:120]
    assert "$1,000,000 → $2,000,000 (+$1,000,000, +100%)" in message["blocks"][1]["text"]["text"]
    assert len(message["blocks"]) <= 5 and "*Per video*" not in shown(message)  # only what changed
    save, details = buttons(message)
    assert save["action_id"] == SAVE_VERSION_ACTION and save["text"]["text"] == "Save as v4"
    assert json.loads(save["value"]) == {"scenario": 42, "text": new_text, "base": 3}
    assert details["action_id"] == DETAILS_ACTION and json.loads(details["value"])["text"] == new_text
    assert message["text"].startswith("What if: launch → 2,000,000 × 10 s video")


def test_a_what_if_with_the_same_figures_says_so() -> None:
    saved = scenario()
    message = what_if_message(
        saved, text=MONTHLY, estimate=saved.estimate, comparison=compare_estimates(saved.estimate, saved.estimate),
        asked_by="U0BOB",
    )  # fmt: skip
    assert message["blocks"][1]["text"]["text"] == "Same figures as the saved version."


def test_unchanged_figures_are_summed_up_in_one_line_after_the_changes() -> None:
    saved = scenario()
    more = estimate_text(MONTHLY.replace("1M users", "2M users"))
    message = what_if_message(saved, text=more.text, estimate=more, comparison=compare_estimates(saved.estimate, more),
                              asked_by="U0BOB")  # fmt: skip
    lines = message["blocks"][1]["text"]["text"].splitlines()
    assert lines[0].startswith("*API spend per month*: $1,000,000 → $2,000,000")
    assert "(unchanged)" not in "\n".join(lines)
    assert lines[-1] == "_Unchanged: API price per unit, API spend per user per month_"


# --- budget status -------------------------------------------------------------------------------------------


def test_no_budget_has_no_status() -> None:
    assert budget_status(scenario()) is None


def test_spend_within_the_budget_shows_its_share() -> None:
    assert budget_status(scenario(budget=Decimal(1_250_000))) == (
        ":white_check_mark: within its $1,250,000/month budget (80%)"
    )


def test_spend_over_the_budget_is_an_alarm() -> None:
    assert budget_status(scenario(budget=Decimal(500_000))) == (
        ":rotating_light: *over budget*: $1,000,000/month against $500,000/month (200%)"
    )


def test_a_one_off_cost_is_shown_beside_its_monthly_budget_not_against_it() -> None:
    status = budget_status(scenario(ONE_OFF, budget=Decimal(5000)))
    assert status is not None and status.startswith("Budget $5,000/month — this is a one-off cost")


def test_a_zero_budget_with_spend_is_over_by_all_of_it() -> None:
    assert budget_status(scenario(budget=Decimal(0))) == ":rotating_light: over its $0/month budget by $1,000,000"


@pytest.mark.parametrize(
    ("channel", "refusal", "advice", "no_invite"),
    [
        ("C0GENERAL", "not_in_channel", "Invite me with `/invite @costbot`, then `/cost show launch`", False),
        ("C0GENERAL", "is_archived", "The channel is archived, so nothing can be posted in it", True),
        ("D0ALICEBOB", "channel_not_found", "I can't post in a direct message between people", True),
        # the user's own messages with costbot: it is a party, so "between people" would be wrong
        ("D0ALICEBOT", "messages_tab_disabled", "costbot's Messages tab is off in this workspace", True),
        ("D0ALICEBOT", "msg_too_long", "Slack refused it in this conversation; the scenario is saved", True),
        ("C0GENERAL", "restricted_action", "Posting is restricted in this channel", True),
    ],
)
def test_a_refused_card_gets_advice_that_fits_the_channel(
    channel: str, refusal: str, advice: str, no_invite: bool
) -> None:
    refused = scenario(channel_id=channel, card_ts=None, permalink=None)
    shown = saved_message(refused, card="refused", caveat=f"Slack said {refusal}", refusal=refusal)["blocks"][0]
    shown = shown["text"]["text"]
    assert f"couldn't post its card here (Slack said {refusal})" in shown and advice in shown
    assert ("/invite" not in shown) is no_invite


def test_a_budget_share_is_grouped_like_every_other_percentage() -> None:
    over = scenario(budget=Decimal(10))  # $1,000,000 a month against $10
    assert "(10,000,000%)" in budget_status(over)  # type: ignore[operator]


def test_a_long_names_card_details_keep_the_version_in_the_title() -> None:
    view = scenario_details_modal(scenario(name="q3-launch-video-campaign", version=12))
    assert view["title"]["text"] == "q3-launch-video-cam… v12" and len(view["title"]["text"]) <= 24


def test_a_what_if_on_a_retired_model_still_says_so() -> None:
    saved = scenario()  # sora-2, shut down: the saved version warns too
    new = estimate_text(MONTHLY.replace("1M users", "2M users"))
    message = what_if_message(saved, text=new.text, estimate=new, comparison=compare_estimates(saved.estimate, new),
                              asked_by="U0BOB")  # fmt: skip
    assert "shut down on 2026-09-24" in shown(message)


def test_card_snapshot(snapshot: Any) -> None:
    saved = scenario(VEO, version=3, budget=Decimal(1_500_000), at=AT)
    assert scenario_card(saved, changed_by="U0BOB") == snapshot(name="card")
    assert scenario_details_modal(saved) == snapshot(name="details")


def test_what_if_snapshot(snapshot: Any) -> None:
    saved = scenario(VEO, version=3, at=AT)
    new_text = VEO.replace("1M users", "2M users").replace("veo-3.1-fast", "sora-2")
    new = estimate(new_text, at=AT)
    message = what_if_message(
        saved, text=new_text, estimate=new, comparison=compare_estimates(saved.estimate, new), asked_by="U0BOB"
    )
    assert len(message["blocks"]) <= 5
    assert message == snapshot
