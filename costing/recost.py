"""A saved scenario re-costed with today's prices: what a digest reads of it, and one unit's cost.

Only the workload, the model it was saved with and the user's own prices set a unit price (`unit_key`), so a
digest of thousands of scenarios costs each distinct workload once (`unit_cost`'s memo).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from costing.catalog import Catalog
from costing.errors import EstimateError
from costing.estimate import estimate_request
from costing.language import parse_request
from costing.lexicon import Period
from costing.request import Subcommand

__all__ = ["SavedFigures", "SavedScenario", "ScenarioToDigest", "UnitCost", "unit_cost", "unit_key"]


class _PerUnit(Protocol):
    @property
    def unit_usd(self) -> Decimal: ...


class _ComputePerUnit(_PerUnit, Protocol):
    @property
    def low_usd(self) -> Decimal | None: ...
    @property
    def high_usd(self) -> Decimal | None: ...


class _Value(Protocol):
    @property
    def total_usd(self) -> Decimal: ...
    @property
    def period(self) -> Period | None: ...
    @property
    def description(self) -> str: ...


class SavedFigures(Protocol):
    """What the digest reads of a saved estimate: an `Estimate`, or the `EstimateFigures` read from storage."""

    @property
    def text(self) -> str: ...
    @property
    def sections(self) -> Mapping[str, str]: ...
    @property
    def model(self) -> str: ...
    @property
    def model_name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def period(self) -> Period | None: ...
    @property
    def api(self) -> _PerUnit: ...
    @property
    def compute(self) -> _ComputePerUnit: ...
    @property
    def value(self) -> _Value | None: ...


class ScenarioToDigest(Protocol):
    """What the digest reads of one saved scenario: a `SavedScenario`, or storage's own record of it."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def estimate(self) -> SavedFigures: ...
    @property
    def budget_usd_month(self) -> Decimal | None: ...
    @property
    def link(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SavedScenario:
    """What the digest needs of one saved scenario."""

    id: int
    name: str
    version: int
    #: Its figures as saved: the `Estimate`, or `EstimateFigures` read from storage.
    estimate: SavedFigures
    budget_usd_month: Decimal | None = None
    #: The scenario's thread in Slack, when its card was posted.
    link: str | None = None


@dataclass(frozen=True, slots=True)
class UnitCost:
    """One unit's API price and compute cost under the current catalog, and the price it came from."""

    api_usd: Decimal
    compute_usd: Decimal
    model_name: str
    price_description: str
    #: The compute range per unit: batched serving at scale to one request at a time.
    compute_low_usd: Decimal
    compute_high_usd: Decimal


def unit_key(estimate: SavedFigures) -> str:
    """What sets the unit price: the workload, the model it was saved with (not today's default) and the user's
    own prices, as text (`video 10s veo-3.1-fast`). Two scenarios with one key cost the same per unit."""
    sections = estimate.sections
    if not sections.get("workload"):
        return estimate.text
    model = sections.get("model") or estimate.model
    return " ".join(part for part in (sections.get("workload"), model, sections.get("price")) if part)


def unit_cost(
    estimate: SavedFigures, *, catalog: Catalog, at: datetime, memo: dict[str, UnitCost | str] | None = None
) -> UnitCost | str:
    """One unit of `estimate`'s workload on its model under `catalog`, or why it can't be costed any more.

    Only the workload, the model and the user's own prices set a unit price, so scenarios that differ in
    counts, period or value share one costing (`memo`, keyed by that text): a digest of thousands of
    scenarios costs each distinct workload once.
    """
    text = unit_key(estimate)
    if memo is not None and text in memo:
        return memo[text]
    result: UnitCost | str
    try:
        request = parse_request(text, model_names=catalog.model_names)
        if isinstance(request, Subcommand):  # cannot happen for a saved estimate's workload; said, not raised
            raise EstimateError(f"'{text}' reads as a command now")
        unit = estimate_request(request, catalog=catalog, at=at)
        result = UnitCost(
            unit.api.unit_usd,
            unit.compute.unit_usd,
            unit.model_name,
            unit.api.price.description,
            unit.compute.low_usd,
            unit.compute.high_usd,
        )
    except EstimateError as error:
        result = f"can't be re-costed with today's prices ({error.message}); showing the figures as saved"
    if memo is not None:
        memo[text] = result
    return result
