"""The weekly digest's maths: a channel's saved scenarios re-costed and brought to one week, against last week.

Each scenario is re-costed with the current catalog (the model it was saved with, its workload and the user's
own prices; counts, period and value don't move a unit price), brought to a week, weighed against its value
and its budget, and compared with the figures the previous digest showed. A changed unit price is named as
the cause of a change; so is a new version saved in the scenario's thread.

Nothing here knows Slack or the database: scenarios come in as `ScenarioToDigest` (a `SavedScenario`, or
storage's own record of one), the previous digest as the
`snapshot()` it left behind, and the result is a `Digest` for the Block Kit and the chart to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from costing.catalog import Catalog
from costing.figures import (
    DigestSnapshot,
    SnapshotLine,
    SnapshotTotals,
)
from costing.lexicon import Period
from costing.money import format_usd
from costing.recost import SavedFigures, ScenarioToDigest, UnitCost, unit_cost, unit_key
from costing.value import in_period

__all__ = [
    "Cause",
    "CauseKind",
    "Change",
    "Digest",
    "DigestLine",
    "OneOff",
    "Totals",
    "build_digest",
]

#: A change smaller than this (in dollars a week) is rounding, not news.
_NOISE = Decimal("0.005")


class CauseKind(StrEnum):
    """Why a scenario's spend moved: a new version in its thread, its price, or its compute estimate."""

    VERSION = "version"
    PRICE = "price"
    COMPUTE = "compute"


@dataclass(frozen=True, slots=True)
class Cause:
    """One reason a scenario's spend moved, and how it moved: `price of Veo 3 $1.00 → $0.80 per video`."""

    kind: CauseKind
    #: What moved: `v1 → v2`, `$1.00 → $0.80 per video`.
    moved: str
    #: Whose price, for a price change (the model's name).
    model_name: str | None = None

    def __str__(self) -> str:
        if self.kind is CauseKind.VERSION:
            return f"changed in its thread ({self.moved})"
        if self.kind is CauseKind.PRICE:
            return f"price of {self.model_name} {self.moved}"
        return f"compute estimate {self.moved}"


@dataclass(frozen=True, slots=True)
class Change:
    """How a scenario's weekly API spend moved since the previous digest, and why."""

    previous_api_week: Decimal
    delta_usd: Decimal
    #: Percentage change; None when last week's spend was zero.
    pct: Decimal | None
    causes: tuple[Cause, ...]


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One recurring scenario's week: spend (API and compute), value, their ratio, budget, change."""

    id: int
    name: str
    link: str | None
    version: int
    model_name: str
    unit: str
    #: What sets its unit price (`unit_key`): a price change is only named when this is last week's too.
    unit_key: str
    api_unit_usd: Decimal
    compute_unit_usd: Decimal
    api_week: Decimal
    compute_week: Decimal
    #: API spend per month, from the period's spend as the estimate projects it (so that spending exactly a
    #: monthly budget is not "over" by a rounding of 7 ÷ (365/12)).
    api_month: Decimal
    #: Value for the week; None when the scenario states no value.
    value_week: Decimal | None
    budget_usd_month: Decimal | None
    #: Against the previous digest; None in the first digest or for a scenario new since then.
    change: Change | None
    is_new: bool
    #: Why the figures are the saved ones (the model is gone from the catalog, say); None when re-costed.
    not_recosted: str | None = None
    #: A price change since the scenario was saved, when there is no previous digest to compare with.
    price_note: str | None = None
    #: The week's compute from batched serving at scale to one request at a time; None for a scenario saved
    #: before compute had a range and shown as saved.
    compute_low_week: Decimal | None = None
    compute_high_week: Decimal | None = None

    @property
    def ratio(self) -> Decimal | None:
        """Value ÷ API spend for the week."""
        if self.value_week is None or self.api_week <= 0:
            return None
        return self.value_week / self.api_week

    @property
    def over_budget(self) -> bool:
        return self.budget_usd_month is not None and self.api_month > self.budget_usd_month

    @property
    def budget_share_pct(self) -> Decimal | None:
        """Monthly API spend as a share of the monthly budget; None without a budget (or a $0 one)."""
        if not self.budget_usd_month:
            return None
        return self.api_month / self.budget_usd_month * 100


@dataclass(frozen=True, slots=True)
class OneOff:
    """A scenario with no period: a cost paid once, shown apart from the weekly figures."""

    id: int
    name: str
    link: str | None
    model_name: str
    api_usd: Decimal
    compute_usd: Decimal
    #: Its value as stated (one-off, or per period with a payback time); None without one.
    value_description: str | None
    payback_days: Decimal | None
    not_recosted: str | None = None


@dataclass(frozen=True, slots=True)
class Totals:
    api_week: Decimal
    compute_week: Decimal
    #: Value of the scenarios that state one, and the API spend of those same scenarios.
    value_week: Decimal
    valued_api_week: Decimal
    #: The compute range of the week, over every line; None when a line has none (saved before ranges).
    compute_low_week: Decimal | None = None
    compute_high_week: Decimal | None = None

    @property
    def ratio(self) -> Decimal | None:
        """Value ÷ API spend over the scenarios that state a value (the others have nothing to weigh)."""
        return self.value_week / self.valued_api_week if self.valued_api_week > 0 else None

    @property
    def unvalued_api_week(self) -> Decimal:
        return self.api_week - self.valued_api_week


@dataclass(frozen=True, slots=True)
class Digest:
    """A channel's week: every recurring scenario (by API spend, highest first), one-off costs apart, totals."""

    lines: tuple[DigestLine, ...]
    one_offs: tuple[OneOff, ...]
    totals: Totals
    #: The previous digest's totals; None in the first digest.
    previous_totals: Totals | None
    #: Scenarios the previous digest showed that are gone now (deleted, or turned into one-off costs).
    removed: tuple[str, ...]
    #: Each unit price that changed since the previous digest, once per model: "Veo 3.1 $4.00 → $3.50 per video"
    #: (per unit of the first scenario on that model).
    price_changes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.one_offs

    def top_spenders(self, count: int = 3) -> tuple[DigestLine, ...]:
        return tuple(line for line in self.lines[:count] if line.api_week > 0)

    @property
    def unvalued(self) -> tuple[DigestLine, ...]:
        return tuple(line for line in self.lines if line.value_week is None)

    @property
    def over_budget(self) -> tuple[DigestLine, ...]:
        return tuple(line for line in self.lines if line.over_budget)

    @property
    def changed(self) -> tuple[DigestLine, ...]:
        """Lines whose weekly spend moved since the previous digest, biggest move first."""
        moved = [line for line in self.lines if line.change is not None and abs(line.change.delta_usd) >= _NOISE]
        return tuple(sorted(moved, key=lambda line: -abs(line.change.delta_usd)))  # type: ignore[union-attr]

    @property
    def new(self) -> tuple[DigestLine, ...]:
        return tuple(line for line in self.lines if line.is_new)

    def snapshot(self) -> dict[str, Any]:
        """What the next digest compares with (`DigestSnapshot`), as JSON with amounts as exact text."""
        return DigestSnapshot.of(self).stored()


# --- building the week ---------------------------------------------------------------------------------------


def _unit(estimate: SavedFigures, cost: UnitCost | str) -> tuple[Decimal, Decimal, str, str | None]:
    """Unit API price, unit compute cost, model name, and why they are the saved ones (None: re-costed)."""
    if isinstance(cost, str):
        return estimate.api.unit_usd, estimate.compute.unit_usd, estimate.model_name, cost
    return cost.api_usd, cost.compute_usd, cost.model_name, None


def _compute_range(estimate: SavedFigures, cost: UnitCost | str) -> tuple[Decimal, Decimal] | None:
    """Compute per unit from batched at scale to one at a time: re-costed, or as saved; None if saved without."""
    if not isinstance(cost, str):
        return cost.compute_low_usd, cost.compute_high_usd
    low, high = estimate.compute.low_usd, estimate.compute.high_usd
    return None if low is None or high is None else (low, high)


def _per_week(amount: Decimal, period: Period) -> Decimal:
    return in_period(amount, period, Period.WEEK)


def _value_week(estimate: SavedFigures) -> Decimal | None:
    value = estimate.value
    if value is None or value.period is None:
        return None
    return _per_week(value.total_usd, value.period)


def _line(
    scenario: ScenarioToDigest,
    cost: UnitCost | str,
    previous: SnapshotLine | None,
    *,
    has_previous: bool,
    known: bool,
) -> DigestLine:
    estimate = scenario.estimate
    assert estimate.period is not None
    api_unit, compute_unit, model_name, not_recosted = _unit(estimate, cost)
    key = unit_key(estimate)
    api_total = api_unit * estimate.quantity
    api_week = _per_week(api_total, estimate.period)
    compute_week = _per_week(compute_unit * estimate.quantity, estimate.period)
    low_week = high_week = None
    low_high = _compute_range(estimate, cost)
    if low_high is not None:
        low_week = _per_week(low_high[0] * estimate.quantity, estimate.period)
        high_week = _per_week(low_high[1] * estimate.quantity, estimate.period)
    change = None
    price_note = None
    if previous is not None:
        change = _change(api_week, api_unit, compute_unit, scenario, previous, estimate.unit, model_name, key)
    elif not has_previous and api_unit != estimate.api.unit_usd:
        price_note = (
            f"price changed since it was saved: {format_usd(estimate.api.unit_usd)} → {format_usd(api_unit)} "
            f"per {estimate.unit}"
        )
    return DigestLine(
        id=scenario.id,
        name=scenario.name,
        link=scenario.link,
        version=scenario.version,
        model_name=model_name,
        unit=estimate.unit,
        unit_key=key,
        api_unit_usd=api_unit,
        compute_unit_usd=compute_unit,
        api_week=api_week,
        compute_week=compute_week,
        api_month=in_period(api_total, estimate.period, Period.MONTH),
        value_week=_value_week(estimate),
        budget_usd_month=scenario.budget_usd_month,
        change=change,
        is_new=has_previous and not known,
        not_recosted=not_recosted,
        price_note=price_note,
        compute_low_week=low_week,
        compute_high_week=high_week,
    )


def _change(
    api_week: Decimal,
    api_unit: Decimal,
    compute_unit: Decimal,
    scenario: ScenarioToDigest,
    previous: SnapshotLine,
    unit: str,
    model_name: str,
    key: str,
) -> Change:
    causes = []
    if previous.version != scenario.version:
        causes.append(Cause(CauseKind.VERSION, f"v{previous.version} → v{scenario.version}"))
    # A unit price moved by itself only if the workload, model and own prices are last week's: a new version
    # that doubles the video's length is not a price change. The oldest snapshots don't say what set the price.
    before_key = previous.unit_key
    if before_key is None and previous.version == scenario.version:
        before_key = key
    same_workload = before_key == key
    if previous.api_unit_usd != api_unit and same_workload:
        moved = f"{format_usd(previous.api_unit_usd)} → {format_usd(api_unit)} per {unit}"
        causes.append(Cause(CauseKind.PRICE, moved, model_name))
    if previous.compute_unit_usd != compute_unit and same_workload:
        moved = f"{format_usd(previous.compute_unit_usd)} → {format_usd(compute_unit)} per {unit}"
        causes.append(Cause(CauseKind.COMPUTE, moved))
    before = previous.api_week
    delta = api_week - before
    pct = delta / before * 100 if before else None
    return Change(previous_api_week=before, delta_usd=delta, pct=pct, causes=tuple(causes))


def _totals(stored: SnapshotTotals | None) -> Totals | None:
    if stored is None:
        return None
    return Totals(
        stored.api_week,
        stored.compute_week,
        stored.value_week,
        stored.valued_api_week,
        stored.compute_low_week,
        stored.compute_high_week,
    )


def _sum_or_none(amounts: Iterable[Decimal | None]) -> Decimal | None:
    """The sum, or None when any is missing (a range over part of the lines would understate it)."""
    total = Decimal(0)
    for amount in amounts:
        if amount is None:
            return None
        total += amount
    return total


def build_digest(
    scenarios: Iterable[ScenarioToDigest],
    *,
    catalog: Catalog,
    at: datetime,
    previous: DigestSnapshot | Mapping[str, Any] | None = None,
    memo: dict[str, UnitCost | str] | None = None,
) -> Digest:
    """A channel's digest for the week.

    Args:
        scenarios: The channel's saved scenarios.
        catalog: The prices to re-cost with (the current catalog).
        at: The moment whose prices apply (the digest's due time).
        previous: The previous digest's snapshot (`Digest.snapshot()`, as stored), or None for the channel's first
            digest; a snapshot of another version counts as none.
        memo: Each distinct workload's unit cost, by its text (see `unit_cost`); pass one to share it across
            digests built at the same moment with the same catalog, or to see what was costed.
    """
    snapshot = DigestSnapshot.read(previous)
    before = snapshot.scenarios if snapshot is not None else {}
    damaged = snapshot.damaged if snapshot is not None else {}
    has_previous = snapshot is not None
    memo = {} if memo is None else memo
    lines: list[DigestLine] = []
    one_offs: list[OneOff] = []
    price_changes: dict[str, str] = {}
    for scenario in scenarios:
        estimate = scenario.estimate
        cost = unit_cost(estimate, catalog=catalog, at=at, memo=memo)
        if estimate.period is None:
            one_offs.append(_one_off(scenario, cost))
            continue
        key = str(scenario.id)
        known = key in before or key in damaged
        line = _line(scenario, cost, before.get(key), has_previous=has_previous, known=known)
        lines.append(line)
        for cause in line.change.causes if line.change else ():
            if cause.kind is CauseKind.PRICE:
                price_changes.setdefault(line.model_name, f"{cause.model_name} {cause.moved}")
    lines.sort(key=lambda line: (-line.api_week, line.name.casefold()))
    one_offs.sort(key=lambda item: (-item.api_usd, item.name.casefold()))
    present = {str(line.id) for line in lines}
    shown_before = {key: entry.name for key, entry in before.items()} | damaged
    removed = tuple(sorted(name for key, name in shown_before.items() if key not in present))
    return Digest(
        lines=tuple(lines),
        one_offs=tuple(one_offs),
        totals=Totals(
            api_week=sum((line.api_week for line in lines), Decimal(0)),
            compute_week=sum((line.compute_week for line in lines), Decimal(0)),
            value_week=sum((line.value_week for line in lines if line.value_week is not None), Decimal(0)),
            valued_api_week=sum((line.api_week for line in lines if line.value_week is not None), Decimal(0)),
            compute_low_week=_sum_or_none(line.compute_low_week for line in lines),
            compute_high_week=_sum_or_none(line.compute_high_week for line in lines),
        ),
        previous_totals=_totals(snapshot.totals if snapshot is not None else None),
        removed=removed,
        price_changes=tuple(price_changes.values()),
    )


def _one_off(scenario: ScenarioToDigest, cost: UnitCost | str) -> OneOff:
    estimate = scenario.estimate
    api_unit, compute_unit, model_name, not_recosted = _unit(estimate, cost)
    api = api_unit * estimate.quantity
    value = estimate.value
    payback = None
    if value is not None and value.period is not None and value.total_usd > 0:
        payback = api / in_period(value.total_usd, value.period, Period.DAY)
    return OneOff(
        id=scenario.id,
        name=scenario.name,
        link=scenario.link,
        model_name=model_name,
        api_usd=api,
        compute_usd=compute_unit * estimate.quantity,
        value_description=value.description if value is not None else None,
        payback_days=payback,
        not_recosted=not_recosted,
    )
