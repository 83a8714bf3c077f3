from __future__ import annotations

import pytest

from bot.blocks import adjust_modal, read_adjust_submission
from bot.replies import estimate_text


def filled(view: dict) -> dict:
    """The state Slack sends back for a modal submitted exactly as it was prefilled."""
    values: dict = {}
    for block in view["blocks"]:
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = {"choice": {"selected_option": element["initial_option"]}}
        else:
            values[block["block_id"]] = {"text": {"value": element.get("initial_value")}}
    return values


@pytest.mark.parametrize(
    "text",
    [
        "video 10s x 1M users",
        "x 1M users video 10s sora-2-pro 720p monthly value $2 each",
        "agent 40 steps x 6k tokens for 200 devs x 5 per day saves 30 min @ $70/h",
        "chat 1500 in 500 out gpt-4o x 200k per day at $2/1M in $8/1M out discount 30% gpu $3/h",
        "3 images 1024x1536 x 2k per week",
    ],
)
def test_submitting_the_form_unchanged_gives_the_same_estimate(text: str) -> None:
    before = estimate_text(text)
    submission = read_adjust_submission(filled(adjust_modal(before, private_metadata="{}")))
    after = estimate_text(submission.text)
    assert after.model_dump(exclude={"text", "sections", "counts"}) == before.model_dump(
        exclude={"text", "sections", "counts"}
    )


def test_the_model_field_shows_the_default_as_a_placeholder_when_none_was_typed() -> None:
    view = adjust_modal(estimate_text("video 10s"), private_metadata="{}")
    model = next(b for b in view["blocks"] if b["block_id"] == "adjust_model")
    assert "initial_value" not in model["element"]
    assert model["element"]["placeholder"]["text"].startswith("default: ")
    assert model["optional"] is True


def test_an_error_position_maps_back_to_its_field() -> None:
    values = {
        "adjust_workload": {"text": {"value": "video 10s"}},
        "adjust_counts": {"text": {"value": "  x 1M   users "}},
        "adjust_period": {"choice": {"selected_option": {"value": "day"}}},
        "adjust_value": {"text": {"value": "value $1 each"}},
    }
    submission = read_adjust_submission(values)
    assert submission.text == "video 10s x 1M users per day value $1 each"
    assert submission.block_at(1) == "adjust_workload"
    assert submission.block_at(submission.text.index("users") + 1) == "adjust_counts"
    assert submission.block_at(submission.text.index("day") + 1) == "adjust_period"
    assert submission.block_at(len(submission.text)) == "adjust_value"
    assert submission.block_at(None) == "adjust_workload"


def test_private_metadata_over_slacks_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="3,000"):
        adjust_modal(estimate_text("image"), private_metadata="x" * 3001)
