"""Which model, at which price: the catalog's list price, genai-prices' token price, or the user's own.

Every price comes back with where it came from (`PriceSource`), and every caveat — a retired model, a preview
price, an override, a discount — as a warning the answer shows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from costing.catalog import Catalog, PriceEntry
from costing.errors import EstimateError
from costing.lexicon import EXAMPLES, WORKLOAD_PHRASES
from costing.money import format_count, format_usd
from costing.request import PriceOverride, Request
from costing.tokens import TokenPrice, find_token_price, known_token_models
from costing.workload import Workload

__all__ = ["DEFAULT_MODELS", "ModelChoice", "PriceSource", "Quote", "choose_model", "quote"]

DEFAULT_MODELS = {
    "video": "veo-3.1-fast",
    "image": "gpt-image-1",
    "chat": "gpt-4o",
    "agent": "claude-sonnet-4.5",
    "tts": "tts-1",
    "transcribe": "whisper-1",
    "embed": "text-embedding-3-small",
}
TOKEN_MODALITIES = frozenset({"chat", "agent", "embed"})
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


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """The model a request is priced on: a catalog entry or a genai-prices token price."""

    modality: str
    model_id: str
    entry: PriceEntry | None
    token_price: TokenPrice | None

    @property
    def name(self) -> str:
        return self.entry.name if self.entry else self.token_price.name  # type: ignore[union-attr]

    @property
    def provider(self) -> str:
        return self.entry.provider if self.entry else self.token_price.provider  # type: ignore[union-attr]

    @property
    def token_priced(self) -> bool:
        return self.token_price is not None or (self.entry is not None and self.entry.unit == "token")


@dataclass(frozen=True, slots=True)
class Quote:
    """The API price of one unit of work, and where it comes from."""

    unit_usd: Decimal
    source: PriceSource


def _compatible(asked: str, actual: str) -> bool:
    return asked == actual or {asked, actual} <= {"chat", "agent"}


def choose_model(request: Request, *, catalog: Catalog, today: date, assumptions: list[str]) -> ModelChoice:
    """The model named in the request, or the workload's default (stated in `assumptions`).

    Raises:
        EstimateError: No workload and no model; an unknown model (with suggestions); a model of another kind.
    """
    asked = request.modality
    if request.model is None:
        if asked is None:
            raise EstimateError(
                "What should I cost? Start with a workload: video, image, chat, agent, tts, transcribe or embed.",
                example=EXAMPLES["video"],
            )
        name = DEFAULT_MODELS[asked]
        model_id = catalog.resolve(name)
        if model_id is not None:
            entry = catalog.default_entry(model_id)
            assumptions.append(f"No model named: {entry.name} is the default for {asked}.")
            return ModelChoice(asked, model_id, entry, None)
        token_price = find_token_price(name, on=today)
        assert token_price is not None, f"default model {name} missing from genai-prices"
        assumptions.append(f"No model named: {token_price.name} is the default for {asked}.")
        return ModelChoice(asked, token_price.model_id, None, token_price)

    typed = request.model
    position = request.where["model"][0]
    model_id = catalog.resolve(typed)
    if model_id is not None:
        entry = catalog.default_entry(model_id)
        if asked is not None and not _compatible(asked, entry.modality):
            raise _wrong_modality(typed, entry.modality, asked, catalog, position)
        modality = asked or entry.modality
        return ModelChoice(modality, model_id, entry, None)
    token_price = find_token_price(typed, on=today)
    if token_price is not None:
        is_embedding = token_price.output_mtok is None or "embed" in token_price.model_id
        actual = "embed" if is_embedding else "chat"
        if asked is not None and not _compatible(asked, actual):
            raise _wrong_modality(typed, actual, asked, catalog, position)
        return ModelChoice(asked or actual, token_price.model_id, None, token_price)
    suggestions = catalog.suggest(
        typed, modality=asked, extra=known_token_models() if asked in (None, *TOKEN_MODALITIES) else ()
    )
    hint = f" {', '.join(suggestions)} {'is' if len(suggestions) == 1 else 'are'} close." if suggestions else ""
    raise EstimateError(
        f"I don't know the model '{typed}', so I can't price it.{hint} "
        "'/cost prices' lists every model I know; a price book (COSTBOT_PRICES) can add your own.",
        fragment=typed,
        position=position,
        suggestion=suggestions[0] if suggestions else None,
        example=f"{EXAMPLES[asked or 'video']} {DEFAULT_MODELS[asked or 'video']}",
    )


def _wrong_modality(typed: str, actual: str, asked: str, catalog: Catalog, position: int) -> EstimateError:
    default = DEFAULT_MODELS[asked]
    others = [i for i in catalog.ids(asked) if i != default and catalog.default_entry(i).status == "active"]
    options = ", ".join([default, *others][:4])
    return EstimateError(
        f"'{typed}' is {WORKLOAD_PHRASES[actual]} model, not {WORKLOAD_PHRASES[asked]} model. "
        f"For {asked}, try {options}.",
        fragment=typed,
        position=position,
        example=f"{EXAMPLES[asked]} {DEFAULT_MODELS[asked]}",
    )


# --- the price of one unit ------------------------------------------------------------------------------


def quote(choice: ModelChoice, work: Workload, request: Request, *, catalog: Catalog, warnings: list[str]) -> Quote:
    """The API price of one unit of `work` on `choice`: list price, or the user's, less any discount."""
    if choice.token_priced:
        unit_usd, source = _token_unit_price(choice.modality, work, choice.entry, choice.token_price, request, warnings)
        status = choice.entry.status if choice.entry else source.status
    else:
        assert choice.entry is not None
        unit_usd, source = _catalog_unit_price(work, choice.entry, request, catalog, warnings)
        status = choice.entry.status
    if request.discount_pct is not None:
        unit_usd = unit_usd * (100 - request.discount_pct) / 100
        warnings.append(f"{format_count(request.discount_pct)}% discount applied to the API price.")
    _status_warnings(choice.name, source, status, warnings)
    return Quote(unit_usd, source)


_OVERRIDE_FITS = {
    "video": {"second", "request"},
    "image": {"image", "request"},
    "tts": {"char", "second", "request"},
    "transcribe": {"second", "request"},
    "chat": {"input_token", "output_token", "token", "request"},
    "agent": {"input_token", "output_token", "token", "request"},
    "embed": {"input_token", "token", "request"},
}


def _check_overrides(request: Request, modality: str) -> None:
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
                "video": "$0.25/s", "image": "$0.04/image", "tts": "$15/1M chars", "transcribe": "$0.006/min",
                "chat": "$2/1M in $8/1M out", "agent": "$3/1M in $15/1M out", "embed": "$0.02/1M tokens",
            }[modality]  # fmt: skip
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
    unit = {"input_token": "input tokens", "output_token": "output tokens", "token": "tokens",
            "request": "each", "second": "s", "char": "chars", "image": "image"}[o.unit]  # fmt: skip
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
    listed = _describe_entry(chosen)
    if request.audio is True and modality == "video" and chosen.audio is False:
        warnings.append(f"{chosen.name} doesn't generate audio; this price is for silent video.")
    if not request.prices:
        return unit_usd, PriceSource(
            description=listed,
            source=chosen.source,
            checked=chosen.checked,
            kind=chosen.source_kind,
            status=chosen.status,
            status_date=chosen.status_date,
            override=False,
        )
    _check_overrides(request, modality)
    override = request.prices[0]  # media take one price (checked above)
    if override.unit == "request":
        unit_usd = override.usd
    else:
        unit_usd = override.usd / override.per * _units_of(work, override.unit)
    warnings.append(f"Using your price instead of the list price ({listed}, {chosen.name}).")
    return unit_usd, _override_source(request, listed)


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
    unit = {"second": "second of video", "image": "image", "char": "characters", "minute": "minute of audio",
            "token": "tokens"}[entry.unit]  # fmt: skip
    per = f"{format_count(entry.per)} " if entry.per != 1 else ""
    variant = entry.describe_variant()
    return f"{format_usd(entry.usd)} per {per}{unit}" + (f" ({variant})" if variant else "")


def _token_unit_price(
    modality: str,
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
        source = PriceSource(
            description=listed, source=entry.source, checked=entry.checked, kind=entry.source_kind,
            status=entry.status, status_date=entry.status_date, override=False,
        )  # fmt: skip
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


@functools.lru_cache(maxsize=512)
def _token_source(token_price: TokenPrice, tier: int | None) -> PriceSource:
    """Where a token price comes from; one per model and tier, so it is built once."""
    rate_in, rate_out = token_price.input_mtok, token_price.output_mtok
    if tier is not None:
        rate_in, rate_out, _ = token_price.rates(Decimal(tier + 1))
    output = f", {format_usd(rate_out)}/1M output tokens" if rate_out else " tokens"
    listed = f"{format_usd(rate_in)}/1M input{output}"
    if tier is not None:
        listed += f" (long-context rate: over {format_count(Decimal(tier))} input tokens per request)"
    return PriceSource(
        description=listed,
        source=token_price.source,
        checked=None,
        kind=f"genai-prices {token_price.package_version}",
        status="deprecated" if token_price.deprecated else "active",
        status_date=None,
        override=False,
    )


def _status_warnings(name: str, price: PriceSource, status: str, warnings: list[str]) -> None:
    if status == "retired":
        when = f" on {price.status_date.isoformat()}" if price.status_date else ""
        warnings.append(f"{name} was retired{when}: this is its last list price; it can no longer be bought.")
    elif status == "preview":
        since = f" (since {price.status_date.isoformat()})" if price.status_date else ""
        warnings.append(f"{name} is in preview{since}: its price may change.")
    elif status == "deprecated":
        warnings.append(f"{name} is deprecated by its provider: plan for a successor.")
