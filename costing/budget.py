"""`/cost budget NAME $X/month`: a spending limit, read as dollars per month whatever period it was given in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from costing.errors import EstimateError
from costing.lexicon import PERIOD_WORDS, Period
from costing.money import MAX_NUMBER, MULTIPLIER_PATTERN, NUMBER_PATTERN, format_usd, parse_number
from costing.value import in_period

__all__ = ["Budget", "parse_budget"]

_BUDGET = re.compile(
    rf"""^\$?\s*(?P<digits>{NUMBER_PATTERN})\s*(?P<mult>{MULTIPLIER_PATTERN})?\s*(?:usd|dollars?)?\s*
        (?:(?:/|\bper\b|\ba\b|\ban\b|\beach\b|\bevery\b)\s*(?P<period>[a-z]+)|(?P<adverb>[a-z]+))?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_EXAMPLE = "budget NAME $5,000/month"
_OFF = {"off", "none", "clear", "remove", "no"}
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Budget:
    """A monthly budget in whole cents (None: cleared) and how it was read, to say so in the answer."""

    usd_month: Decimal | None
    reading: str


def parse_budget(text: str) -> Budget:
    """Read `$5,000/month`, `$200 per week`, `60k/year`, `$5000 monthly`, `$5000` (a month is assumed) or `off`.

    Raises:
        EstimateError: Not an amount with an optional period, with an example that works.
    """
    stripped = text.strip().lower()
    if stripped in _OFF:
        return Budget(None, "no budget")
    match = _BUDGET.match(stripped)
    word = match and (match["period"] or match["adverb"])
    period = PERIOD_WORDS.get(word) if word else Period.MONTH
    if not match or period is None:
        raise EstimateError(
            f"I can't read '{text.strip()}' as a budget: give dollars and a period, or 'off' to remove it.",
            example=_EXAMPLE,
        )
    amount = parse_number(match["digits"], match["mult"])
    if amount > MAX_NUMBER:
        raise EstimateError(f"{format_usd(amount)} is beyond any budget I can track.", example=_EXAMPLE)
    monthly = in_period(amount, period, Period.MONTH).quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount > 0 and monthly == 0:
        raise EstimateError(f"{format_usd(amount)} per {period} is less than a cent a month.", example=_EXAMPLE)
    if period != "month":
        reading = f"{format_usd(amount)} per {period} = {format_usd(monthly)} per month"
    elif not word:
        reading = f"{format_usd(monthly)} per month (taken per month: no period was given)"
    else:
        reading = f"{format_usd(monthly)} per month"
    return Budget(monthly, reading)
