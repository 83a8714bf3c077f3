"""`estimate(text)`: one /cost line in, an `Estimate` out — API price and compute cost, per unit and in total.

The flow is parse → pick the model and its price → per-unit API and compute cost → multiply by the counts →
project over periods → weigh against the value. Every default taken on the way becomes an assumption string
and every caveat (retired model, user's own price) a warning, so the answer states what it assumed.
"""

from __future__ import annotations

import difflib
import functools
from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from costing import compute
from costing.catalog import Catalog, current_catalog
from costing.errors import EstimateError
from costing.language import parse_request
from costing.lexicon import EXAMPLES, PEOPLE_NOUNS, PERIODS
from costing.money import MAX_QUANTITY, Money, Number, format_count, format_usd
from costing.pricing import DEFAULT_MODELS, PriceSource, choose_model, quote
from costing.request import Request, Subcommand, check_fit
from costing.value import DAYS, ValueResult, value_of
from costing.workload import UNIT_NOUNS, Workload

__all__ = [
    "DEFAULT_MODELS",
    "ApiCost",
    "ComputeCost",
    "Estimate",
    "PriceSource",
    "ValueResult",
    "estimate",
    "estimate_request",
    "not_an_estimate",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ApiCost(_Frozen):
    unit_usd: Money
    total_usd: Money
    price: PriceSource


class ComputeCost(_Frozen):
    unit_usd: Money
    total_usd: Money
    gpu: str
    gpu_hour_usd: Money
    gpu_seconds_per_unit: Number
    projections: dict[str, Money] | None


class CountPart(_Frozen):
    value: Number
    noun: str | None


class Estimate(_Frozen):
    """What a workload costs: API price and compute cost, per unit and in total, with value where given."""

    text: str
    modality: str
    model: str
    model_name: str
    provider: str
    workload: str
    unit: str
    #: The parsed parts of the workload (seconds, resolution, tokens_in, …), for editing and re-costing.
    parts: dict[str, str | Number | bool]
    quantity: Number
    counts: list[CountPart]
    users: Number | None
    period: str | None
    api: ApiCost
    compute: ComputeCost
    projections: dict[str, Money] | None
    per_user_usd: Money | None
    value: ValueResult | None
    assumptions: list[str]
    warnings: list[str]
    #: The text cut into its sections (workload, model, counts, period, price, value) as typed, for editing.
    sections: dict[str, str]

    def headline(self) -> str:
        """One line with the figures that matter: `1,000,000 × 10 s video … = $1,000,000 (API) · $1.4M compute`."""
        when = f" per {self.period}" if self.period else ""
        text = (
            f"{format_count(self.quantity)} × {self.workload} on {self.model_name}{when}: "
            f"{format_usd(self.api.total_usd)} at API price, {format_usd(self.compute.total_usd)} in GPU compute"
        )
        if self.value is not None and self.value.ratio is not None:
            text += f"; value {format_usd(self.value.total_usd)} ({_ratio(self.value.ratio)} of API spend)"
        return text


def _ratio(ratio: Decimal) -> str:
    return f"{ratio:.2f}×" if ratio < 100 else f"{ratio:,.0f}×"


# --- the public entry point ------------------------------------------------------------------------------


def estimate(text: str, *, today: date | None = None) -> Estimate:
    """Cost one /cost line.

    Args:
        text: An estimate in the /cost language, e.g. `video 10s x 1M users`.
        today: The day whose prices apply (token prices can change on a date); today in UTC by default.

    Returns:
        The estimate; `.model_dump(mode="json")` is the `--json` object.

    Raises:
        EstimateError: The text is not an estimate (a subcommand, unknown words or models, bad numbers).
    """
    catalog = current_catalog()
    request = parse_request(text, model_names=catalog.model_names)
    if isinstance(request, Subcommand):
        raise not_an_estimate(request)
    return estimate_request(request, catalog=catalog, today=today)


def not_an_estimate(command: Subcommand) -> EstimateError:
    """The error for a subcommand given where an estimate was expected."""
    return EstimateError(
        f"'{command.name}' is a command, not an estimate; it works in Slack as /cost {command.name}.",
        example=EXAMPLES["video"],
    )


def estimate_request(request: Request, *, catalog: Catalog, today: date | None = None) -> Estimate:
    """Cost an already parsed request against `catalog` (see `estimate`)."""
    today = today or datetime.now(UTC).date()
    assumptions: list[str] = []
    warnings: list[str] = []

    choice = choose_model(request, catalog=catalog, today=today, assumptions=assumptions)
    modality, model_id = choice.modality, choice.model_id
    check_fit(request, modality)
    work = Workload.of(request, modality, choice.entry, assumptions)
    price = quote(choice, work, request, catalog=catalog, warnings=warnings)
    unit_usd = price.unit_usd

    # --- compute per unit ---
    gpu = compute.default_gpu()
    gpu_rate = request.gpu_hour_usd or gpu.usd_per_hour
    result = compute.gpu_seconds(
        modality,
        model_id=model_id,
        seconds=work.seconds,
        resolution=work.resolution,
        quality=work.quality,
        size=work.size,
        tokens_in=work.tokens_in,
        tokens_out=work.tokens_out,
        chars=work.chars,
    )
    compute_unit = compute.gpu_usd(result.gpu_seconds, gpu_rate)
    rate_note = "your rate" if request.gpu_hour_usd else gpu.basis
    assumptions.append(
        f"Compute: {_gpu_seconds_text(result.gpu_seconds)} GPU-seconds per {UNIT_NOUNS[modality]} on an "
        f"{gpu.name} at {format_usd(gpu_rate)}/h ({rate_note})."
    )
    assumptions.extend(result.assumptions)
    assumptions.append(
        "Compute is raw GPU time for one request at a time; batching, distillation and caching in production "
        "can make it several times cheaper, and it excludes staff, networking and margin."
    )

    # --- totals, projections, value ---
    quantity = request.quantity
    if quantity > MAX_QUANTITY:
        counts = " ".join(f"x {format_count(c.value)}" for c in request.counts)
        raise EstimateError(
            f"The counts ({counts}) multiply to {quantity:.3g} {UNIT_NOUNS[modality]}s, more than any real workload "
            f"({MAX_QUANTITY:.0e} at most). Check them: counts multiply, so each count should appear once.",
            example=EXAMPLES[modality],
        )
    total_api = unit_usd * quantity
    total_compute = compute_unit * quantity
    period = request.period
    projections = _project(total_api, period)
    compute_projections = _project(total_compute, period)
    users = request.users
    per_user = total_api / users if users else None
    value = None
    if request.value is not None:
        value = value_of(
            request.value,
            quantity=quantity,
            users=users,
            period=period,
            api_total=total_api,
            compute_total=total_compute,
            unit_noun=UNIT_NOUNS[modality],
            where=request.where.get("value"),
        )
        assumptions.extend(value.assumptions)
        warnings.extend(value.warnings)
    if not request.counts:
        assumptions.append(f"No count given: one {UNIT_NOUNS[modality]}. Add 'x 1M users' to scale it.")
    warnings.extend(_people_typos(request))

    return Estimate(
        text=request.text,
        modality=modality,
        model=model_id,
        model_name=choice.name,
        provider=choice.provider,
        workload=work.description,
        unit=UNIT_NOUNS[modality],
        parts=work.parts,
        quantity=quantity,
        counts=[CountPart(value=c.value, noun=c.noun) for c in request.counts],
        users=users,
        period=period,
        api=ApiCost(unit_usd=unit_usd, total_usd=total_api, price=price.source),
        compute=ComputeCost(
            unit_usd=compute_unit,
            total_usd=total_compute,
            gpu=gpu.name,
            gpu_hour_usd=gpu_rate,
            gpu_seconds_per_unit=result.gpu_seconds,
            projections=compute_projections,
        ),
        projections=projections,
        per_user_usd=per_user,
        value=None if value is None else value.result,
        assumptions=assumptions,
        warnings=warnings,
        sections=request.sections(),
    )


def _people_typos(request: Request) -> list[str]:
    """`x 1M usres` counts, but as plain units: say so, since per-user figures silently vanish otherwise."""
    if request.users is not None:
        return []
    notes = []
    for count in request.counts:
        close = _close_people_noun(count.noun) if count.noun else None
        if close:
            notes.append(
                f"'{count.noun}' is counted as plain units, not people, so there are no per-user figures. "
                f"Did you mean '{close}'?"
            )
    return notes


@functools.lru_cache(maxsize=1024)
def _close_people_noun(noun: str) -> str | None:
    close = difflib.get_close_matches(noun, PEOPLE_NOUNS, n=1, cutoff=0.8)
    return close[0] if close else None


def _gpu_seconds_text(seconds: Decimal) -> str:
    if seconds >= 10:
        return format_count(seconds.quantize(Decimal(1)))
    return f"{seconds:.2g}" if seconds < Decimal("0.01") else format_count(seconds.quantize(Decimal("0.01")))


def _project(total: Decimal, period: str | None) -> dict[str, Decimal] | None:
    if period is None:
        return None
    per_day = total / DAYS[period]
    return {p: total if p == period else per_day * DAYS[p] for p in PERIODS}
