"""bot.blocks.words: figures worded the same in every view."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from bot.blocks.words import and_more, budget_share, move, pays_back, pct, plural, share, signed_usd


@pytest.mark.parametrize(
    ("spend", "budget", "shown"),
    [(D("5001"), D("5000"), "101%"), (D("4999"), D("5000"), "99%"), (D(5000), D(5000), "100%"),
     (D("62500"), D(5000), "1,250%")],
)  # fmt: skip
def test_a_budget_share_never_rounds_onto_100_from_either_side(spend: D, budget: D, shown: str) -> None:
    assert share(spend, budget) == shown
    assert budget_share(spend, budget) == D(shown.rstrip("%").replace(",", ""))


def test_moves_and_amounts_carry_their_sign() -> None:
    assert (signed_usd(D(1200)), signed_usd(D(-5)), signed_usd(D(0))) == ("+$1,200", "-$5.00", "$0")
    assert move(D(1200), D(10000)) == "+12% (+$1,200)"
    assert move(D(300), D(0), "/week") == "+$300.00/week (from $0)"
    assert (pct(D("0.01")), pct(D("-0.01")), pct(D("2.5")), pct(D(-250))) == ("+<0.1%", "-<0.1%", "+2.5%", "-250%")


def test_lists_and_plurals() -> None:
    assert (plural(1, "scenario"), plural(2, "scenario"), plural(3, "entry", "entries")) == (
        "1 scenario", "2 scenarios", "3 entries",
    )  # fmt: skip
    assert and_more(["a", "b"], 5) == "a, b and 3 more"
    assert and_more(["a", "b"], 2) == "a, b"


@pytest.mark.parametrize(
    ("ratio", "said"),
    [
        ("2", "pays back: value 2.00× API spend"),
        ("1", "pays back: value 1.00× API spend"),  # value equals spend: it pays for itself
        ("0.9995", "about breaks even: value 1.00× API spend"),  # not "doesn't pay back (1.00×)"
        ("0.994", "doesn't pay back: value 0.99× API spend"),
    ],
)
def test_the_verdict_never_contradicts_its_rounded_ratio(ratio: str, said: str) -> None:
    assert pays_back(D(ratio)) == said
