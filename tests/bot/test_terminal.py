"""The terminal views, rendered to text exactly as a user would see them (no colour, fixed width)."""

from __future__ import annotations

import io

from rich.console import Console

from bot.terminal import print_estimate, print_help, print_prices
from costing import estimate
from costing.money import format_usd
from costing.prices import list_prices


def render(draw, *args) -> str:
    out = io.StringIO()
    draw(*args, Console(file=out, width=100, color_system=None))
    return out.getvalue()


def test_an_estimate_shows_both_costs_per_unit_total_and_per_user() -> None:
    e = estimate("video 10s x 1M users")
    text = render(print_estimate, e)
    assert "Veo 3.1 Fast · 10 s video, 720p · 1,000,000 users" in text
    for line in ("per video", "total", "per user"):
        assert line in text
    assert "$1,000,000" in text and format_usd(e.compute.total_usd) in text
    low, high = format_usd(e.compute.total_low_usd), format_usd(e.compute.total_high_usd)
    assert f"Compute  {low} – {high} total" in text and low != high
    assert "Distilled few-step video transformer" in text  # the family it was costed as
    assert "checked" in text and "2026-11-20" in text and "https://" in text


def test_a_periodic_estimate_shows_every_projection() -> None:
    text = render(print_estimate, estimate("image x 1000 per day"))
    for line in ("total per day", "per week", "per month", "per year"):
        assert line in text


def test_value_ratio_and_break_even_are_shown() -> None:
    text = render(print_estimate, estimate("chat 2k tokens x 1000 per day value $0.05 each"))
    e = estimate("chat 2k tokens x 1000 per day value $0.05 each")
    assert (
        "value ÷ API spend" in text
        and f"break-even price: $0.05 per request (now {format_usd(e.api.unit_usd)})" in text
    )


def test_your_own_price_is_not_called_the_api_price() -> None:
    text = render(print_estimate, estimate("video 10s sora-2 x 1M users at $0.2/s value $3 each"))
    assert "Your price" in text and "API price" not in text and "value ÷ your-price spend" in text


def test_payback_is_shown_for_a_one_off_cost_with_recurring_value() -> None:
    text = render(print_estimate, estimate("video 10s x 1M users value $20/user/month"))
    assert "pays back the one-off cost in 2 days" in text


def test_warnings_and_assumptions_are_listed() -> None:
    text = render(print_estimate, estimate("video 10s sora-2"))
    assert "⚠ Sora 2 was shut down on 2026-09-24; priced as it was." in text
    assert "Assumptions" in text and "GPU-seconds" in text


def test_prices_table_numbers_its_sources() -> None:
    text = render(print_prices, list_prices("sora"))
    assert "sora-2-pro" in text and "[1] https://" in text


def test_prices_with_no_match_says_what_to_try() -> None:
    assert "Try a provider" in render(print_prices, list_prices("zzz"))


def test_help_lists_examples_as_commands() -> None:
    text = render(print_help)
    assert 'costbot cost "video 10s x 1M users"' in text and "Is it worth it?" in text
