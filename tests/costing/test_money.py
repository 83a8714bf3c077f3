from decimal import Decimal

import pytest

from costing.money import MAX_NUMBER, format_count, format_ratio, format_usd, parse_number


@pytest.mark.parametrize(
    ("digits", "multiplier", "expected"),
    [
        ("1,000,000", None, "1000000"),
        ("1.5", "M", "1500000"),
        ("50", "k", "50000"),
        ("2", "b", "2000000000"),
        (".5", None, "0.5"),
        ("1e6", None, "1000000"),
    ],
)
def test_parse_number_reads_what_people_write(digits: str, multiplier: str | None, expected: str) -> None:
    assert parse_number(digits, multiplier) == Decimal(expected)


def test_parse_number_refuses_non_numbers() -> None:
    with pytest.raises(ValueError):
        parse_number("1,2,3,x")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1000000", "$1,000,000"),
        ("1430555.55", "$1,430,556"),
        ("1.43", "$1.43"),
        ("5", "$5.00"),
        ("0.1", "$0.10"),
        ("0.0042", "$0.0042"),
        ("0.000003", "$0.000003"),
        ("0.00875", "$0.0088"),
        ("0", "$0"),
        ("-12.5", "-$12.50"),
    ],
)
def test_format_usd_never_rounds_a_real_cost_to_zero(amount: str, text: str) -> None:
    assert format_usd(Decimal(amount)) == text


def test_format_count_groups_thousands_and_keeps_fractions() -> None:
    assert format_count(Decimal(1_000_000)) == "1,000,000"
    assert format_count(Decimal("1.50")) == "1.5"


def test_max_number_is_ten_trillion() -> None:
    assert Decimal(10) ** 13 == MAX_NUMBER


def test_amounts_beyond_any_budget_are_shown_in_powers_of_ten() -> None:
    assert format_usd(Decimal("1.234e25")) == "$1.23e+25"


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [("2.125", "2.13×"), ("2.135", "2.14×"), ("0.005", "0.01×"), ("99.994", "99.99×"), ("99.995", "100×"),
     ("100", "100×"), ("1234.5", "1,235×"), ("0", "0.00×")],
)  # fmt: skip
def test_a_ratio_is_rounded_half_up_everywhere_it_is_shown(ratio: str, shown: str) -> None:
    """One rule for the headline, the Slack answer, the terminal, the digest and compare: 2.125 is 2.13×."""
    assert format_ratio(Decimal(ratio)) == shown
