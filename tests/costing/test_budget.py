from __future__ import annotations

from decimal import Decimal

import pytest

from costing import EstimateError
from costing.budget import parse_budget
from costing.scanner import scan


def test_a_monthly_budget_is_taken_as_given() -> None:
    budget = parse_budget("$5,000/month")
    assert budget.usd_month == Decimal(5000)
    assert budget.reading == "$5,000 per month"


def test_an_amount_without_a_period_is_per_month_and_the_reading_says_so() -> None:
    budget = parse_budget("$5000")
    assert budget.usd_month == Decimal(5000)
    assert "taken per month: no period was given" in budget.reading


@pytest.mark.parametrize(
    ("text", "monthly"),
    [
        ("$200 per week", Decimal(200) * Decimal(365) / 12 / 7),
        ("$10/day", Decimal(10) * Decimal(365) / 12),
        ("$12 each day", Decimal(12) * Decimal(365) / 12),
        ("$60,000 a year", Decimal(5000)),
    ],
)
def test_other_periods_are_converted_to_a_month_of_365_12_days(text: str, monthly: Decimal) -> None:
    assert parse_budget(text).usd_month == monthly.quantize(Decimal("0.01"))


def test_a_converted_budget_shows_both_the_amount_given_and_the_monthly_figure() -> None:
    assert parse_budget("$10/day").reading == "$10.00 per day = $304.17 per month"


@pytest.mark.parametrize(
    ("text", "monthly"),
    [("5k/month", Decimal(5000)), ("$1.5M a month", Decimal(1_500_000)), ("60k/year", Decimal(5000)),
     ("5 K/mo", Decimal(5000)), ("5000 usd per month", Decimal(5000))],
)  # fmt: skip
def test_k_and_m_multiply_and_usd_and_case_are_allowed(text: str, monthly: Decimal) -> None:
    assert parse_budget(text).usd_month == monthly


@pytest.mark.parametrize("text", ["off", "OFF", " none ", "clear", "remove"])
def test_off_clears_the_budget(text: str) -> None:
    budget = parse_budget(text)
    assert budget.usd_month is None
    assert budget.reading == "no budget"


def test_a_zero_budget_is_a_budget_not_a_cleared_one() -> None:
    assert parse_budget("$0/month").usd_month == Decimal(0)


@pytest.mark.parametrize("text", ["lots", "", "-5/month", "$5000 per fortnight", "$5000/m", "five thousand"])
def test_garbage_and_unknown_periods_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(EstimateError) as caught:
        parse_budget(text)
    assert "as a budget" in caught.value.message
    assert caught.value.example == "budget NAME $5,000/month"


def test_an_amount_beyond_any_budget_is_refused() -> None:
    with pytest.raises(EstimateError, match="beyond any budget") as caught:
        parse_budget("$10001b/month")
    assert caught.value.example == "budget NAME $5,000/month"


def test_ten_trillion_is_the_largest_amount_taken() -> None:
    assert parse_budget("$10,000,000,000,000/month").usd_month == Decimal("1e13")


@pytest.mark.parametrize(("text", "monthly"), [("$5000 monthly", Decimal(5000)), ("$60k annually", Decimal(5000))])
def test_a_period_adverb_is_read_like_the_period(text: str, monthly: Decimal) -> None:
    assert parse_budget(text).usd_month == monthly


@pytest.mark.parametrize("written", ["1,000", "1.5k", ".5m", "2e3", "12,345.5", "60K", "1b"])
def test_a_budget_reads_numbers_as_the_cost_language_does(written: str) -> None:
    """One grammar of numbers: what `/cost … x 1.5k` counts is what `/cost budget NAME $1.5k/month` allows."""
    (token,) = scan(written)
    assert parse_budget(f"${written}/month").usd_month == token.value.quantize(Decimal("0.01"))  # type: ignore[union-attr]


@pytest.mark.parametrize("written", ["1,00", "1,0000", "10,00,000"])
def test_a_budget_with_commas_out_of_place_is_refused_as_the_cost_language_refuses_it(written: str) -> None:
    with pytest.raises(EstimateError, match="as a budget"):
        parse_budget(f"${written}/month")


@pytest.mark.parametrize(("written", "monthly"), [("$5.94 per year", "0.50"), ("$0.06 per year", "0.01")])
def test_a_budget_on_a_half_cent_a_month_rounds_up(written: str, monthly: str) -> None:
    """5.94 / 12 is exactly 0.495: the month's cents round half up, with no error in 365/12 pulling them down."""
    assert parse_budget(written).usd_month == Decimal(monthly)
