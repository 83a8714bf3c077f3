from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.blocks import estimate_message
from bot.blocks.estimate import details_modal
from bot.replies import estimate_text
from costing import Estimate, estimate
from costing.help import HELP_SECTIONS
from costing.money import format_usd

COMMANDS = ("prices", "save", "compare", "digest")
EXAMPLES = [e for section in HELP_SECTIONS for e in section.examples if not e.startswith(COMMANDS)]
LONG = "video 8s veo-3.1 1080p with audio x 3 per user per day x 50k users at $0.40/s gpu $3/h value $1 each"


def texts(message: dict) -> list[str]:
    found = []
    for block in message["blocks"]:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [f["text"] for f in block.get("fields", [])]
        found += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return found


def test_the_headline_figures_are_the_top_level_text() -> None:
    message = estimate_message(estimate_text("video 10s sora-2 x 1M users"))
    assert message["text"].startswith("1,000,000 × 10 s video")
    assert "$1,000,000 at API price" in message["text"]


def test_the_headline_opens_the_message_within_120_characters() -> None:
    e = estimate_text("video 10s sora-2 x 1M users per month value $2 per video")
    first = estimate_message(e)["blocks"][0]["text"]["text"]
    low, high = format_usd(e.compute.total_low_usd), format_usd(e.compute.total_high_usd)
    assert first.startswith("*1,000,000 × 10 s video")
    assert "*$1,000,000* API" in first[:120] and f"{low}–{high} compute" in first
    assert first.endswith("pays back: value 2.00× API spend")


def test_the_default_view_is_five_blocks_at_most_and_small() -> None:
    for text in [*EXAMPLES, LONG]:
        message = estimate_message(estimate_text(text))
        assert len(message["blocks"]) <= 5, text
        assert sum(len(t) for t in texts(message)) < 1500, text


def test_the_key_figures_sit_under_the_headline() -> None:
    e = estimate_text("video 10s sora-2 x 1M users")
    fields = [f["text"] for f in estimate_message(e)["blocks"][0]["fields"]]
    point, low, high = (format_usd(x) for x in (e.compute.unit_usd, e.compute.low_usd, e.compute.high_usd))
    assert fields[0] == f"*Per video*\n$1.00 API\n{point} compute, typical of {low}–{high}"  # 10 s at $0.10/s
    assert fields[1].startswith("*Per user*\n$1.00 API")


def test_a_losing_value_says_so_with_the_break_even_price() -> None:
    first = estimate_message(estimate_text("image high x 1k per day value $0.01 each"))["blocks"][0]["text"]["text"]
    assert "doesn't pay back: value 0.19× API spend; break-even price $0.01 per image (now $0.053)" in first


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # rounds to 1.00×: neither "pays back" nor a bare "doesn't pay back (1.00×)"
        ("video 10s x 1M users per month value $0.9995 each", "about breaks even: value 1.00× API spend"),
        ("video 10s x 100 value $50/month", "pays back the one-off cost in 61 days"),  # one-off, recurring value
        ("video 10s x 1M users", None),  # no value, no verdict
    ],
)
def test_the_verdict_fits_the_value(text: str, said: str | None) -> None:
    first = estimate_message(estimate_text(text))["blocks"][0]["text"]["text"]
    assert (said in first) if said else ("pays back" not in first and "breaks even" not in first)


def test_details_hold_the_grid_the_periods_the_sources_and_the_assumptions() -> None:
    e = estimate_text("image x 50k per day value $0.10 each")
    view = details_modal(e)
    shown = texts(view)
    assert view["type"] == "modal" and view["title"]["text"] == "Estimate details"
    assert shown[0] == estimate_message(e)["blocks"][0]["text"]["text"]  # the same headline
    assert any(t.startswith("*API price*\n") and "in all" not in t and "per day" in t for t in shown)
    assert [t.split("\n")[0] for t in shown if t.startswith("*Per ")][-4:] == [
        "*Per day*",
        "*Per week*",
        "*Per month*",
        "*Per year*",
    ]
    assert any(
        t.startswith("*Value*") and "pays back: value" in t and "Break-even price: $0.10 per image" in t for t in shown
    )
    assert any(t.startswith("*Assumptions*\n• ") for t in shown)
    assert any("checked 20" in t and "<https://" in t for t in shown)


def test_a_retired_model_and_a_price_override_are_warned_about() -> None:
    message = estimate_message(estimate_text("video 10s sora-2 at $0.2/s"))
    warnings = "\n".join(t for t in texts(message) if ":warning:" in t)
    assert "shut down on 2026-09-24" in warnings and "Using your price" in warnings
    top = message["blocks"][0]
    assert "*$2.00* your price" in top["text"]["text"] and top["fields"][0]["text"].startswith(
        "*Per video*\n$2.00 your price"
    )
    assert " API" not in json.dumps(top) and "at your price" in message["text"]  # one label, notification too


def test_the_basis_line_names_the_price_source_and_the_compute_family() -> None:
    e = estimate_text("video 10s veo-3.1-fast")
    context = [
        t for b in estimate_message(e)["blocks"] if b["type"] == "context" for t in [x["text"] for x in b["elements"]]
    ]
    assert len(context) == 1 and "checked 20" in context[0] and "<https://" in context[0]
    assert f"Compute as {e.compute.basis['family_name']}" in context[0]
    assert "Assumptions" not in context[0]


def test_the_buttons_end_with_details() -> None:
    message = estimate_message(estimate_text("image x 3"))
    buttons = message["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == [
        "save_estimate",
        "share_estimate",
        "adjust_estimate",
        "estimate_details",
    ]
    e = estimate_text("image x 3")
    assert json.loads(buttons[-1]["value"]) == {"text": "image x 3", "api": str(e.api.total_usd),
                                               "compute": str(e.compute.total_usd)}  # fmt: skip


def test_a_shared_estimate_names_who_shared_it_and_drops_the_share_button() -> None:
    message = estimate_message(estimate_text("image x 3"), shared_by="U0ALICE")
    assert any("\nShared by <@U0ALICE> · `/cost image x 3`" in t for t in texts(message))
    assert [e["action_id"] for e in message["blocks"][-1]["elements"]] == [
        "save_estimate",
        "adjust_estimate",
        "estimate_details",
    ]


def test_shared_by_must_be_a_user_id() -> None:
    with pytest.raises(ValueError, match="not a Slack user id"):
        estimate_message(estimate_text("image"), shared_by="<!channel>")


def test_the_typed_text_is_echoed() -> None:
    message = estimate_message(estimate_text("image   x 3 for 2 devs"))
    assert "`/cost image   x 3 for 2 devs`" in json.dumps(message, ensure_ascii=False)


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
    assert "*Value* value:" not in shown
    details = json.dumps(
        details_modal(estimate_text("video 10s x 1M users per month value $2 each")), ensure_ascii=False
    )
    assert "*Value* $2.00 per video → *$2,000,000* per month" in details and "*Value* value:" not in details


#: A fixed moment: lifecycle warnings count days to a shutdown, and prices change on dates.
AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "video 10s sora-2 x 1M users per month value $2 per video",  # retired, a value that pays back
        "image high x 1k per day value $0.01 each",  # a value that doesn't
        "video 8s veo-3.1 1080p x 3 per user per day x 50k users at $0.40/s",  # the user's own price
    ],
)
def test_estimate_message_snapshot(text: str, snapshot: Any) -> None:
    e = estimate(text, at=AT)
    assert estimate_message(e) == snapshot(name="message")
    assert details_modal(e) == snapshot(name="details")


def test_an_estimate_saved_before_compute_ranges_shows_its_one_figure() -> None:
    saved = estimate_text("video 10s sora-2 x 1M users").model_dump(mode="json")
    for key in ("low_usd", "high_usd", "total_low_usd", "total_high_usd", "basis"):
        del saved["compute"][key]  # as estimates were stored before ranges
    old = Estimate.model_validate(saved)
    top = estimate_message(old)["blocks"][0]
    point = format_usd(old.compute.total_usd)
    assert f"*$1,000,000* API · {point} compute" in top["text"]["text"] and "–" not in top["text"]["text"]
    assert top["fields"][0]["text"].endswith(f"{format_usd(old.compute.unit_usd)} compute")  # no "typical of"
