"""Numbers as people write them and money as people read it.

Inside costbot every amount is a `Decimal`; these functions are the only place where text becomes a number
or a number becomes text, so that `1.5M`, `1,000,000` and `$0.0042` mean the same thing everywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import PlainSerializer

__all__ = [
    "MAX_NUMBER",
    "MAX_QUANTITY",
    "MULTIPLIER_PATTERN",
    "NUMBER_PATTERN",
    "Money",
    "Number",
    "format_count",
    "format_ratio",
    "format_usd",
    "parse_number",
]

#: Largest number a user may type. Ten trillion is beyond any real workload; anything bigger is a typo or a test
#: of our arithmetic, and refusing it keeps every product of counts finite and exact.
MAX_NUMBER = Decimal("1e13")
#: The most units all counts together may multiply to: a quadrillion requests is beyond any real workload.
MAX_QUANTITY = Decimal("1e15")

_MULTIPLIERS = {"k": Decimal(1_000), "m": Decimal(1_000_000), "b": Decimal(1_000_000_000)}

#: How a number is written, as a regular expression (lower case): `1,000,000`, `1.5`, `2e6`, `.5`. Commas only
#: as thousands separators. The one grammar of numbers: the scanner and the budget reader both build on it.
NUMBER_PATTERN = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)"
#: A multiplier right after a number, not the start of a word: the `k` of `60k`, not of `5 kg`.
MULTIPLIER_PATTERN = r"[kmb](?![a-z])"


def parse_number(digits: str, multiplier: str | None = None) -> Decimal:
    """Turn `1,000,000`, `1.5` + `m` or `2e6` into a `Decimal`.

    Args:
        digits: The numeric part, commas allowed as thousands separators.
        multiplier: `k`, `m` or `b` (case-insensitive), or None.

    Raises:
        ValueError: The text is not a finite number.
    """
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {digits!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {digits!r}")
    if multiplier:
        value *= _MULTIPLIERS[multiplier.lower()]
    return value


def format_usd(amount: Decimal) -> str:
    """Dollars for people: `$1,000,000`, `$1.43`, `$0.0042`, `$0.000003`.

    Whole-dollar amounts of $1,000 and more drop the cents; amounts under a dollar keep two significant digits
    so that a per-token price never shows as `$0.00`.
    """
    if not amount:
        return "$0"
    if amount.is_signed():
        return f"-{format_usd(-amount)}"
    if amount >= _ONE:
        if amount < _UNDER_A_THOUSAND:  # no thousands separator can be needed, and formatting without is cheaper
            return f"${amount.quantize(_CENT, ROUND_HALF_UP)}"
        if amount < _THOUSAND:
            return f"${amount.quantize(_CENT, ROUND_HALF_UP):,}"
        if amount < _HUGE:
            return f"${amount.quantize(_ONE, ROUND_HALF_UP):,}"
        return f"${amount:.3g}"  # beyond any budget; digits would only hide the size
    # Two significant digits below a dollar: 0.1234 -> 0.12, 0.004567 -> 0.0046.
    places = 1 - amount.adjusted()  # adjusted() is -1 for 0.1..0.99, -3 for 0.00x
    if places <= 2:
        return f"${amount.quantize(_CENT, ROUND_HALF_UP)}"
    rounded = amount.quantize(_QUANTA[places] if places < len(_QUANTA) else _ONE.scaleb(-places), ROUND_HALF_UP)
    # str() writes amounts under a millionth with an exponent (1.2E-7); the :f format never does, at a cost.
    text = str(rounded) if places <= 7 else f"{rounded:f}"
    return f"${text.rstrip('0').rstrip('.')}"


_HUGE = Decimal(10**18)
_THOUSAND = Decimal(1000)
_UNDER_A_THOUSAND = Decimal("999.995")
_ONE = Decimal(1)
_CENT = Decimal("0.01")
_QUANTA = tuple(_ONE.scaleb(-places) for places in range(40))


def format_count(count: Decimal) -> str:
    """Counts for people: `1,000,000`, `1.5`, `12,345.5`."""
    if count == count.to_integral_value():
        return f"{int(count):,}"
    return f"{count.normalize():,f}"


_HUNDREDTH = Decimal("0.01")
_ONE = Decimal(1)


def format_ratio(ratio: Decimal) -> str:
    """A ratio for people, rounded half up as money is: `2.13×` (for 2.125), `1,234×` from 100 on."""
    shown = ratio.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    if shown >= 100:
        return f"{ratio.quantize(_ONE, rounding=ROUND_HALF_UP):,}×"
    return f"{shown:,}×"


def _json_number(value: Decimal) -> float | int:
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


#: A `Decimal` inside, a JSON number at the edge (`model_dump(mode="json")`): money in US dollars.
Money = Annotated[Decimal, PlainSerializer(_json_number, when_used="json")]
#: Any other exact quantity shown as a JSON number (counts, GPU-seconds, ratios).
Number = Annotated[Decimal, PlainSerializer(_json_number, when_used="json")]
