"""The difference between two estimates, for `/cost compare A B` and for a what-if's "old → new, ±$, ±%".

Totals are only compared like for like. Two estimates over the same period compare that period's totals; over
different periods, their monthly projections; two one-offs, their totals in all. A periodic estimate against a
one-off has no common basis: the stated totals are compared, and a note says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from costing.estimate import Estimate
from costing.lexicon import Period
from costing.money import format_count, format_ratio, format_usd
from costing.sources import source_words
from costing.value import in_period

__all__ = ["KINDS", "MINUS", "Comparison", "Difference", "compare_estimates"]

#: What a `Difference` measures: dollars, a count of units, or a dimensionless ratio.
KINDS = ("usd", "count", "ratio")
#: The sign of a decrease in `Difference.describe` (the typographic minus, as in "−$500, −40%").
MINUS = "−"

# Decimal division carries 28 digits; two amounts this close are the same amount reached by different arithmetic.
_SAME = Decimal("1e-20")


@dataclass(frozen=True, slots=True)
class Difference:
    """One figure before and after: `API spend per month: $1,000,000 → $2,000,000 (+$1,000,000, +100%)`.

    Attributes:
        label: What the figure is, e.g. "API spend per month", "API spend per user per month", "value ÷ API spend".
        old: The figure in the old estimate, or None where it has none (no value given).
        new: The figure in the new estimate, or None.
        kind: One of `KINDS`: "usd", "count" or "ratio".
    """

    label: str
    old: Decimal | None
    new: Decimal | None
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")

    @property
    def delta(self) -> Decimal | None:
        """New minus old; None when either side is missing."""
        if self.old is None or self.new is None:
            return None
        return Decimal(0) if self.unchanged else self.new - self.old

    @property
    def pct(self) -> Decimal | None:
        """The change as a percentage of the old figure; None when old is zero or either side is missing."""
        delta = self.delta
        if delta is None or self.old is None or self.old == 0:
            return None
        return delta / self.old * 100

    @property
    def unchanged(self) -> bool:
        """Both sides missing, or both the same figure."""
        if self.old is None or self.new is None:
            return self.old is None and self.new is None
        return abs(self.new - self.old) <= max(abs(self.old), abs(self.new)) * _SAME

    def describe(self) -> str:
        """The change for people: `$1,000,000 → $2,000,000 (+$1,000,000, +100%)`, `$20 (unchanged)`.

        Increases carry `+`, decreases `MINUS`; the percentage is left out when the old figure is zero, and a
        missing side reads "none".
        """
        if self.old is None and self.new is None:
            return "none"
        if self.old is None or self.new is None:
            return f"{self._text(self.old)} → {self._text(self.new)}"
        if self.unchanged:
            return f"{self._text(self.old)} (unchanged)"
        delta, pct = self.delta, self.pct
        assert delta is not None
        sign = "+" if delta > 0 else MINUS
        change = f"{sign}{self._text(abs(delta))}"
        if pct is not None:
            change += f", {sign}{_percent(abs(pct))}"
        return f"{self._text(self.old)} → {self._text(self.new)} ({change})"

    def _text(self, amount: Decimal | None) -> str:
        if amount is None:
            return "none"
        if self.kind == "usd":
            return format_usd(amount)
        if self.kind == "ratio":
            return format_ratio(amount)
        return _count(amount)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two estimates side by side.

    Attributes:
        basis: What the totals are over: "per day" (both per day), "per month" (different periods, projected),
            "in all" (both one-off) or "as stated" (one periodic, one one-off: see `notes`).
        differences: The figures, old and new, in reading order.
        changes: What changed that isn't a number: ("model", "Sora 2", "Veo 3.1 Fast"), ("workload", …),
            ("period", "per day", "one-off"), ("price source", …), ("value", …).
        notes: Caveats for reading the figures, e.g. that a one-off and a daily total aren't like for like.
    """

    basis: str
    differences: tuple[Difference, ...]
    changes: tuple[tuple[str, str, str], ...]
    notes: tuple[str, ...]

    @property
    def same(self) -> bool:
        """Nothing differs: every figure is unchanged, and nothing else changed either."""
        return not self.changes and all(d.unchanged for d in self.differences)


def _plural(noun: str) -> str:
    """`videos`, `embedding batches`, `agent runs`."""
    return f"{noun}es" if noun.endswith(("ch", "sh", "s", "x")) else f"{noun}s"


def compare_estimates(old: Estimate, new: Estimate) -> Comparison:
    """Compare two estimates figure by figure, on a basis that is like for like where one exists.

    Args:
        old: The estimate before (the saved scenario, or A in `/cost compare A B`).
        new: The estimate after (the what-if, or B).

    Returns:
        The comparison: API price per unit, API spend and GPU compute on the common basis, per-user spend when
        both have users, units, and value rows when either has a value.
    """
    notes: list[str] = []
    target, basis = _basis(old.period, new.period)
    if old.period and new.period and old.period != new.period:
        notes.append(
            f"The old estimate is per {old.period} and the new one per {new.period}; both are shown per month "
            "(a month is 365/12 days)."
        )
    elif bool(old.period) != bool(new.period):
        periodic, one_off = ("old", "new") if old.period else ("new", "old")
        period = old.period or new.period
        notes.append(
            f"The {periodic} estimate is per {period} and the {one_off} one is a one-off total, so the totals "
            f"aren't like for like. Add 'per {period}' to the {one_off} one to compare them."
        )
    if old.unit != new.unit:
        notes.append(
            f"The old estimate counts {old.unit}s and the new one {new.unit}s, so the prices per unit and the unit "
            "counts aren't like for like."
        )

    differences = [
        Difference("API price per unit", old.api.unit_usd, new.api.unit_usd, "usd"),
        Difference(f"API spend {basis}", _api(old, target), _api(new, target), "usd"),
        Difference(f"GPU compute {basis}", _compute(old, target), _compute(new, target), "usd"),
    ]
    if old.users and new.users:
        per_user = (_api(old, target) / old.users, _api(new, target) / new.users)
        differences.append(Difference(f"API spend per user {basis}", *per_user, kind="usd"))
    units = (_scaled(old, old.quantity, target), _scaled(new, new.quantity, target))
    counted = _plural(old.unit) if old.unit == new.unit else "units"  # `videos per month`, not `units`
    differences.append(Difference(f"{counted} {basis}", *units, kind="count"))
    if old.value is not None or new.value is not None:
        differences.extend(_value_rows(old, new, target, basis, notes))

    return Comparison(
        basis=basis,
        differences=tuple(differences),
        changes=_changes(old, new),
        notes=tuple(notes),
    )


# --- bases ----------------------------------------------------------------------------------------------------


def _basis(old_period: Period | None, new_period: Period | None) -> tuple[Period | None, str]:
    """(The period totals are brought to, or None to take them as stated; its label)."""
    if old_period and new_period:
        target = old_period if old_period == new_period else Period.MONTH
        return target, f"per {target}"
    if not old_period and not new_period:
        return None, "in all"
    return None, "as stated"


def _scaled(estimate: Estimate, amount: Decimal, target: Period | None, period: Period | None = None) -> Decimal:
    """`amount`, which is over `period` (the estimate's own by default), brought to `target`."""
    period = period or estimate.period
    if target is None or period is None or period == target:
        return amount
    return in_period(amount, period, target)


def _api(estimate: Estimate, target: Period | None) -> Decimal:
    if target is not None and estimate.projections is not None:
        return estimate.projections[target]
    return estimate.api.total_usd


def _compute(estimate: Estimate, target: Period | None) -> Decimal:
    if target is not None and estimate.compute.projections is not None:
        return estimate.compute.projections[target]
    return estimate.compute.total_usd


def _value_rows(old: Estimate, new: Estimate, target: Period | None, basis: str, notes: list[str]) -> list[Difference]:
    values = [e.value for e in (old, new)]
    if target is not None:
        label = f"value {basis}"
    else:
        # One-off spend: the value is as stated, per its own period when it recurs (`value $20/user/month`).
        periods = {v.period for v in values if v is not None}
        if len(periods) == 1:
            (period,) = periods
            label = f"value per {period}" if period else f"value {basis}"
        else:
            label = "value as stated"
            shown = [f"per {v.period}" if v.period else "in all" for v in values if v is not None]
            notes.append(f"The values are over different periods ({shown[0]} and {shown[1]}): not like for like.")
    rows = [
        Difference(
            label,
            None if old.value is None else _scaled(old, old.value.total_usd, target, old.value.period),
            None if new.value is None else _scaled(new, new.value.total_usd, target, new.value.period),
            "usd",
        )
    ]
    ratios = [None if v is None else v.ratio for v in values]
    if any(r is not None for r in ratios):
        rows.append(Difference("value ÷ API spend", ratios[0], ratios[1], "ratio"))
    return rows


# --- what isn't a number --------------------------------------------------------------------------------------


def _changes(old: Estimate, new: Estimate) -> tuple[tuple[str, str, str], ...]:
    pairs = [
        ("workload", old.workload, new.workload),
        ("model", old.model_name, new.model_name),
        ("period", _period(old.period), _period(new.period)),
        ("price source", _source(old), _source(new)),
        ("value", _value(old), _value(new)),
    ]
    changes = [(what, before, after) for what, before, after in pairs if before != after]
    if old.model != new.model and not any(what == "model" for what, _, _ in changes):
        changes.append(("model", old.model, new.model))  # two models with one display name
    return tuple(changes)


def _period(period: str | None) -> str:
    return f"per {period}" if period else "one-off"


def _source(estimate: Estimate) -> str:
    """Where the price comes from, in words (`list price: the provider's price page, checked 2026-11-20`): no
    URL in a what-if's or a comparison's lines; the estimate's own sources link it."""
    price = estimate.api.price
    return "your price" if price.override else f"list price: {source_words(price)}"


def _value(estimate: Estimate) -> str:
    return estimate.value.description if estimate.value is not None else "none"


# --- numbers for people ---------------------------------------------------------------------------------------


def _percent(pct: Decimal) -> str:
    """12.5%, 100%, 1,900%; a change too small to show at one decimal is <0.1%."""
    if pct >= 1000:
        return f"{pct.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}%"
    rounded = pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return "<0.1%"
    text = f"{rounded:,}"
    return f"{text.removesuffix('.0')}%"


def _count(count: Decimal) -> str:
    """Units are counted whole (`8,690,476 per month`, not `8,690,476.19`); below ten, to the hundredth, so a
    fraction of a unit a day still shows."""
    if count != count.to_integral_value():
        step = Decimal(1) if abs(count) >= 10 else Decimal("0.01")
        count = count.quantize(step, rounding=ROUND_HALF_UP)
    return format_count(count)
