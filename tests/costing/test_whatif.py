"""read_change(): thread replies read as changes to a saved estimate, and everything else left as conversation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from costing import EstimateError, Request, WhatIf, current_catalog, estimate, parse_request, read_change
from costing.request import SECTIONS

D = Decimal
MODELS = current_catalog().model_names
SAVED = "video 10s x 1M users x 3 per user per day"


def change(saved: str, reply: str) -> WhatIf:
    result = read_change(saved, reply, model_names=MODELS)
    assert result is not None, reply
    request = parse_request(result.text, model_names=MODELS)
    assert isinstance(request, Request), result.text  # every new text re-parses...
    assert set(result.changed) <= set(SECTIONS) and result.changed
    assert list(result.changed) == [s for s in SECTIONS if s in result.changed]  # ...and says what changed, in order
    return result


def parsed(text: str) -> Request:
    request = parse_request(text, model_names=MODELS)
    assert isinstance(request, Request)
    return request


# --- the examples -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "text", "changed"),
    [
        ("what if 2M users", "video 10s x 2M users x 3 per user per day", ("counts",)),
        ("with veo-3.1-fast", "video 10s veo-3.1-fast x 1M users x 3 per user per day", ("model",)),
        ("x 5 per day", "video 10s x 1M users x 5 per day", ("counts",)),
        ("at $0.2/s", "video 10s x 1M users x 3 per user per day at $0.2/s", ("price",)),
        ("what if per week", "video 10s x 1M users x 3 per user per week", ("period",)),
        ("value $20/user/month", "video 10s x 1M users x 3 per user per day value $20/user/month", ("value",)),
        ("how about sora-2-pro", "video 10s sora-2-pro x 1M users x 3 per user per day", ("model",)),
        ("what if 20s", "video 20s x 1M users x 3 per user per day", ("workload",)),
    ],
)
def test_the_spec_examples_become_the_new_estimate_text(reply: str, text: str, changed: tuple[str, ...]) -> None:
    result = change(SAVED, reply)
    assert (result.text, result.changed) == (text, changed)


@pytest.mark.parametrize(
    ("saved", "reply", "same_volume"),
    [
        # The rate count rescaled (a month is 365/12 days), in whole units, the period said.
        ("video 10s x 2M per month", "what if per week", "video 10s x 460,274 per week"),
        (
            "video 10s x 1M users x 3 per user per day",
            "what if per week",
            "video 10s x 1M users x 21 per user per week",
        ),
        # Only people: a rate per user appears (one each a month is 12 each a year).
        ("video 10s x 1M users per month", "what if per year", "video 10s x 1M users x 12 per user per year"),
        # Whole only within 1%; else three significant digits (10 a week is 1.43 a day, not 1).
        ("video 10s x 10 per year", "how about per day", "video 10s x 0.0274 per day"),
        ("video 10s x 10 per week", "what if per day", "video 10s x 1.43 per day"),
        ("video 10s x 3 per day", "what if per month", "video 10s x 91 per month"),
    ],
)
def test_a_reply_naming_only_another_period_also_offers_the_same_volume(
    saved: str, reply: str, same_volume: str
) -> None:
    result = change(saved, reply)
    assert result.changed == ("period",) and result.same_volume == same_volume
    assert isinstance(parse_request(same_volume, model_names=MODELS), Request)


@pytest.mark.parametrize(
    ("saved", "reply"),
    [
        ("video 10s x 2M per month", "what if x 2M per week"),  # a count given: meant as said
        ("video 10s x 2M", "what if per week"),  # no period before: nothing to keep
        ("video 10s x 2M per month", "what if 20s"),  # not the period
    ],
)
def test_other_changes_offer_no_same_volume(saved: str, reply: str) -> None:
    assert change(saved, reply).same_volume is None


@pytest.mark.parametrize(
    "reply",
    ["looks expensive to me", "ok with me", "lgtm 👍", "thanks!", "nice", "👍", ":+1:", "<@U123>", "", "   ",
     "sounds good, ship it", "that's 1M users?", "how much is that in euros", "the model"],
)  # fmt: skip
def test_conversation_is_not_a_change(reply: str) -> None:
    assert read_change(SAVED, reply, model_names=MODELS) is None


def test_a_count_of_something_new_reads_as_a_remark_unless_it_has_its_x_or_is_asked() -> None:
    for remark in ("2 cents", "3 questions", "my 2 cents"):
        assert read_change(SAVED, remark, model_names=MODELS) is None
    assert change("video 10s x 1M users", "x 20 tickets").text == "video 10s x 1M users x 20 tickets"
    assert change("video 10s x 1M users", "what if 20 tickets").text == "video 10s x 1M users x 20 tickets"
    assert change("chat x 500 tickets", "800 tickets").text == "chat x 800 tickets"  # a noun it already counts


def test_a_hyphenated_word_is_not_taken_for_a_model() -> None:
    assert read_change(SAVED, "follow-up", model_names=MODELS) is None
    with pytest.raises(EstimateError, match="'one-off' isn't a model I know"):
        read_change(SAVED, "what if one-off", model_names=MODELS)


def test_naming_the_same_workload_again_changes_nothing() -> None:
    assert read_change("video 10s 1080p x 1M users", "video", model_names=MODELS) is None


def test_a_clause_said_twice_is_written_once_but_counts_still_multiply() -> None:
    assert change("video 10s x 1M users", "what if 4k, 4k").text == "video 10s 4k x 1M users"
    assert change("video 10s x 1M users", "what if x 3 x 3").text == "video 10s x 1M users x 3 x 3"


@pytest.mark.parametrize("reply", ["help", "save cheaper video 5s", "list", "compare a b", "prices veo"])
def test_a_subcommand_is_not_a_change(reply: str) -> None:
    assert read_change(SAVED, reply, model_names=MODELS) is None


# --- counts -------------------------------------------------------------------------------------------------


def test_a_people_count_replaces_the_people_count() -> None:
    assert change("video 10s x 1M users", "what if 2M users").text == "video 10s x 2M users"
    assert change("video 10s x 1M users", "what if 500k seats").text == "video 10s x 500k seats"


def test_a_count_without_x_still_counts() -> None:
    assert change("video 10s x 1M users", "2M users") == WhatIf("video 10s x 2M users", ("counts",))
    assert change("video 10s x 1M users", "2 million users").text == "video 10s x 2 million users"


def test_a_bare_count_and_a_period_are_added_when_the_saved_text_has_neither() -> None:
    assert change("video 10s x 1M users", "x 3 per day") == WhatIf(
        "video 10s x 1M users x 3 per day", ("counts", "period")
    )


def test_a_bare_count_replaces_the_bare_count() -> None:
    assert change(SAVED, "what if 5 per user").text == "video 10s x 1M users x 5 per user per day"


def test_a_count_with_a_noun_replaces_the_count_with_the_same_noun() -> None:
    saved = "chat 2k tokens x 500 tickets x 30 per day"
    assert change(saved, "what if 800 tickets").text == "chat 2k tokens x 800 tickets x 30 per day"
    assert change(saved, "what if 800 ticket").text == "chat 2k tokens x 800 ticket x 30 per day"


def test_a_count_of_something_new_is_one_more_count() -> None:
    result = change("chat 2k tokens x 200 devs", "x 20 tickets")
    assert result.text == "chat 2k tokens x 200 devs x 20 tickets"
    assert parsed(result.text).quantity == 4000


def test_several_counts_in_one_reply_each_replace_their_own() -> None:
    result = change(SAVED, "what if 2M users and 5 per user?")
    assert result.text == "video 10s x 2M users x 5 per user per day"
    # Two bare counts: the second doesn't undo the first.
    assert change("video 10s x 1M users x 3", "what if x 5 x 2").text == "video 10s x 1M users x 5 x 2"


def test_a_count_of_the_workload_itself_replaces_it_where_it_was() -> None:
    result = change("3 images dall-e-3 hd 1024x1792", "what if 10 images")
    assert result == WhatIf("10 images hd 1024x1792 dall-e-3", ("counts",))
    assert estimate(result.text).api.total_usd == D("1.20")  # 10 x $0.12


def test_people_in_a_for_clause_are_people_too() -> None:
    result = change("agent 40 steps x 6k tokens for 200 devs x 5 per day", "what if we had 300 devs")
    assert result.text == "agent 40 steps x 6k tokens x 300 devs x 5 per day"
    assert parsed(result.text).users == 300


def test_a_people_noun_with_swapped_letters_is_asked_about_not_added() -> None:
    assert read_change("video 10s x 1M users", "2M usres", model_names=MODELS) is None
    with pytest.raises(EstimateError) as caught:
        read_change("video 10s x 1M users", "what if 2M usres", model_names=MODELS)
    assert caught.value.suggestion == "users" and "usres" in str(caught.value)
    # `uses` is a word of its own: x 5 uses per user is one more count.
    assert change("video 10s x 1M users", "x 5 uses per user").text == "video 10s x 1M users x 5 uses per user"


# --- workload -----------------------------------------------------------------------------------------------


def test_a_workload_part_replaces_only_the_part_of_its_kind() -> None:
    assert change("video 10s 1080p", "what if 20s") == WhatIf("video 20s 1080p", ("workload",))
    assert change("video 10s 1080p x 1M users", "what if 4k").text == "video 10s 4k x 1M users"
    assert change("video 10s with audio x 1M users", "what if no audio").text == "video no audio 10s x 1M users"
    assert change("video 10s x 1M users", "with audio").text == "video with audio 10s x 1M users"
    assert change("image high 1024x1536 x 50k per day", "what if low").text == "image low 1024x1536 x 50k per day"


def test_parts_that_say_the_same_thing_replace_each_other() -> None:
    # For speech, seconds, characters and words are three ways to give the length.
    assert change("tts 2k chars x 10k per month", "what if 30s").text == "tts 30s x 10k per month"
    # For images, a resolution word is a size.
    assert change("image high 1024x1536 x 50k per day", "what if 4k").text == "image high 4k x 50k per day"
    # A token total replaces the input/output split; an output count leaves the input alone.
    assert change("chat 1500 in 500 out x 200k per day", "what if 3k tokens").text == "chat 3k tokens x 200k per day"
    assert change("chat 1500 in 500 out", "what if 800 out").text == "chat 1500 in 800 out"


def test_naming_a_workload_replaces_the_whole_workload() -> None:
    assert change("video 10s 1080p x 1M users", "what if video 20s") == WhatIf("video 20s x 1M users", ("workload",))


def test_a_new_kind_of_workload_drops_the_old_model_and_its_per_unit_price() -> None:
    result = change("video 10s sora-2 x 1M users at $0.2/s discount 30%", "what if image")
    assert result == WhatIf("image x 1M users discount 30%", ("workload", "model", "price"))
    assert estimate(result.text).modality == "image"
    # …unless the reply names its own model.
    assert change("video 10s sora-2 x 1M users", "what if image gpt-image-1").text == "image gpt-image-1 x 1M users"


def test_4k_never_lands_before_the_workload_word() -> None:
    result = change("video 10s x 1M users", "what if 4k")
    assert result.text == "video 10s 4k x 1M users"
    assert parsed(result.text).resolution == "4k" and parsed(result.text).quantity == 1_000_000


def test_a_part_that_doesnt_fit_the_workload_is_explained_when_asked() -> None:
    assert read_change("video 10s x 1M users", "1000 tokens", model_names=MODELS) is None
    with pytest.raises(EstimateError, match="doesn't fit a video workload"):
        read_change("video 10s x 1M users", "what if 1000 tokens", model_names=MODELS)


# --- model, price, period, value ----------------------------------------------------------------------------


def test_the_model_is_written_as_just_the_model() -> None:
    assert change("video 10s x 1M users", "what if we use the sora-2-pro model").text == (
        "video 10s sora-2-pro x 1M users"
    )
    assert change("video 10s sora-2 x 1M users", "with Veo-3.1-Fast").text == "video 10s Veo-3.1-Fast x 1M users"


def test_a_price_replaces_only_a_price_of_its_kind() -> None:
    saved = "video 10s x 1M users at $0.2/s discount 30%"
    assert change(saved, "discount 20%").text == "video 10s x 1M users at $0.2/s discount 20%"
    assert change(saved, "what if at $0.3/s").text == "video 10s x 1M users discount 30% at $0.3/s"
    assert change(saved, "gpu $3/h").text == "video 10s x 1M users at $0.2/s discount 30% gpu $3/h"


def test_a_period_and_a_value_replace_their_own() -> None:
    saved = "chat 2k tokens x 200 devs x 20 per day value $20/user/month"
    assert change(saved, "weekly").text == "chat 2k tokens x 200 devs x 20 weekly value $20/user/month"
    assert change(saved, "how about revenue $30/user/month?").text == (
        "chat 2k tokens x 200 devs x 20 per day revenue $30/user/month"
    )


def test_one_reply_can_change_several_sections() -> None:
    result = change("video 10s x 1M users", "what if it was 2 million users and 4k, per week?")
    assert result == WhatIf("video 10s 4k x 2 million users per week", ("workload", "counts", "period"))


# --- asking, punctuation, noise (Slack markup: tests/bot/test_slack_text.py) ---------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "what if 2M users",
        "What if 2M users?",
        "how about 2M users",
        "what about 2M users??",
        "and if 2M users",
        "ok so what if we had 2M users instead",
        "try 2M users",
        "2M users instead",
        "what if 2M users 🤔",
        "what if 2M users 👍🏽",
        "Hmm, what if there were 2M users then?",
        "2M users!",
        "2M users.",
        "how much would it cost for 2M users",
    ],
)
def test_asking_phrases_punctuation_and_emoji_are_stripped(reply: str) -> None:
    assert change("video 10s x 1M users", reply) == WhatIf("video 10s x 2M users", ("counts",))


def test_a_decimal_point_at_the_start_is_a_number_not_punctuation() -> None:
    assert change("video 10s x 1M users", "what if .5M users").text == "video 10s x .5M users"


def test_an_unchanged_reply_is_no_change_and_says_so_when_asked() -> None:
    assert read_change("video 10s x 1M users", "1M users", model_names=MODELS) is None
    assert read_change("video 10s x 1M users", "x 1,000,000 users", model_names=MODELS) is None
    with pytest.raises(EstimateError, match="That's what the scenario already says") as caught:
        read_change("video 10s x 1M users", "what if 1M users", model_names=MODELS)
    assert "video 10s x 1M users" in caught.value.message and caught.value.example == "what if 2M users"


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        ("what if banana", "I don't understand 'banana'"),
        ("how about 2M usres", "isn't a word I count as people"),
        ("what if 1000 tokens", "doesn't fit a video workload"),
        ("try help", "'help' is a command"),
        ("what if we doubled it", "I don't understand 'doubled'"),
    ],
)
def test_an_explicit_what_if_that_cant_be_applied_says_why_and_what_works(reply: str, says: str) -> None:
    with pytest.raises(EstimateError) as caught:
        read_change("video 10s x 1M users", reply, model_names=MODELS)
    error = caught.value
    assert says in error.message
    assert "I read that as a what-if" in error.message and "'what if 2M users'" in error.message
    assert error.example == "what if 2M users" and error.position is None  # columns of a text they never typed
    result = read_change("video 10s x 1M users", error.example, model_names=MODELS)
    assert result is not None  # the example offered works


@pytest.mark.parametrize("reply", ["what if?", "how about it", "what about the"])
def test_an_explicit_what_if_with_nothing_in_it_says_so(reply: str) -> None:
    with pytest.raises(EstimateError, match="found nothing in it to change"):
        read_change(SAVED, reply, model_names=MODELS)


def test_markup_in_a_reply_is_never_echoed() -> None:
    with pytest.raises(EstimateError) as caught:
        read_change(SAVED, "what if <!channel> banana <@U999>", model_names=MODELS)
    assert "<" not in str(caught.value) and "U999" not in str(caught.value)


def test_the_saved_text_must_be_an_estimate() -> None:
    with pytest.raises(EstimateError, match="command, not an estimate"):
        read_change("help", "what if 2M users", model_names=MODELS)


def test_without_model_names_model_like_words_still_read_as_models() -> None:
    result = read_change("video 10s x 1M users", "how about sora-2-pro")
    assert result == WhatIf("video 10s sora-2-pro x 1M users", ("model",))


# --- the results cost -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "total"),
    [
        ("what if 2M users", D(6_000_000)),  # $1 a video x 2M x 3
        ("with veo-3.1-fast", D(3_000_000)),
        ("at $0.2/s", D(6_000_000)),
        ("what if 20s", D(6_000_000)),
        ("how about sora-2-pro", D(9_000_000)),  # $0.30/s at 720p
    ],
)
def test_what_ifs_cost_as_expected(reply: str, total: Decimal) -> None:
    assert estimate(SAVED).api.total_usd == D(3_000_000)
    assert estimate(change(SAVED, reply).text).api.total_usd == total


def test_a_chain_of_what_ifs_builds_on_each_other() -> None:
    text = SAVED
    for reply in ("what if 2M users", "with sora-2-pro", "what if per week", "what if 20s", "value $20/user/month"):
        text = change(text, reply).text
    assert text == "video 20s sora-2-pro x 2M users x 3 per user per week value $20/user/month"
    e = estimate(text)
    assert e.period == "week" and e.quantity == 6_000_000 and e.value is not None


SAVED_TEXTS = [
    "video 10s x 1M users",
    SAVED,
    "chat 1500 in 500 out gpt-4o x 200k per day",
    "agent 40 steps x 6k tokens for 200 devs x 5 per day",
    "image high 1024x1536 x 50k per day",
    "tts 30s x 10k per month",
    "3 images dall-e-3 hd 1024x1792",
]
NOUNS = [None, "users", "devs", "seats", "tickets"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    saved=st.sampled_from(SAVED_TEXTS),
    number=st.integers(min_value=1, max_value=100_000),
    noun=st.sampled_from(NOUNS),
    asked=st.booleans(),
)
def test_any_count_change_gives_a_text_that_costs(saved: str, number: int, noun: str | None, asked: bool) -> None:
    reply = ("what if " if asked else "") + f"x {number}" + (f" {noun}" if noun else "")
    try:
        result = read_change(saved, reply, model_names=MODELS)
    except EstimateError as error:
        assert asked and "already says" in error.message  # the only way a count can fail: it's no change
        return
    assume(result is not None)
    assert result is not None
    assert result.changed == ("counts",)
    e = estimate(result.text)
    assert D(number) in [c.value for c in e.counts]
    before = parsed(saved)
    # One count replaced or one added: never more counts than one extra.
    assert len(e.counts) in (len(before.counts), len(before.counts) + 1)


REPLY_PIECES = [
    "what if", "how about", "try", "instead", "ok", "lgtm", "👍", "<@U123>", ":+1:", "?", "2M users", "x 3",
    "per day", "weekly", "20s", "4k", "with audio", "image", "video", "sora-2-pro", "with", "veo-3.1-fast",
    "at $0.2/s", "discount 20%", "value $20/user/month", "looks", "expensive", "to", "me", "the", "and", "help",
    "save", "0", "1e400", "banana", "tokens", "500", "x", "per", "'", "*",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    saved=st.sampled_from(SAVED_TEXTS),
    reply=st.one_of(st.text(max_size=60), st.lists(st.sampled_from(REPLY_PIECES), max_size=6).map(" ".join)),
)
def test_any_reply_is_a_change_that_parses_no_change_or_the_domain_error(saved: str, reply: str) -> None:
    try:
        result = read_change(saved, reply, model_names=MODELS)
    except EstimateError as error:
        assert str(error) and "<@" not in str(error)
        return
    if result is not None:
        request = parse_request(result.text, model_names=MODELS)
        assert isinstance(request, Request) and result.changed
        assert result.text != saved
