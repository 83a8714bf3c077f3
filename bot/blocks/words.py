"""How figures and lists are worded in every view: signed amounts, moves, budget shares, plurals, "and N more"."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from costing import format_ratio, format_usd

__all__ = ["and_more", "budget_share", "move", "pays_back", "pct", "plural", "share", "signed_usd"]


def signed_usd(amount: Decimal) -> str:
    return f"+{format_usd(amount)}" if amount > 0 else format_usd(amount)


def pct(pct: Decimal) -> str:
    if 0 < abs(pct) < Decimal("0.05"):  # a real move too small for one decimal: not "+0.0%"
        return f"{'+' if pct > 0 else '-'}<0.1%"
    return f"{pct:+.1f}%" if abs(pct) < 10 else f"{pct:+,.0f}%"


def move(delta: Decimal, before: Decimal, per: str = "") -> str:
    """`+12% (+$1,200)`, or `+$1,200 (from $0)` when there was nothing before; `per` follows the amount."""
    if before:
        return f"{pct(delta / before * 100)} ({signed_usd(delta)}{per})"
    return f"{signed_usd(delta)}{per} (from $0)"


def budget_share(spend: Decimal, budget: Decimal) -> Decimal:
    """Spend as a whole percentage of a (non-zero) budget, rounded away from 100% on the side it is on: just
    over budget never reads "100%"."""
    rounding = ROUND_CEILING if spend > budget else ROUND_FLOOR
    return (spend / budget * 100).quantize(Decimal(1), rounding=rounding)


def share(spend: Decimal, budget: Decimal) -> str:
    """`62%`, `1,250%`: `budget_share` as shown."""
    return f"{budget_share(spend, budget):,}%"


def plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def and_more(shown: Sequence[str], total: int) -> str:
    names = ", ".join(shown)
    return f"{names} and {total - len(shown):,} more" if total > len(shown) else names


def pays_back(ratio: Decimal, spend: str = "API") -> str:
    """The verdict on value ÷ spend: `pays back: value 2.00× API spend`, `doesn't pay back: value 0.19× API
    spend`, and `about breaks even` for a ratio under 1 that rounds to 1.00× (never a self-contradicting
    `doesn't pay back (1.00×)`)."""
    said = f"value {format_ratio(ratio)} {spend} spend"
    if ratio >= 1:
        return f"pays back: {said}"
    word = "about breaks even" if format_ratio(ratio) == format_ratio(Decimal(1)) else "doesn't pay back"
    return f"{word}: {said}"
