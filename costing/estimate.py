"""`estimate(text)`: one /cost line in, an `Estimate` out — API price and compute cost, per unit and in total.

The flow is parse → pick the model and its price → per-unit API and compute cost → multiply by the counts →
project over periods → weigh against the value. Every default taken on the way becomes an assumption string
and every caveat (retired model, user's own price) a warning, so the answer states what it assumed.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

from costing import compute
from costing.catalog import PRICES_ENV, Catalog, PriceEntry, load_catalog
from costing.errors import EstimateError
from costing.language import EXAMPLES, PERIODS, Request, Subcommand, check_fit, parse_request
from costing.money import format_count, format_usd
from costing.tokens import TokenPrice, find_token_price, known_token_models
from costing.value import DAYS, value_of

__all__ = [
    "DEFAULT_MODELS",
    "ApiCost",
    "ComputeCost",
    "Estimate",
    "PriceSource",
    "ValueResult",
    "current_catalog",
    "estimate",
    "estimate_request",
]


def _number(value: Decimal) -> float | int:
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


#: Decimal inside, a JSON number at the edge.
Money = Annotated[Decimal, PlainSerializer(_number, when_used="json")]
Number = Annotated[Decimal, PlainSerializer(_number, when_used="json")]

DEFAULT_MODELS = {
    "video": "veo-3.1-fast",
    "image": "gpt-image-1",
    "chat": "gpt-4o",
    "agent": "claude-sonnet-4.5",
    "tts": "tts-1",
    "transcribe": "whisper-1",
    "embed": "text-embedding-3-small",
}

_UNIT_NOUNS = {
    "video": "video", "image": "image", "chat": "request", "agent": "agent run", "tts": "speech clip",
    "transcribe": "transcription", "embed": "embedding batch",
}  # fmt: skip
_TOKEN_MODALITIES = frozenset({"chat", "agent", "embed"})
_TOKENS_PER_WORD = Decimal(4) / Decimal(3)
_CHARS_PER_SECOND = Decimal(15)
_MTOK = Decimal(1_000_000)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PriceSource(_Frozen):
    """The price an estimate used: list price (with source and date) or the user's own."""

    description: str
    source: str
    checked: date | None
    kind: str
    status: str
    status_date: date | None
    override: bool


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


class ValueResult(_Frozen):
    kind: str
    description: str
    total_usd: Money
    period: str | None
    ratio: Number | None
    compute_ratio: Number | None
    break_even_unit_usd: Money | None
    payback_days: Number | None


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


# --- the catalog in use ----------------------------------------------------------------------------------

_catalog_cache: dict[tuple[str, int], Catalog] = {}


def current_catalog() -> Catalog:
    """The bundled catalog plus the `COSTBOT_PRICES` price book, reloaded when that file changes.

    Raises:
        CatalogError: The price book is missing or invalid.
    """
    path = os.environ.get(PRICES_ENV, "")
    if not path:
        return _bundled_catalog()
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        stamp = -1  # load_catalog names the missing file
    key = (path, stamp)
    catalog = _catalog_cache.get(key)
    if catalog is None:
        catalog = load_catalog(path)
        _catalog_cache.clear()
        _catalog_cache[key] = catalog
    return catalog


@functools.cache
def _bundled_catalog() -> Catalog:
    return load_catalog("")


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
        raise EstimateError(
            f"'{request.name}' is a command, not an estimate; it works in Slack as /cost {request.name}.",
            example=EXAMPLES["video"],
        )
    return estimate_request(request, catalog=catalog, today=today)


def estimate_request(request: Request, *, catalog: Catalog, today: date | None = None) -> Estimate:
    """Cost an already parsed request against `catalog` (see `estimate`)."""
    today = today or datetime.now(UTC).date()
    assumptions: list[str] = []
    warnings: list[str] = []

    modality, model_id, entry, token_price = _pick_model(request, catalog, today, assumptions)
    check_fit(request, modality)
    work = _Workload.of(request, modality, entry, assumptions)

    # --- API price per unit ---
    if token_price is not None or (entry is not None and entry.unit == "token"):
        unit_usd, price = _token_unit_price(work, entry, token_price, request, warnings)
        model_name = entry.name if entry else token_price.name  # type: ignore[union-attr]
        provider = entry.provider if entry else token_price.provider  # type: ignore[union-attr]
        status = entry.status if entry else ("deprecated" if token_price.deprecated else "active")  # type: ignore[union-attr]
    else:
        assert entry is not None
        unit_usd, price = _catalog_unit_price(work, entry, request, warnings)
        model_name, provider, status = entry.name, entry.provider, entry.status
    if request.discount_pct is not None:
        unit_usd = unit_usd * (100 - request.discount_pct) / 100
        warnings.append(f"{format_count(request.discount_pct)}% discount applied to the API price.")
    _status_warnings(model_name, price, status, warnings)

    # --- compute per unit ---
    gpu = compute.default_gpu()
    gpu_rate = request.gpu_hour_usd or gpu.usd_per_hour
    result = compute.gpu_seconds(
        modality,
        model_id=model_id,
        seconds=work.seconds,
        resolution=request.resolution,
        quality=work.quality,
        size=request.size,
        tokens_in=work.tokens_in,
        tokens_out=work.tokens_out,
        chars=work.chars,
    )
    compute_unit = compute.gpu_usd(result.gpu_seconds, gpu_rate)
    rate_note = "your rate" if request.gpu_hour_usd else gpu.basis
    assumptions.append(
        f"Compute: {_gpu_seconds_text(result.gpu_seconds)} GPU-seconds per {_UNIT_NOUNS[modality]} on an "
        f"{gpu.name} at {format_usd(gpu_rate)}/h ({rate_note})."
    )
    assumptions.extend(result.assumptions)
    assumptions.append(
        "Compute is raw GPU time for one request at a time; batching, distillation and caching in production "
        "can make it several times cheaper, and it excludes staff, networking and margin."
    )

    # --- totals, projections, value ---
    quantity = request.quantity
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
            unit_noun=_UNIT_NOUNS[modality],
            where=request.where.get("value"),
        )
        assumptions.extend(value.assumptions)
        warnings.extend(value.warnings)
    if not request.counts:
        assumptions.append(f"No count given: one {_UNIT_NOUNS[modality]}. Add 'x 1M users' to scale it.")

    return Estimate(
        text=request.text,
        modality=modality,
        model=model_id,
        model_name=model_name,
        provider=provider,
        workload=work.description,
        unit=_UNIT_NOUNS[modality],
        parts=work.parts,
        quantity=quantity,
        counts=[CountPart(value=c.value, noun=c.noun) for c in request.counts],
        users=users,
        period=period,
        api=ApiCost(unit_usd=unit_usd, total_usd=total_api, price=price),
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
        value=None if value is None else ValueResult(**dataclasses.asdict(value.result)),
        assumptions=assumptions,
        warnings=warnings,
    )


def _gpu_seconds_text(seconds: Decimal) -> str:
    if seconds >= 10:
        return format_count(seconds.quantize(Decimal(1)))
    return f"{seconds:.2g}" if seconds < Decimal("0.01") else format_count(seconds.quantize(Decimal("0.01")))


def _project(total: Decimal, period: str | None) -> dict[str, Decimal] | None:
    if period is None:
        return None
    per_day = total / DAYS[period]
    return {p: total if p == period else per_day * DAYS[p] for p in PERIODS}


# --- choosing the model ----------------------------------------------------------------------------------


def _compatible(asked: str, actual: str) -> bool:
    return asked == actual or {asked, actual} <= {"chat", "agent"}


def _pick_model(
    request: Request, catalog: Catalog, today: date, assumptions: list[str]
) -> tuple[str, str, PriceEntry | None, TokenPrice | None]:
    """(modality, model id, catalog entry or None, token price or None) for the request."""
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
            return asked, model_id, entry, None
        token_price = find_token_price(name, on=today)
        assert token_price is not None, f"default model {name} missing from genai-prices"
        assumptions.append(f"No model named: {token_price.name} is the default for {asked}.")
        return asked, token_price.model_id, None, token_price

    typed = request.model
    position = request.where["model"][0]
    model_id = catalog.resolve(typed)
    if model_id is not None:
        entry = catalog.default_entry(model_id)
        if asked is not None and not _compatible(asked, entry.modality):
            raise _wrong_modality(typed, entry.modality, asked, catalog, position)
        modality = asked or entry.modality
        return modality, model_id, entry, None
    token_price = find_token_price(typed, on=today)
    if token_price is not None:
        is_embedding = token_price.output_mtok is None or "embed" in token_price.model_id
        actual = "embed" if is_embedding else "chat"
        if asked is not None and not _compatible(asked, actual):
            raise _wrong_modality(typed, actual, asked, catalog, position)
        return asked or actual, token_price.model_id, None, token_price
    suggestions = catalog.suggest(
        typed, modality=asked, extra=known_token_models() if asked in (None, *_TOKEN_MODALITIES) else ()
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


_KIND_NAMES = {
    "video": "a video", "image": "an image", "chat": "a chat", "agent": "an agent", "tts": "a text-to-speech",
    "transcribe": "a transcription", "embed": "an embedding",
}  # fmt: skip


def _wrong_modality(typed: str, actual: str, asked: str, catalog: Catalog, position: int) -> EstimateError:
    default = DEFAULT_MODELS[asked]
    others = [i for i in catalog.ids(asked) if i != default and catalog.default_entry(i).status == "active"]
    options = ", ".join([default, *others][:4])
    return EstimateError(
        f"'{typed}' is {_KIND_NAMES[actual]} model, not {_KIND_NAMES[asked]} model. For {asked}, try {options}.",
        fragment=typed,
        position=position,
        example=f"{EXAMPLES[asked]} {DEFAULT_MODELS[asked]}",
    )


# --- the workload of one unit ----------------------------------------------------------------------------


class _Workload:
    """One unit of work, with defaults filled in and stated."""

    def __init__(self) -> None:
        self.seconds: Decimal | None = None
        self.chars: Decimal | None = None
        self.quality: str | None = None
        self.tokens_in = Decimal(0)
        self.tokens_out = Decimal(0)
        self.description = ""
        self.parts: dict[str, Any] = {}

    @classmethod
    def of(cls, req: Request, modality: str, entry: PriceEntry | None, assumptions: list[str]) -> _Workload:
        work = cls()
        if modality == "video":
            work.seconds = req.seconds or _default(assumptions, Decimal(10), "No duration given: 10 s per video.")
            res = req.resolution or (entry.variant.get("resolution") if entry else None) or "720p"
            if req.resolution is None:
                assumptions.append(f"No resolution given: {res}, {entry.name if entry else 'the'} default.")
            req.resolution = res
            audio = " with audio" if req.audio else " without audio" if req.audio is False else ""
            work.description = f"{format_count(work.seconds)} s video, {res}{audio}"
            work.parts = {"seconds": work.seconds, "resolution": res}
            if req.audio is not None:
                work.parts["audio"] = req.audio
        elif modality == "image":
            default_quality = (entry.variant.get("quality") if entry else None) or "medium"
            work.quality = req.quality or default_quality
            if req.quality is None:
                assumptions.append(f"No quality given: {work.quality}.")
            size = req.size or (entry.variant.get("size") if entry else None)
            shown = size or (req.resolution and f"{req.resolution}") or "1024x1024"
            work.description = f"image, {work.quality}, {shown}"
            work.parts = {"quality": work.quality, "size": shown}
        elif modality in {"chat", "agent"}:
            work._tokens(req, modality, assumptions)
        elif modality == "embed":
            tokens = req.tokens or req.tokens_in or (req.words * _TOKENS_PER_WORD if req.words else None)
            if req.words and not (req.tokens or req.tokens_in):
                assumptions.append("Words to tokens at 4 tokens per 3 words (English).")
            work.tokens_in = tokens or _default(assumptions, Decimal(1000), "No size given: 1,000 tokens.")
            work.description = f"embedding of {format_count(work.tokens_in.to_integral_value())} tokens"
            work.parts = {"tokens_in": work.tokens_in}
        elif modality == "tts":
            if req.chars is not None:
                work.chars = req.chars
            elif req.words is not None:
                work.chars = req.words * 6
                assumptions.append("Words to characters at 6 characters a word, spaces included.")
            elif req.seconds is not None:
                work.chars = req.seconds * _CHARS_PER_SECOND
                assumptions.append(f"Speech at {_CHARS_PER_SECOND} characters a second (~150 words a minute).")
            else:
                work.chars = _default(assumptions, Decimal(1000), "No length given: 1,000 characters.")
            work.seconds = work.chars / _CHARS_PER_SECOND
            work.description = (
                f"speech, {format_count(work.chars.to_integral_value())} characters "
                f"(~{format_count((work.seconds / 60).quantize(Decimal('0.1')))} min)"
            )
            work.parts = {"chars": work.chars}
        else:  # transcribe
            work.seconds = req.seconds or _default(assumptions, Decimal(60), "No length given: 1 min of audio.")
            minutes = (work.seconds / 60).quantize(Decimal("0.01")).normalize()
            work.description = f"transcription of {format_count(minutes)} min of audio"
            work.parts = {"seconds": work.seconds}
        return work

    def _tokens(self, req: Request, modality: str, assumptions: list[str]) -> None:
        tokens_in, tokens_out = req.tokens_in, req.tokens_out
        if req.words is not None and tokens_out is None:
            tokens_out = req.words * _TOKENS_PER_WORD
            assumptions.append("Words to tokens at 4 tokens per 3 words (English).")
        share_in = Decimal("0.9") if modality == "agent" else Decimal("0.75")
        if req.tokens is not None:
            if tokens_in is not None and tokens_out is None:
                tokens_out = req.tokens - tokens_in
            elif tokens_out is not None and tokens_in is None:
                tokens_in = req.tokens - tokens_out
            elif tokens_in is None and tokens_out is None:
                tokens_in, tokens_out = req.tokens * share_in, req.tokens * (1 - share_in)
                assumptions.append(
                    f"{format_count(req.tokens)} tokens split {share_in * 100:.0f}% input / "
                    f"{(1 - share_in) * 100:.0f}% output"
                    + (" (an agent re-reads its context every step)." if modality == "agent" else ".")
                )
            if (tokens_in is not None and tokens_in < 0) or (tokens_out is not None and tokens_out < 0):
                raise EstimateError(
                    "The input and output tokens add up to more than the total given; give either the total or "
                    "'N in M out'.",
                    example=EXAMPLES[modality],
                )
        if tokens_in is None and tokens_out is None:
            if modality == "agent":
                tokens_in, tokens_out = Decimal(4500), Decimal(500)
                assumptions.append("No token count given: 5,000 tokens per step (4,500 in, 500 out).")
            else:
                tokens_in, tokens_out = Decimal(1000), Decimal(500)
                assumptions.append("No token count given: 1,000 input and 500 output tokens.")
        elif tokens_in is None:
            tokens_in = Decimal(0)
            assumptions.append("No input tokens given: output only.")
        elif tokens_out is None:
            tokens_out = Decimal(0)
            assumptions.append("No output tokens given: input only.")
        assert tokens_in is not None and tokens_out is not None
        if modality == "agent":
            steps = req.steps or _default(assumptions, Decimal(20), "No step count given: 20 steps per run.")
            self.description = (
                f"agent run, {format_count(steps)} steps × {format_count((tokens_in + tokens_out).normalize())} "
                f"tokens ({format_count(tokens_in.normalize())} in + {format_count(tokens_out.normalize())} out)"
            )
            self.parts = {"steps": steps, "tokens_in": tokens_in, "tokens_out": tokens_out}
            tokens_in, tokens_out = tokens_in * steps, tokens_out * steps
        else:
            self.description = (
                f"chat request, {format_count(tokens_in.to_integral_value())} in + "
                f"{format_count(tokens_out.to_integral_value())} out tokens"
            )
            self.parts = {"tokens_in": tokens_in, "tokens_out": tokens_out}
        self.tokens_in, self.tokens_out = tokens_in, tokens_out


def _default(assumptions: list[str], value: Decimal, note: str) -> Decimal:
    assumptions.append(note)
    return value


# --- prices ----------------------------------------------------------------------------------------------

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
    for override in request.prices:
        if override.unit not in _OVERRIDE_FITS[modality]:
            position, typed = request.where["price"]
            fits = {
                "video": "$0.25/s", "image": "$0.04/image", "tts": "$15/1M chars", "transcribe": "$0.006/min",
                "chat": "$2/1M in $8/1M out", "agent": "$3/1M in $15/1M out", "embed": "$0.02/1M tokens",
            }[modality]  # fmt: skip
            raise EstimateError(
                f"A price per {override.unit.replace('_', ' ')} doesn't fit a {modality} workload; "
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


def _describe_override(o: Any) -> str:
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
    work: _Workload, entry: PriceEntry, request: Request, warnings: list[str]
) -> tuple[Decimal, PriceSource]:
    catalog = current_catalog()
    modality = entry.modality
    chosen = catalog.select(
        entry.id,
        resolution=request.resolution if modality == "video" else None,
        audio=request.audio if modality == "video" else None,
        quality=work.quality if modality == "image" else None,
        size=request.size if modality == "image" else None,
    )
    if modality == "video":
        amount = work.seconds
    elif modality == "image":
        amount = Decimal(1)
    elif modality == "tts":
        amount = work.chars
    else:  # transcribe: priced per minute of audio
        amount = work.seconds / 60  # type: ignore[operator]
    assert amount is not None
    unit_usd = chosen.unit_usd * amount
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
    override = request.prices[0]
    if override.unit == "request":
        unit_usd = override.usd
    elif override.unit == "second":
        seconds = work.seconds
        assert seconds is not None
        unit_usd = override.usd / override.per * seconds
    elif override.unit == "char":
        unit_usd = override.usd / override.per * work.chars  # type: ignore[operator]
    else:  # image
        unit_usd = override.usd / override.per
    warnings.append(f"Using your price instead of the list price ({listed}, {chosen.name}).")
    return unit_usd, _override_source(request, listed)


def _describe_entry(entry: PriceEntry) -> str:
    unit = {"second": "second of video", "image": "image", "char": "characters", "minute": "minute of audio",
            "token": "tokens"}[entry.unit]  # fmt: skip
    per = f"{format_count(entry.per)} " if entry.per != 1 else ""
    variant = entry.describe_variant()
    return f"{format_usd(entry.usd)} per {per}{unit}" + (f" ({variant})" if variant else "")


def _token_unit_price(
    work: _Workload,
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
        per_step = Decimal(1)
        steps = work.parts.get("steps")
        if steps:  # tiers depend on one request's input, i.e. one agent step
            per_step = Decimal(steps)
        in_step, out_step = token_price.request_usd(work.tokens_in / per_step, work.tokens_out / per_step)
        in_usd, out_usd = in_step * per_step, out_step * per_step
        rate_in, rate_out, tier = token_price.rates(work.tokens_in / per_step)
        listed = f"{format_usd(rate_in)}/1M input" + (
            f", {format_usd(rate_out)}/1M output tokens" if rate_out else " tokens"
        )
        if tier is not None:
            listed += f" (long-context rate: over {format_count(Decimal(tier))} input tokens per request)"
        source = PriceSource(
            description=listed,
            source=token_price.source,
            checked=None,
            kind=f"genai-prices {token_price.package_version}",
            status="deprecated" if token_price.deprecated else "active",
            status_date=None,
            override=False,
        )
    if not request.prices:
        return in_usd + out_usd, source
    modality = request.modality or "chat"
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


def _status_warnings(name: str, price: PriceSource, status: str, warnings: list[str]) -> None:
    if status == "retired":
        when = f" on {price.status_date.isoformat()}" if price.status_date else ""
        warnings.append(f"{name} was retired{when}: this is its last list price; it can no longer be bought.")
    elif status == "preview":
        since = f" (since {price.status_date.isoformat()})" if price.status_date else ""
        warnings.append(f"{name} is in preview{since}: its price may change.")
    elif status == "deprecated":
        warnings.append(f"{name} is deprecated by its provider: plan for a successor.")
