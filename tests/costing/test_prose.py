"""costing.prose: the estimate inside a message someone wrote, or none."""

from __future__ import annotations

import pytest

from costing import current_catalog, estimate, estimate_in, has_workload, read_instead, workload_words_in

MODELS = current_catalog().model_names


@pytest.mark.parametrize(
    ("message", "found"),
    [
        ("video 10s x 1M users", "video 10s x 1M users"),  # a /cost line is itself
        ("Plan: chat 1500 in 500 out x 200k per day for support", "chat 1500 in 500 out x 200k per day"),
        ("how much would 1M videos of 10s cost?", "1M videos of 10s"),
        ("Q: what would tts 30s x 10k per month cost us?", "tts 30s x 10k per month"),
        ("Hey, quick question - how much does embed 1M tokens x 30 per month cost?", "embed 1M tokens x 30 per month"),
        ("can you estimate transcribe 10 min x 5k per week?", "transcribe 10 min x 5k per week"),
        ("Idea :rocket: image x 50k per week, thoughts?", "image x 50k per week"),
        ("chat with gpt-4o x 1k users per day 🙏", "chat with gpt-4o x 1k users per day"),
        ("```/cost video 10s x 2M users```", "video 10s x 2M users"),
        ("*Proposal*: images x 3 per user per day for 20k users!", "images x 3 per user per day for 20k users"),
    ],
)
def test_the_estimate_in_a_message_is_found_and_costs(message: str, found: str) -> None:
    assert estimate_in(message, model_names=MODELS) == found
    assert estimate(found).quantity > 0


@pytest.mark.parametrize(
    ("message", "mentions"),
    [
        ("lunch anyone?", []),
        ("see you at 3pm :wave:", []),
        ("call me at 5, chat later", ["chat"]),  # a number before a comma is not the chat's count
        ("we should make a video for the launch", ["video"]),  # a workload, but no figures to cost it by
        ("the images in https://example.com look great", ["images"]),
    ],
)
def test_a_message_without_an_estimate_has_none(message: str, mentions: list[str]) -> None:
    assert estimate_in(message, model_names=MODELS) is None
    assert (workload_words_in(message), has_workload(message)) == (mentions, bool(mentions))


def test_a_long_message_is_searched_in_its_first_words_only() -> None:
    filler = " ".join(["blah"] * 200)
    assert estimate_in(f"{filler} video 10s x 3", model_names=MODELS) is None
    found = estimate_in(f"video 10s x 3 {filler}", model_names=MODELS)
    assert found is not None and found.startswith("video 10s x 3")  # (`x 3 blah` counts three "blah")


@pytest.mark.parametrize(
    ("text", "found", "typo", "prose", "instead"),
    [
        ("how much would 1M videos of 10s cost?", "1M videos of 10s", False, False, "1M videos of 10s"),
        ("chat x 2 per day modle gpt-4o", "chat x 2 per day", False, False, None),  # /cost: the end is a typo
        ("chat x 2 per day for support", "chat x 2 per day", False, True, "chat x 2 per day"),  # a message: talk
        ("chat x 2 per day modle", "chat x 2 per day", True, True, None),  # …unless a word is suggested
        ("video 10s", "video 10s", False, True, None),  # the text itself
        ("lunch anyone?", None, False, True, None),
    ],
)
def test_the_estimate_inside_is_read_instead_unless_only_a_likely_typo_was_cut(
    text: str, found: str | None, typo: bool, prose: bool, instead: str | None
) -> None:
    assert read_instead(text, found, typo=typo, prose=prose) == instead
