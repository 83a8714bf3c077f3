from __future__ import annotations

import json

import pytest

from bot.blocks import estimate_message
from bot.replies import estimate_text
from costing.help import HELP_SECTIONS
from costing.money import format_usd

COMMANDS = ("prices", "save", "compare", "digest")
EXAMPLES = [e for section in HELP_SECTIONS for e in section.examples if not e.startswith(COMMANDS)]


def texts(message: dict) -> list[str]:
    found = []
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [f["text"] for f in block.get("fields", [])]
        found += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return found


def test_the_headline_figures_are_the_top_level_text() -> None:
    message = estimate_message(estimate_text("video 10s sora-2 x 1M users"))
    assert message["text"].startswith("1,000,000 × 10 s video")
    assert "$1,000,000 at API price" in message["text"]


def test_api_price_and_compute_sit_side_by_side_per_unit_and_in_total() -> None:
    e = estimate_text("video 10s sora-2 x 1M users")
    message = estimate_message(e)
    api, compute = message["blocks"][1]["fields"]
    assert api["text"].startswith("*API price*\n$0.10 per video") is False  # 10 s at $0.10/s is $1.00
    assert api["text"].startswith("*API price*\n$1.00 per video\n*$1,000,000* in all")
    assert compute["text"].startswith(f"*GPU compute*\n{format_usd(e.compute.unit_usd)} per video")
    low, high = format_usd(e.compute.total_low_usd), format_usd(e.compute.total_high_usd)
    assert f"{low}–{high}: batched ↔ one at a time" in compute["text"]  # the range beside the point
    assert "per user" in api["text"]


def test_a_period_brings_day_week_month_and_year() -> None:
    message = estimate_message(estimate_text("image x 50k per day"))
    projections = message["blocks"][2]["fields"]
    assert [f["text"].split("\n")[0] for f in projections] == ["*Per day*", "*Per week*", "*Per month*", "*Per year*"]


def test_value_shows_the_ratio_and_break_even() -> None:
    message = estimate_message(estimate_text("chat 2k tokens x 200 devs x 20 per day value $20/user/month"))
    value = next(t for t in texts(message) if t.startswith("*Value*"))
    assert "value ÷ API spend" in value and "Break-even" in value


def test_a_retired_model_and_a_price_override_are_warned_about() -> None:
    message = estimate_message(estimate_text("video 10s sora-2 at $0.2/s"))
    warnings = "\n".join(t for t in texts(message) if ":warning:" in t)
    assert "shut down on 2026-09-24" in warnings and "Using your price" in warnings
    assert message["blocks"][1]["fields"][0]["text"].startswith("*Your price*")


def test_the_price_source_and_date_and_the_assumptions_are_in_context() -> None:
    message = estimate_message(estimate_text("video 10s veo-3.1-fast"))
    context = [t for b in message["blocks"] if b["type"] == "context" for t in [e["text"] for e in b["elements"]]]
    assert any("checked 20" in t and "<https://" in t for t in context)
    assert any(t.startswith("*Assumptions*\n• ") for t in context)


def test_a_shared_estimate_names_who_shared_it_and_drops_the_share_button() -> None:
    message = estimate_message(estimate_text("image x 3"), shared_by="U0ALICE")
    assert any(t.startswith("Shared by <@U0ALICE>") for t in texts(message))
    assert [e["action_id"] for e in message["blocks"][-1]["elements"]] == ["save_estimate", "adjust_estimate"]


def test_shared_by_must_be_a_user_id() -> None:
    with pytest.raises(ValueError, match="not a Slack user id"):
        estimate_message(estimate_text("image"), shared_by="<!channel>")


def test_the_typed_text_is_echoed() -> None:
    message = estimate_message(estimate_text("image   x 3 for 2 devs"))
    assert "`/cost image   x 3 for 2 devs`" in json.dumps(message, ensure_ascii=False)


LONG = "video 8s veo-3.1 1080p with audio x 3 per user per day x 50k users at $0.40/s gpu $3/h value $1 each"


@pytest.mark.parametrize("text", [*EXAMPLES, LONG])
def test_every_message_fits_slack_limits(text: str) -> None:
    message = estimate_message(estimate_text(text))
    assert len(message["blocks"]) <= 50
    assert all(len(t) <= 3000 for t in texts(message))
    assert all(len(b.get("fields", [])) <= 10 for b in message["blocks"])
    assert all(len(e["value"]) <= 2000 for b in message["blocks"] if b["type"] == "actions" for e in b["elements"])


def test_the_value_line_does_not_say_value_twice() -> None:
    from bot.blocks import estimate_message
    from bot.replies import estimate_text

    shown = json.dumps(
        estimate_message(estimate_text("video 10s x 1M users per month value $2 each")), ensure_ascii=False
    )
    assert "*Value* $2.00 per video → *$2,000,000* per month" in shown and "*Value* value:" not in shown
