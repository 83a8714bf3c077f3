"""Which model, at which price: the catalog's list price, genai-prices' token price, or the user's own.

Every price comes back with where it came from (`PriceSource`), and every caveat — a retired model, a preview
price, an override, a discount — as a warning the answer shows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict

from costing.aliases import Alias, find_alias, rewrite
from costing.catalog import Catalog, PriceEntry
from costing.errors import EstimateError
from costing.lexicon import EXAMPLES, WORKLOAD_PHRASES, Modality
from costing.lifecycle import Lifecycle
from costing.money import format_count, format_usd
from costing.request import PriceOverride, Request
from costing.tokens import (
    TokenPrice,
    UnknownProvider,
    find_token_price,
    known_token_models,
    token_data,
    token_snapshot,
)
from costing.workload import Workload

__all__ = [
    "DEFAULT_MODELS",
    "ModelChoice",
    "PriceSource",
    "Quote",
    "choose_model",
    "default_model",
    "quote",
]

#: Each workload's default model, in order of preference: the first still on sale on the day asked about.
DEFAULT_MODELS: dict[str, tuple[str, ...]] = {
    "video": ("veo-3.1-fast", "veo-3.1-lite"),
    "image": ("gpt-image-2.6-sunburst", "gpt-image-2.5-sunburst", "gemini-3.1-flash-image"),
    "chat": ("gpt-6-luna", "gpt-5.4-mini", "claude-haiku-4-5"),
    "agent": ("claude-sonnet-5-5", "claude-sonnet-4-6"),
    "tts": ("elevenlabs-flash", "polly-neural"),
    "transcribe": ("deepgram-nova-3", "google-chirp-3"),
    "embed": ("text-embedding-3-small", "gemini-embedding-001"),
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
    #: The announced shutdown (deprecated) or the day it was shut down (retired), and the provider's advice.
    shutdown: date | None = None
    replacement: str | None = None
    #: Where a token price's data comes from (`genai-prices 0.2.3 data of 2026-11-10`); None for the catalog.
    data: str | None = None


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """The model a request is priced on: a catalog entry or a genai-prices token price."""

    modality: Modality
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

    @property
    def lifecycle(self) -> Lifecycle:
        return self.entry.lifecycle if self.entry else self.token_price.lifecycle  # type: ignore[union-attr]


class Quote(NamedTuple):
    """The API price of one unit of work, and where it comes from."""

    unit_usd: Decimal
    source: PriceSource


def _compatible(asked: Modality, actual: Modality) -> bool:
    return asked == actual or {asked, actual} <= {"chat", "agent"}


def _token_modality(price: TokenPrice) -> Modality:
    return "embed" if price.output_mtok is None or "embed" in price.model_id else "chat"


def default_model(modality: Modality, *, catalog: Catalog, at: datetime) -> str:
    """The name of `modality`'s default model on the day of `at`: the first of its preferences still on sale
    (if every one has shut down, the first still priced, which the answer then warns about).

    Raises:
        EstimateError: None of the preferences is priced at all (token-price data without them).
    """
    day = at.date()
    priced = []
    for name in DEFAULT_MODELS[modality]:
        found = _lookup(name, catalog=catalog, at=at)
        if found is not None and _compatible(modality, found.modality):
            if found.lifecycle.usable_on(day):
                return name
            priced.append(name)
    if priced:
        return priced[0]
    raise EstimateError(
        f"None of the default models for {modality} ({', '.join(DEFAULT_MODELS[modality])}) has a price in the "
        f"token-price data in use ({token_data().label}). Name a model to price it.",
        example=EXAMPLES[modality],
    )


def _lookup(name: str, *, catalog: Catalog, at: datetime, provider: str | None = None) -> ModelChoice | None:
    """A catalog entry or a token price for `name` (modality unchecked), or None.

    Remembered per name and minute (no price changes within one) for this catalog and these token prices.

    Raises:
        UnknownProvider: `provider` is not one genai-prices knows.
    """
    key = (name, provider, at.replace(second=0, microsecond=0))
    snapshot = token_snapshot()
    hit = _LOOKED_UP.get(key)
    if hit is not None and hit[0] is catalog and hit[1] is snapshot:
        return hit[2]
    choice = _look_up(name, catalog=catalog, at=at, provider=provider)
    if len(_LOOKED_UP) >= 4096:  # bounded: names come from users, minutes pass
        _LOOKED_UP.clear()
    _LOOKED_UP[key] = (catalog, snapshot, choice)
    return choice


_LOOKED_UP: dict[tuple[str, str | None, datetime], tuple[Catalog, object, ModelChoice | None]] = {}


def _look_up(name: str, *, catalog: Catalog, at: datetime, provider: str | None) -> ModelChoice | None:
    if provider is None:
        model_id = catalog.resolve(name)
        if model_id is not None:
            entry = catalog.default_entry(model_id)
            return ModelChoice(entry.modality, model_id, entry, None)
    price = find_token_price(name, provider=provider, at=at)
    if price is None:
        return None
    return ModelChoice(_token_modality(price), price.model_id, None, price)


def choose_model(
    request: Request, *, catalog: Catalog, at: datetime, assumptions: list[str], warnings: list[str]
) -> ModelChoice:
    """The model named in the request, or the workload's default (stated in `assumptions`).

    A family name (`claude-haiku`) is its newest member still on sale; `provider/model` is that provider's
    price; the answer says which model either came to. The choice, and what it adds to `assumptions` and
    `warnings`, is remembered per model name, workload and minute for this catalog and these token prices.

    Raises:
        EstimateError: No workload and no model; an unknown model or provider (with suggestions); a model of
            another kind; a family none of whose models is on sale any more.
    """
    key = (request.model, request.modality, at.replace(second=0, microsecond=0))
    snapshot = token_snapshot()
    hit = _CHOSEN.get(key)
    if hit is not None and hit[0] is catalog and hit[1] is snapshot:
        choice, said, warned = hit[2], hit[3], hit[4]
    else:
        said, warned = [], []
        choice = _choose(request, catalog=catalog, at=at, assumptions=said, warnings=warned)
        if len(_CHOSEN) >= 4096:  # bounded: names come from users, minutes pass
            _CHOSEN.clear()
        _CHOSEN[key] = (catalog, snapshot, choice, said, warned)
    assumptions.extend(said)
    warnings.extend(warned)
    return choice


_CHOSEN: dict[tuple[str | None, str | None, datetime], tuple[Catalog, object, ModelChoice, list[str], list[str]]] = {}


def _choose(
    request: Request, *, catalog: Catalog, at: datetime, assumptions: list[str], warnings: list[str]
) -> ModelChoice:
    asked = request.modality
    if request.model is None:
        if asked is None:
            raise EstimateError(
                "What should I cost? Start with a workload: video, image, chat, agent, tts, transcribe or embed.",
                example=EXAMPLES["video"],
            )
        name = default_model(asked, catalog=catalog, at=at)
        choice = _lookup(name, catalog=catalog, at=at)
        assert choice is not None, "default_model returns only priced names"
        assumptions.append(f"No model named: {choice.name} is the default for {asked}.")
        return _as(choice, asked)

    typed = request.model
    position = request.where["model"][0]
    choice = _named(typed, catalog=catalog, at=at, asked=asked, position=position, assumptions=assumptions)
    if choice is None:
        raise _unknown_model(typed, asked, catalog, position, at)
    if asked is not None and not _compatible(asked, choice.modality):
        raise _wrong_modality(typed, choice.modality, asked, catalog, position, at)
    if choice.token_price is not None:
        if choice.token_price.matched_as is not None:
            assumptions.append(
                f"'{typed}' is priced as {choice.token_price.provider}'s {choice.model_id} (the closest name it lists)."
            )
        warnings.extend(choice.token_price.notes)
    return _as(choice, asked)


def _as(choice: ModelChoice, asked: Modality | None) -> ModelChoice:
    modality = asked or choice.modality
    if modality == choice.modality:
        return choice
    return ModelChoice(modality, choice.model_id, choice.entry, choice.token_price)


def _named(
    typed: str, *, catalog: Catalog, at: datetime, asked: Modality | None, position: int, assumptions: list[str]
) -> ModelChoice | None:
    """What a typed model name stands for: `provider/model`, a catalog name, a family, a spelling, a token id."""
    prefix, rest = _split(typed)
    if prefix is not None:
        try:
            return _lookup(rest, catalog=catalog, at=at, provider=prefix)
        except UnknownProvider as error:
            raise EstimateError(
                f"I don't know the provider '{prefix}' in '{typed}'. Name one genai-prices knows "
                f"({', '.join(p for p in error.known if p in _PROVIDER_HINTS)}, …), as LiteLLM and OpenRouter "
                "spell them, or leave the provider out.",
                fragment=typed,
                position=position,
                example=f"{EXAMPLES[asked or 'chat']} together/llama-3.1-70b",
            ) from None
    model_id = catalog.resolve(typed)
    if model_id is not None:
        entry = catalog.default_entry(model_id)
        return ModelChoice(entry.modality, model_id, entry, None)
    alias, spelled = _spellings(typed)
    if alias is not None:
        return _family_member(typed, alias.members, catalog=catalog, at=at, position=position, assumptions=assumptions)
    if spelled is not None:
        found = _named(spelled, catalog=catalog, at=at, asked=asked, position=position, assumptions=assumptions)
        if found is not None:
            return found
    return _lookup(typed, catalog=catalog, at=at)


def _family_member(
    typed: str, members: tuple[str, ...], *, catalog: Catalog, at: datetime, position: int, assumptions: list[str]
) -> ModelChoice:
    day = at.date()
    found: list[ModelChoice] = []
    for member in members:
        provider, name = _split(member)
        choice = _lookup(name, catalog=catalog, at=at, provider=provider)
        if choice is None:
            continue
        found.append(choice)
        if choice.lifecycle.usable_on(day):
            if len(members) > 1:
                assumptions.append(
                    f"'{typed}' is a family: its newest model on sale is {choice.name} ({choice.model_id})."
                )
            elif choice.token_price is not None:
                assumptions.append(f"'{typed}' is priced at {choice.provider}'s rate for {choice.model_id}.")
            return choice
    if not found:  # every member unknown to this data: a stale alias table, not the user's fault
        raise EstimateError(f"I know '{typed}' as a family name, but none of its models has a price here.",
                            fragment=typed, position=position)  # fmt: skip
    last = found[0]
    life = last.lifecycle
    shut = f" on {life.shutdown.isoformat()}" if life.shutdown else ""
    instead = f"; {last.provider} recommends {life.replacement}" if life.replacement else ""
    raise EstimateError(
        f"Every '{typed}' model has been shut down (the newest, {last.model_id}, was shut down{shut}{instead}). "
        f"Name one to price it as it was, like '{last.model_id}'.",
        fragment=typed,
        position=position,
        suggestion=life.replacement or last.model_id,
    )


@functools.lru_cache(maxsize=2048)
def _spellings(typed: str) -> tuple[Alias | None, str | None]:
    """The family a typed name stands for, and another spelling to look it up by (either may be None)."""
    return find_alias(typed), rewrite(typed)


_PROVIDER_HINTS = frozenset(
    {"openai", "anthropic", "google", "azure", "aws", "together", "groq", "fireworks", "deepseek", "mistral",
     "x-ai", "openrouter", "cohere", "cerebras"}
)  # fmt: skip


def _suggestions(typed: str, asked: Modality | None, catalog: Catalog, at: datetime) -> list[str]:
    """Up to three names close to `typed` that parse and price, models on sale first."""
    extra = known_token_models() if asked in (None, *TOKEN_MODALITIES) else ()
    close = catalog.suggest(typed, modality=asked, extra=extra, limit=6)
    day = at.date()

    def on_sale(suggested: str) -> bool:
        provider, name = _split(suggested)
        try:
            choice = _lookup(name, catalog=catalog, at=at, provider=provider)
        except UnknownProvider:  # pragma: no cover - suggestions only name known providers
            return False
        return choice is not None and choice.lifecycle.usable_on(day)

    ranked = sorted(close, key=lambda name: not on_sale(name))
    return ranked[:3]


def _split(name: str) -> tuple[str | None, str]:
    """`together/meta-llama/x` → ("together", "meta-llama/x"); a plain name has no provider."""
    provider, slash, rest = name.partition("/")
    return (provider, rest) if slash else (None, name)


def _unknown_model(typed: str, asked: Modality | None, catalog: Catalog, position: int, at: datetime) -> EstimateError:
    suggestions = _suggestions(typed, asked, catalog, at)
    hint = f" {', '.join(suggestions)} {'is' if len(suggestions) == 1 else 'are'} close." if suggestions else ""
    default = default_model(asked or "video", catalog=catalog, at=at)
    return EstimateError(
        f"I don't know the model '{typed}', so I can't price it.{hint} "
        "'/cost prices' lists every model I know; a price book (COSTBOT_PRICES) can add your own.",
        fragment=typed,
        position=position,
        suggestion=suggestions[0] if suggestions else None,
        example=f"{EXAMPLES[asked or 'video']} {default}",
    )


def _wrong_modality(
    typed: str, actual: Modality, asked: Modality, catalog: Catalog, position: int, at: datetime
) -> EstimateError:
    default = default_model(asked, catalog=catalog, at=at)
    day = at.date()
    others = [i for i in catalog.ids(asked) if i != default and catalog.default_entry(i).lifecycle.usable_on(day)]
    options = ", ".join([default, *others][:4])
    return EstimateError(
        f"'{typed}' is {WORKLOAD_PHRASES[actual]} model, not {WORKLOAD_PHRASES[asked]} model. "
        f"For {asked}, try {options}.",
        fragment=typed,
        position=position,
        example=f"{EXAMPLES[asked]} {default}",
    )


# --- the price of one unit ------------------------------------------------------------------------------


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
    source = PriceSource(
        description=listed,
        source=entry.source,
        checked=entry.checked,
        kind=entry.source_kind,
        status=str(entry.status),
        status_date=entry.status_date,
        override=False,
    )
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
    unit = {"second": "second of video", "image": "image", "char": "characters", "minute": "minute of audio",
            "token": "tokens"}[entry.unit]  # fmt: skip
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
        source = PriceSource(
            description=listed, source=entry.source, checked=entry.checked, kind=entry.source_kind,
            status=str(entry.status), status_date=entry.status_date, override=False,
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
