"""The price of one unit: the catalog's list price, genai-prices' token price, or the user's own.

Every price comes back with where it came from (`PriceSource`), and every caveat — a retired model, a preview
price, an override, a discount — as a warning the answer shows. Which model is priced is `costing.choice`'s job.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict

from costing.catalog import Catalog, PriceEntry
from costing.choice import TOKEN_MODALITIES, ModelChoice
from costing.errors import EstimateError
from costing.lexicon import WORKLOAD_PHRASES, Modality
from costing.lifecycle import Lifecycle
from costing.money import format_count, format_usd
from costing.request import PriceOverride, Request
from costing.tokens import TokenPrice
from costing.workload import Workload

__all__ = ["PriceSource", "Quote", "quote"]

_MTOK = Decimal(1_000_000)


class PriceSource(BaseModel):
    """The price an estimate used: list price (with source and date) or the user's own."""

    model_config = ConfigDict(frozen=True)

    description: str
    source: str
    checked: date | None
    kind: str
    status: str
    status_date: date | None
    override: bool
    #: The announced shutdown (deprecated) or the day it was shut down (retired), and the provider's advice.
    shutdown: date | None = None
    replacement: str | None = None
    #: Where a token price's data comes from (`genai-prices 0.2.3 data of 2026-11-10`); None for the catalog.
    data: str | None = None


class Quote(NamedTuple):
    """The API price of one unit of work, and where it comes from."""

    unit_usd: Decimal
    source: PriceSource


def quote(
    choice: ModelChoice, work: Workload, request: Request, *, catalog: Catalog, at: datetime, warnings: list[str]
) -> Quote:
    """The API price of one unit of `work` on `choice`: list price, or the user's, less any discount.

    The model's status is worked out for the day of `at` (a deprecated model past its shutdown is retired) and
    said in `warnings`, with the provider's recommended replacement.
    """
    if choice.token_priced:
        unit_usd, source = _token_unit_price(choice.modality, work, choice.entry, choice.token_price, request, warnings)
    else:
        assert choice.entry is not None
        unit_usd, source = _catalog_unit_price(work, choice.entry, request, catalog, warnings)
    if request.discount_pct is not None:
        unit_usd = unit_usd * (100 - request.discount_pct) / 100
        warnings.append(f"{format_count(request.discount_pct)}% discount applied to the API price.")
    life = choice.lifecycle
    day = at.date()
    status, note = _status_on(life, choice.name, choice.provider, day)
    if note is not None:
        warnings.append(note)
    return Quote(unit_usd, _dated(source, status, life.shutdown, life.replacement))


def _status_on(life: Lifecycle, name: str, provider: str, day: date) -> tuple[str, str | None]:
    """A model's status on `day`, and what the answer must say about it (worked out once per model and day)."""
    extra = (name, provider, day)
    found = _STATUSES.get(life, extra)
    if found is None:
        found = (str(life.status_on(day)), life.warning(name, provider, day))
        _STATUSES.put(life, extra, found)
    return found


_K = TypeVar("_K")
_V = TypeVar("_V")


def _dated(source: PriceSource, status: str, shutdown: date | None, replacement: str | None) -> PriceSource:
    """The source with the model's status on the day asked about (one copy per source and status)."""
    extra = (status, shutdown, replacement)
    dated = _DATED.get(source, extra)
    if dated is None:
        dated = source.model_copy(update={"status": status, "shutdown": shutdown, "replacement": replacement})
        _DATED.put(source, extra, dated)
    return dated


class _ByIdentity(Generic[_K, _V]):
    """A bounded memo keyed by an object's identity and a few plain values, for immutable objects that are
    costly to hash (pydantic models, nested tuples). Each entry keeps its object alive, so the id can't be
    reused by another object while the entry lasts."""

    def __init__(self, limit: int = 4096) -> None:
        self._memo: dict[tuple[object, ...], tuple[_K, _V]] = {}
        self._limit = limit

    def get(self, obj: _K, extra: tuple[object, ...] = ()) -> _V | None:
        hit = self._memo.get((id(obj), *extra))
        return hit[1] if hit is not None and hit[0] is obj else None

    def put(self, obj: _K, extra: tuple[object, ...], value: _V) -> None:
        if len(self._memo) >= self._limit:
            self._memo.clear()
        self._memo[(id(obj), *extra)] = (obj, value)


_DATED: _ByIdentity[PriceSource, PriceSource] = _ByIdentity()
_STATUSES: _ByIdentity[Lifecycle, tuple[str, str | None]] = _ByIdentity()


_OVERRIDE_FITS = {
    "video": {"second", "request"},
    "image": {"image", "request"},
    "tts": {"char", "second", "request"},
    "transcribe": {"second", "request"},
    "chat": {"input_token", "output_token", "token", "request"},
    "agent": {"input_token", "output_token", "token", "request"},
    "embed": {"input_token", "token", "request"},
}


def _check_overrides(request: Request, modality: Modality) -> None:
    if len(request.prices) > 1 and modality not in TOKEN_MODALITIES:
        position, typed = request.where["price"]
        raise EstimateError(
            f"{WORKLOAD_PHRASES[modality].capitalize()} workload takes one price; "
            "give either a rate (like 'at $0.25/s') or 'at $1 each'.",
            fragment=typed,
            position=position,
        )
    for override in request.prices:
        if override.unit not in _OVERRIDE_FITS[modality]:
            position, typed = request.where["price"]
            fits = {
                "video": "$0.25/s",
                "image": "$0.04/image",
                "tts": "$15/1M chars",
                "transcribe": "$0.006/min",
                "chat": "$2/1M in $8/1M out",
                "agent": "$3/1M in $15/1M out",
                "embed": "$0.02/1M tokens",
            }[modality]
            raise EstimateError(
                f"A price per {override.unit.replace('_', ' ')} doesn't fit {WORKLOAD_PHRASES[modality]} workload; "
                f"give it like 'at {fits}' or 'at $1 each'.",
                fragment=typed,
                position=position,
            )


def _override_source(request: Request, listed: str) -> PriceSource:
    return PriceSource(
        description=f"your price ({', '.join(_describe_override(o) for o in request.prices)}); list: {listed}",
        source="your override",
        checked=None,
        kind="override",
        status="active",
        status_date=None,
        override=True,
    )


def _describe_override(o: PriceOverride) -> str:
    per = "" if o.per == 1 else f"{format_count(o.per)} "
    unit = {
        "input_token": "input tokens",
        "output_token": "output tokens",
        "token": "tokens",
        "request": "each",
        "second": "s",
        "char": "chars",
        "image": "image",
    }[o.unit]
    if o.unit == "second" and o.per == 60:
        return f"{format_usd(o.usd)}/min"
    if o.unit == "second" and o.per == 3600:
        return f"{format_usd(o.usd)}/h"
    if o.unit == "request":
        return f"{format_usd(o.usd)} each"
    return f"{format_usd(o.usd)}/{per}{unit}"


def _catalog_unit_price(
    work: Workload, entry: PriceEntry, request: Request, catalog: Catalog, warnings: list[str]
) -> tuple[Decimal, PriceSource]:
    modality = entry.modality
    chosen = catalog.select(
        entry.id,
        resolution=work.resolution if modality == "video" else None,
        audio=request.audio if modality == "video" else None,
        quality=work.quality if modality == "image" else None,
        size=work.size if modality == "image" else None,
    )
    unit_usd = chosen.unit_usd * _units_of(work, chosen.unit)
    listed, source = _listed(chosen)
    if request.audio is True and modality == "video" and chosen.audio is False:
        warnings.append(f"{chosen.name} doesn't generate audio; this price is for silent video.")
    if not request.prices:
        return unit_usd, source
    _check_overrides(request, modality)
    override = request.prices[0]  # media take one price (checked above)
    if override.unit == "request":
        unit_usd = override.usd
    else:
        unit_usd = override.usd / override.per * _units_of(work, override.unit)
    warnings.append(f"Using your price instead of the list price ({listed}, {chosen.name}).")
    return unit_usd, _override_source(request, listed)


def _listed(entry: PriceEntry) -> tuple[str, PriceSource]:
    """An entry's list price in words and as a source: built once per entry (entries are immutable)."""
    hit = _LISTED.get(entry)
    if hit is not None:
        return hit
    listed = _describe_entry(entry)
    source = _entry_source(entry, listed)
    _LISTED.put(entry, (), (listed, source))
    return listed, source


_LISTED: _ByIdentity[PriceEntry, tuple[str, PriceSource]] = _ByIdentity()


def _units_of(work: Workload, unit: str) -> Decimal:
    """How many of a price's units one unit of work takes: seconds of video, minutes of audio, characters."""
    if unit == "image":
        return Decimal(1)
    if unit == "char":
        assert work.chars is not None
        return work.chars
    assert work.seconds is not None
    return work.seconds / 60 if unit == "minute" else work.seconds


def _describe_entry(entry: PriceEntry) -> str:
    unit = {
        "second": "second of video",
        "image": "image",
        "char": "characters",
        "minute": "minute of audio",
        "token": "tokens",
    }[entry.unit]
    per = f"{format_count(entry.per)} " if entry.per != 1 else ""
    variant = entry.describe_variant()
    return f"{format_usd(entry.usd)} per {per}{unit}" + (f" ({variant})" if variant else "")


def _token_unit_price(
    modality: Modality,
    work: Workload,
    entry: PriceEntry | None,
    token_price: TokenPrice | None,
    request: Request,
    warnings: list[str],
) -> tuple[Decimal, PriceSource]:
    if entry is not None:  # a price book's own token price
        rate_in = entry.unit_usd
        rate_out = entry.output_unit_usd or Decimal(0)
        in_usd, out_usd = work.tokens_in * rate_in, work.tokens_out * rate_out
        listed = f"{format_usd(rate_in * _MTOK)}/1M input, {format_usd(rate_out * _MTOK)}/1M output tokens"
        source = _entry_source(entry, listed)
    else:
        assert token_price is not None
        # Long-context tiers depend on one request's input: one agent step, not the whole run.
        per_request_in = work.tokens_in / work.requests
        in_one, out_one = token_price.request_usd(per_request_in, work.tokens_out / work.requests)
        in_usd, out_usd = in_one * work.requests, out_one * work.requests
        source = _token_source(token_price, token_price.rates(per_request_in)[2])
    if not request.prices:
        return in_usd + out_usd, source
    _check_overrides(request, modality)
    by_unit = {o.unit: o for o in request.prices}
    if "request" in by_unit:
        unit_usd = by_unit["request"].usd
    else:
        both = by_unit.get("token")
        o_in = by_unit.get("input_token", both)
        o_out = by_unit.get("output_token", both)
        if o_in is not None:
            in_usd = work.tokens_in * o_in.usd / o_in.per
        if o_out is not None:
            out_usd = work.tokens_out * o_out.usd / o_out.per
        unit_usd = in_usd + out_usd
    warnings.append(f"Using your price instead of the list price ({source.description}).")
    return unit_usd, _override_source(request, source.description)


def _token_source(token_price: TokenPrice, tier: int | None) -> PriceSource:
    """Where a token price comes from, with the data's date; one per model and tier, so it is built once."""
    source = _TOKEN_SOURCES.get(token_price, (tier,))
    if source is None:
        source = _new_token_source(token_price, tier)
        _TOKEN_SOURCES.put(token_price, (tier,), source)
    return source


_TOKEN_SOURCES: _ByIdentity[TokenPrice, PriceSource] = _ByIdentity()


def _new_token_source(token_price: TokenPrice, tier: int | None) -> PriceSource:
    rate_in, rate_out = token_price.input_mtok, token_price.output_mtok
    if tier is not None:
        rate_in, rate_out, _ = token_price.rates(Decimal(tier + 1))
    output = f", {format_usd(rate_out)}/1M output tokens" if rate_out else " tokens"
    listed = f"{format_usd(rate_in)}/1M input{output}"
    if tier is not None:
        listed += f" (long-context rate: over {format_count(Decimal(tier))} input tokens per request)"
    data = token_price.data
    return PriceSource(
        description=listed,
        source=token_price.source,
        checked=data.as_of,
        kind=f"genai-prices {data.package_version}" if data.origin is None else "genai-prices, refreshed",
        status=str(token_price.lifecycle.status),
        status_date=None,
        override=False,
        data=data.label,
    )


def _entry_source(entry: PriceEntry, description: str) -> PriceSource:
    """A catalog entry's list price as the answer cites it: the price as described, its source, date and status."""
    return PriceSource(
        description=description,
        source=entry.source,
        checked=entry.checked,
        kind=entry.source_kind,
        status=str(entry.status),
        status_date=entry.status_date,
        override=False,
    )
