"""Is it worth it? The value side of an estimate: value over the same period as the spend, and their ratio."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from costing.errors import EstimateError
from costing.lexicon import Period
from costing.money import Money, Number, format_count, format_usd
from costing.request import ValueSpec

__all__ = ["DAYS", "DEFAULT_WAGE", "ValueOutcome", "ValueResult", "value_of"]

#: Days in each period; a month is 365/12 days so that twelve months make a year.
DAYS = {
    Period.DAY: Decimal(1),
    Period.WEEK: Decimal(7),
    Period.MONTH: Decimal(365) / Decimal(12),
    Period.YEAR: Decimal(365),
}


_TWELFTHS = {Period.DAY: Decimal(12), Period.WEEK: Decimal(84), Period.MONTH: Decimal(365), Period.YEAR: Decimal(4380)}


def in_period(amount: Decimal, period: Period, wanted: Period) -> Decimal:
    """`amount`, which is over `period`, over `wanted` instead: through a day (a month is 365/12 days), and the
    amount itself for its own period. The one conversion between periods, wherever an amount is moved."""
    # In twelfths of a day, so that a month is a whole number (365) and one division is the only rounding.
    return amount if period == wanted else amount * _TWELFTHS[wanted] / _TWELFTHS[period]


#: Mean US software developer pay, $144,570 a year over 2,080 hours (BLS OEWS 2024).
DEFAULT_WAGE = Decimal("69.5")


class ValueResult(BaseModel):
    """What the workload is worth over the estimate's period, and how that compares with its spend."""

    model_config = ConfigDict(frozen=True)

    kind: str
    description: str
    total_usd: Money
    period: Period | None
    ratio: Number | None
    compute_ratio: Number | None
    break_even_unit_usd: Money | None
    payback_days: Number | None


@dataclass(frozen=True, slots=True)
class ValueOutcome:
    result: ValueResult
    assumptions: list[str]
    warnings: list[str]


def value_of(
    spec: ValueSpec,
    *,
    quantity: Decimal,
    users: Decimal | None,
    period: Period | None,
    api_total: Decimal,
    compute_total: Decimal,
    unit_noun: str,
    where: tuple[int, str] | None = None,
) -> ValueOutcome:
    """The value of a workload over the estimate's period, weighed against its spend.

    Args:
        spec: What the user said the workload is worth.
        quantity: Units for the estimate's period (or in all).
        users: The user base, if a count named people.
        period: The estimate's period, or None for a one-off.
        api_total: API spend for that period.
        compute_total: Compute cost for that period.
        unit_noun: What one unit is called (`video`, `request`), for the description.
        where: (position, text) of the value clause, for error messages.

    Raises:
        EstimateError: A per-user value without a user count.
    """
    assumptions: list[str] = []
    warnings: list[str] = []
    amount = spec.usd or DEFAULT_WAGE
    wage = amount
    if spec.kind == "saves":
        assert spec.minutes_saved is not None
        amount = spec.minutes_saved / 60 * wage
        if spec.usd is None:
            assumptions.append(
                f"Time saved valued at {format_usd(DEFAULT_WAGE)}/h, the mean US software developer wage "
                "(BLS OEWS 2024); add '@ $R/h' for your own rate."
            )
    label = {"value": "value", "revenue": "revenue", "saves": "time saved"}[spec.kind]
    saved = (
        f"saves {format_count(spec.minutes_saved.normalize())} min at {format_usd(wage)}/h = "  # type: ignore[union-attr]
        if spec.kind == "saves"
        else ""
    )

    if spec.basis == "unit":
        total = amount * quantity
        value_period = period
        description = f"{label}: {saved}{format_usd(amount)} per {unit_noun}"
        if not spec.basis_stated:
            assumptions.append(f"Value taken per {unit_noun}; write 'each', '/user/month' or '/month' to say which.")
    else:
        scale = Decimal(1)
        who = ""
        if spec.basis == "user":
            if users is None:
                position, typed = where or (None, None)
                raise EstimateError(
                    "A value per user needs a user count: add one such as 'x 1,000 users'.",
                    fragment=typed,
                    position=position,
                    example="chat 2k tokens x 200 devs x 20 per day value $20/user/month",
                )
            scale = users
            who = " per user"
        value_period = spec.period or period
        each = f" per {value_period}" if value_period else ""
        description = f"{label}: {saved}{format_usd(amount)}{who}{each}"
        total = amount * scale
        if value_period and period and value_period != period:
            total = in_period(total, value_period, period)
            value_period = period

    ratio = compute_ratio = break_even = payback = None
    if value_period == period:
        ratio = total / api_total if api_total > 0 else None
        compute_ratio = total / compute_total if compute_total > 0 else None
        break_even = total / quantity
    else:
        # A one-off spend against a recurring value: the question is how long until it pays back.
        per_day = in_period(total, value_period, "day")  # type: ignore[arg-type]
        payback = api_total / per_day if per_day > 0 else None
        warnings.append(
            f"The cost is one-off but the value is per {value_period}; showing the payback time instead of a "
            f"ratio. Add 'per {value_period}' to the workload to compare like with like."
        )
    result = ValueResult(
        kind=spec.kind,
        description=description,
        total_usd=total,
        period=value_period,
        ratio=ratio,
        compute_ratio=compute_ratio,
        break_even_unit_usd=break_even,
        payback_days=payback,
    )
    return ValueOutcome(result, assumptions, warnings)
