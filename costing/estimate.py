"""`estimate(text)`: one /cost line in, an `Estimate` out — API price and compute cost, per unit and in total.

The flow is parse → pick the model and its price → per-unit API and compute cost → multiply by the counts →
project over periods → weigh against the value. Every default taken on the way becomes an assumption string
and every caveat (retired model, user's own price) a warning, so the answer states what it assumed.
"""

from __future__ import annotations

import difflib
import functools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer, model_validator

from costing import compute
from costing.catalog import Catalog
from costing.choice import DEFAULT_MODELS, choose_model, default_model
from costing.errors import EstimateError
from costing.language import parse_request
from costing.lexicon import EXAMPLES, PEOPLE_NOUNS, PERIODS, Modality, Period
from costing.money import MAX_QUANTITY, Money, Number, format_count, format_ratio, format_usd
from costing.price_book import current_catalog
from costing.pricing import PriceSource, quote
from costing.request import Request, Subcommand, check_fit
from costing.value import ValueResult, in_period, value_of
from costing.workload import UNIT_NOUNS, Workload

__all__ = [
    "DEFAULT_MODELS",
    "ApiCost",
    "ComputeCost",
    "Estimate",
    "PriceSource",
    "ValueResult",
    "WorkloadParts",
    "default_model",
    "estimate",
    "estimate_request",
    "not_an_estimate",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class WorkloadParts(_Frozen):
    """The parsed parts of the workload that priced an estimate, each with its own type; only those the
    workload has are set, and only those are written out (`{"seconds": 10, "resolution": "720p"}`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seconds: Number | None = None
    resolution: str | None = None
    audio: bool | None = None
    quality: str | None = None
    size: str | None = None
    tokens_in: Number | None = None
    tokens_out: Number | None = None
    chars: Number | None = None
    steps: Number | None = None

    @model_serializer(mode="wrap")
    def _set_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {name: value for name, value in handler(self).items() if value is not None}


class ApiCost(_Frozen):
    unit_usd: Money
    total_usd: Money
    price: PriceSource


class ComputeCost(_Frozen):
    """GPU compute per unit and in total: the point an answer leads with (serving at scale), and its range from
    batched serving at scale (`low`) to one request at a time (`high`)."""

    unit_usd: Money
    total_usd: Money
    low_usd: Money
    high_usd: Money
    total_low_usd: Money
    total_high_usd: Money
    gpu: str
    gpu_hour_usd: Money
    gpu_seconds_per_unit: Number
    projections: dict[str, Money] | None
    #: The family the model was costed as, why, and each figure's measurement and source.
    basis: dict[str, Any]

    @model_validator(mode="before")
    @classmethod
    def _saved_before_ranges(cls, data: Any) -> Any:
        # Estimates saved before compute had ranges carry one figure: it is low, point and high alike.
        if isinstance(data, dict) and "low_usd" not in data and "unit_usd" in data:
            data = {
                **data,
                "low_usd": data["unit_usd"],
                "high_usd": data["unit_usd"],
                "total_low_usd": data.get("total_usd"),
                "total_high_usd": data.get("total_usd"),
                "basis": {"family": None, "why": "saved before compute was calibrated per family (one figure)"},
            }
        return data


class CountPart(_Frozen):
    value: Number
    noun: str | None


class Estimate(_Frozen):
    """What a workload costs: API price and compute cost, per unit and in total, with value where given."""

    text: str
    modality: Modality
    model: str
    model_name: str
    provider: str
    workload: str
    unit: str
    #: The parsed parts of the workload (seconds, resolution, tokens_in, …), for editing and re-costing.
    parts: WorkloadParts
    quantity: Number
    counts: list[CountPart]
    users: Number | None
    period: Period | None
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
            f"{format_usd(self.api.total_usd)} at {'your' if self.api.price.override else 'API'} price, "
            f"{format_usd(self.compute.total_usd)} in GPU compute"
        )
        if self.compute.total_low_usd != self.compute.total_high_usd:
            text += f" ({format_usd(self.compute.total_low_usd)}–{format_usd(self.compute.total_high_usd)})"
        if self.value is not None and self.value.ratio is not None:
            spend = "your-price" if self.api.price.override else "API"
            text += f"; value {format_usd(self.value.total_usd)} ({format_ratio(self.value.ratio)} of {spend} spend)"
        return text


# --- the public entry point ------------------------------------------------------------------------------


def estimate(text: str, *, at: datetime | None = None) -> Estimate:
    """Cost one /cost line.

    Args:
        text: An estimate in the /cost language, e.g. `video 10s x 1M users`.
        at: The moment whose prices apply (token prices change on dates and by the time of day; models shut
            down); now by default.

    Returns:
        The estimate; `.model_dump(mode="json")` is the `--json` object.

    Raises:
        EstimateError: The text is not an estimate (a subcommand, unknown words or models, bad numbers).
    """
    catalog = current_catalog()
    request = parse_request(text, model_names=catalog.model_names)
    if isinstance(request, Subcommand):
        raise not_an_estimate(request)
    return estimate_request(request, catalog=catalog, at=at)


def not_an_estimate(command: Subcommand) -> EstimateError:
    """The error for a subcommand given where an estimate was expected."""
    return EstimateError(
        f"'{command.name}' is a command, not an estimate; it works in Slack as /cost {command.name}.",
        example=EXAMPLES["video"],
    )


def estimate_request(request: Request, *, catalog: Catalog, at: datetime | None = None) -> Estimate:
    """Cost an already parsed request against `catalog` (see `estimate`)."""
    at = at or datetime.now(UTC)
    assumptions: list[str] = []
    warnings: list[str] = []

    choice = choose_model(request, catalog=catalog, at=at, assumptions=assumptions, warnings=warnings)
    modality, model_id = choice.modality, choice.model_id
    check_fit(request, modality)
    work = Workload.of(request, modality, choice.entry, assumptions)
    price = quote(choice, work, request, catalog=catalog, at=at, warnings=warnings)
    unit_usd = price.unit_usd

    # --- compute per unit ---
    figures = compute.estimate_compute(
        model_id,
        modality,
        _compute_work(work, modality),
        catalog_model=choice.entry is not None and choice.token_price is None,
        family=choice.entry.compute_family if choice.entry is not None else None,
        usd_per_hour=request.gpu_hour_usd,
        quality=work.quality,
    )
    assumptions.extend(_compute_notes(figures, UNIT_NOUNS[modality], own_rate=request.gpu_hour_usd is not None))
    if modality == "embed" and work.tokens_in > _EMBED_CHUNK:
        assumptions.append(
            f"Embedding compute reads the input in pieces of {_EMBED_CHUNK:,.0f} tokens (OpenAI's limit per input)."
        )
    warnings.extend(figures.warnings)
    compute_unit = figures.point.usd

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
    point = figures.point
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

    # Validated from one mapping: pydantic builds the nested parts as it validates, cheaper than building each.
    return Estimate.model_validate(
        {
            "text": request.text,
            "modality": modality,
            "model": model_id,
            "model_name": choice.name,
            "provider": choice.provider,
            "workload": work.description,
            "unit": UNIT_NOUNS[modality],
            "parts": work.parts,
            "quantity": quantity,
            "counts": [{"value": c.value, "noun": c.noun} for c in request.counts],
            "users": users,
            "period": period,
            "api": {"unit_usd": unit_usd, "total_usd": total_api, "price": price.source},
            "compute": {
                "unit_usd": compute_unit,
                "total_usd": total_compute,
                "low_usd": figures.low.usd,
                "high_usd": figures.high.usd,
                "total_low_usd": figures.low.usd * quantity,
                "total_high_usd": figures.high.usd * quantity,
                "gpu": point.hardware.name,
                "gpu_hour_usd": point.usd_per_hour,
                "gpu_seconds_per_unit": point.gpu_seconds,
                "projections": compute_projections,
                "basis": figures.basis(),
            },
            "projections": projections,
            "per_user_usd": per_user,
            "value": None if value is None else value.result,
            "assumptions": assumptions,
            "warnings": warnings,
            "sections": request.sections(),
        }
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


#: Pixels of a video frame for each resolution word.
_VIDEO_PIXELS = {
    "480p": 854 * 480,
    "512p": 912 * 512,
    "540p": 960 * 540,
    "576p": 1024 * 576,
    "720p": 1280 * 720,
    "768p": 1366 * 768,
    "1024p": 1792 * 1024,
    "1080p": 1920 * 1080,
    "1440p": 2560 * 1440,
    "4k": 3840 * 2160,
}


#: OpenAI's limit on one embedding input: how large a piece an embedding model reads at once.
_EMBED_CHUNK = 8192.0


def _compute_work(work: Workload, modality: Modality) -> compute.Work:
    """The workload as the compute model sees it: per request for tokens, per image, per clip, per audio."""
    if modality == "video":
        return compute.Work(pixels=_VIDEO_PIXELS.get(work.resolution or "720p"), seconds=float(work.seconds or 0))
    if modality == "image":
        width, height = (int(n) for n in str(work.size or work.parts.get("size") or "1024x1024").split("x"))
        return compute.Work(pixels=width * height)
    if modality in {"tts", "transcribe"}:
        return compute.Work(seconds=float(work.seconds or 0))
    if modality == "embed":  # an embedding model reads its input in pieces of at most _EMBED_CHUNK tokens
        tokens = float(work.tokens_in)
        chunk = min(tokens, _EMBED_CHUNK) or 1.0
        return compute.Work(tokens_in=chunk, requests=tokens / chunk)
    requests = float(work.requests)
    return compute.Work(
        tokens_in=float(work.tokens_in) / requests, tokens_out=float(work.tokens_out) / requests, requests=requests
    )


def _compute_notes(figures: compute.ComputeEstimate, unit: str, *, own_rate: bool) -> list[str]:
    point, low, high = figures.point, figures.low, figures.high
    return [
        f"Compute: {_gpu_seconds_text(point.gpu_seconds)} GPU-seconds per {unit} "
        f"{_on_hardware(point.hardware.name, point.usd_per_hour, None if own_rate else point.hardware.rate_basis)}, "
        f"serving at scale; from {format_usd(low.usd)} (batched at scale) to {format_usd(high.usd)} (one request at "
        "a time).",
        _family_note(figures.family.name, figures.why),
        *figures.assumptions,
        _RAW_TIME,
    ]


@functools.lru_cache(maxsize=64)
def _on_hardware(name: str, usd_per_hour: Decimal, basis: str | None) -> str:
    return f"on an {name} at {format_usd(usd_per_hour)}/h ({basis or 'your rate'})"


_RAW_TIME = "Compute is raw GPU time; it excludes staff, networking, idle capacity and margin."


@functools.lru_cache(maxsize=256)
def _family_note(name: str, why: str) -> str:
    return f"Compute costed as {name}: {why}."


def _gpu_seconds_text(seconds: Decimal) -> str:
    if seconds >= 10:
        return format_count(seconds.quantize(Decimal(1)))
    return f"{seconds:.2g}" if seconds < Decimal("0.01") else format_count(seconds.quantize(Decimal("0.01")))


def _project(total: Decimal, period: Period | None) -> dict[str, Decimal] | None:
    if period is None:
        return None
    return {p: in_period(total, period, p) for p in PERIODS}
