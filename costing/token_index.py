"""genai-prices' data indexed for costbot: what a token price is (`TokenPrice`, from which data: `TokenData`),
and `TokenIndex`, the cached lookups in one snapshot — by genai-prices' own matching, with a named provider
(`together/llama-3.1-70b`), in any provider's list, and loosely within a provider
(`bedrock/claude-sonnet-4.5` finds `global.anthropic.claude-sonnet-4-5-20250929-v1:0`).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from costing.lifecycle import Lifecycle, Status
from costing.money import format_usd
from costing.token_facts import token_facts

if TYPE_CHECKING:
    from genai_prices.data_snapshot import DataSnapshot
    from genai_prices.types import ModelInfo, Provider, TieredPrices

__all__ = ["TokenData", "TokenIndex", "TokenPrice", "UnknownProvider"]

_MTOK = Decimal(1_000_000)


class UnknownProvider(LookupError):
    """A `provider/model` name whose provider genai-prices doesn't know."""

    def __init__(self, prefix: str, known: tuple[str, ...]) -> None:
        super().__init__(prefix)
        self.prefix = prefix
        self.known = known


class TokenData(NamedTuple):
    """Which genai-prices data priced a model: the package's bundled snapshot, or one fetched since."""

    package_version: str
    #: The day the data is from: the package's release for the bundled snapshot, the fetch for a live one.
    as_of: date | None
    #: Where a live snapshot came from; None for the bundled one.
    origin: str | None

    @property
    def label(self) -> str:
        if self.origin is not None:
            return f"genai-prices data fetched {self._day()} from {_host(self.origin)}"
        return f"genai-prices {self.package_version} data of {self._day()}"

    def _day(self) -> str:
        return self.as_of.isoformat() if self.as_of else "an unknown date"


class TokenPrice(NamedTuple):
    """USD per million input and output tokens for one model, at one moment, with the >N-token tiers some have."""

    model_id: str
    name: str
    provider: str
    provider_id: str
    input_mtok: Decimal
    output_mtok: Decimal | None
    #: (threshold, input price, output price): above `threshold` input tokens in one request, the whole request
    #: is billed at the tier price (genai-prices' "cliff" model).
    tiers: tuple[tuple[int, Decimal, Decimal | None], ...]
    source: str
    lifecycle: Lifecycle
    data: TokenData
    #: Said with the answer when the price depends on the time of day or changes on a coming date.
    notes: tuple[str, ...] = ()
    #: How the typed name was matched, when it isn't the model's own id (`bedrock/claude-sonnet-4.5` → …).
    matched_as: str | None = None

    @property
    def deprecated(self) -> bool:
        return self.lifecycle.status is not Status.ACTIVE

    def rates(self, tokens_in: Decimal) -> tuple[Decimal, Decimal | None, int | None]:
        """(input $/MTok, output $/MTok, tier threshold or None) for a request with `tokens_in` input tokens."""
        for threshold, tier_in, tier_out in reversed(self.tiers):
            if tokens_in > threshold:
                return tier_in, tier_out if tier_out is not None else self.output_mtok, threshold
        return self.input_mtok, self.output_mtok, None

    def request_usd(self, tokens_in: Decimal, tokens_out: Decimal) -> tuple[Decimal, Decimal]:
        """USD for one request's input and output tokens."""
        rate_in, rate_out, _ = self.rates(tokens_in)
        return tokens_in * rate_in / _MTOK, tokens_out * (rate_out or Decimal(0)) / _MTOK


class _Found(NamedTuple):
    provider: Provider
    model: ModelInfo
    matched_as: str | None


class TokenIndex:
    """Lookups in one genai-prices snapshot, cached; replaced as a whole when the snapshot changes."""

    def __init__(self, snapshot: DataSnapshot) -> None:
        from genai_prices import __version__

        self.snapshot = snapshot
        self.version = __version__
        self.data = _data_of(snapshot, __version__)
        self._found: dict[tuple[str, str | None], _Found | None] = {}
        self._prices: dict[tuple[str, str, int], TokenPrice | None] = {}
        self._suggestions: tuple[str, ...] | None = None

    # names → models
    def find(self, ref: str, provider_ref: str | None) -> _Found | None:
        key = (ref, provider_ref)
        try:
            return self._found[key]
        except KeyError:
            pass
        found = self._find(ref, provider_ref)
        if len(self._found) > 4096:  # bounded: names come from users
            self._found.clear()
        self._found[key] = found
        return found

    def _find(self, ref: str, provider_ref: str | None) -> _Found | None:
        from genai_prices.data_snapshot import find_provider_by_id

        providers = self.snapshot.providers
        if provider_ref is not None:
            provider = find_provider_by_id(providers, provider_ref)
            if provider is None:
                # OpenRouter spells models `maker/model` (`meta-llama/llama-3.1-70b-instruct`).
                openrouter = find_provider_by_id(providers, "openrouter")
                model = openrouter.find_model(f"{provider_ref}/{ref}") if openrouter else None
                if openrouter is not None and model is not None:
                    return _Found(openrouter, model, None)
                raise UnknownProvider(provider_ref, _provider_names(providers))
            model = provider.find_model(ref, all_providers=providers)
            if model is not None:
                return _Found(provider, model, None)
            loose = _loosely(ref, provider)
            return _Found(provider, loose, ref) if loose is not None else None
        try:
            provider, model = self.snapshot.find_provider_model(ref, None, None, None)
            return _Found(provider, model, None)
        except LookupError:
            pass
        # Providers genai-prices can't tell from the name alone: embeddings, then every provider's own list,
        # makers before hosts (Groq's `llama-3.1-70b-versatile`).
        for provider_id in _lookup_order():
            provider = find_provider_by_id(providers, provider_id)
            model = provider.find_model(ref) if provider is not None else None
            if provider is not None and model is not None:
                return _Found(provider, model, None)
        for provider in providers:
            model = provider.find_model(ref)
            if model is not None:
                return _Found(provider, model, None)
        return None

    # models → prices at a moment
    def price(self, found: _Found, at: datetime) -> TokenPrice | None:
        index = _active_price(found.model, at)
        key = (found.provider.id, found.model.id, index)
        try:
            price = self._prices[key]
        except KeyError:
            price = self._prices[key] = self._price_of(found, index)
        if price is None:
            return None
        notes = _moment_notes(found.model, at, index, price)
        if notes or found.matched_as:
            return price._replace(notes=notes, matched_as=found.matched_as)
        return price

    def _price_of(self, found: _Found, index: int) -> TokenPrice | None:
        from genai_prices.types import ModelPrice

        provider, model = found.provider, found.model
        prices = model.prices if isinstance(model.prices, ModelPrice) else model.prices[index].prices
        input_price = prices.input_mtok
        output_price = prices.output_mtok
        if input_price is None:
            return None  # priced per image or per request only, or free: not a token model for our purposes
        thresholds = sorted({t.start for p in (input_price, output_price) if _tiered(p) for t in p.tiers})
        tiers = tuple((t, _at(input_price, t), _at(output_price, t)) for t in thresholds)
        urls = provider.pricing_urls or []
        return TokenPrice(
            model_id=model.id,
            # genai-prices' lower-case names ("gpt 4o") read worse than the ids people type.
            name=model.name if model.name and model.name != model.name.lower() else model.id,
            provider=provider.name,
            provider_id=provider.id,
            input_mtok=_base(input_price),  # type: ignore[arg-type]
            output_mtok=_base(output_price),
            tiers=tiers,  # type: ignore[arg-type]
            source=urls[0] if urls else f"genai-prices {self.version}",
            lifecycle=_lifecycle(provider.id, model),
            data=self.data,
        )

    def suggestions(self) -> tuple[str, ...]:
        if self._suggestions is None:
            wanted = token_facts().suggestion_providers
            names: dict[str, None] = {}
            for provider in self.snapshot.providers:
                if provider.id not in wanted:
                    continue
                for model in provider.models:
                    name = model.id.lower()
                    if _MODEL_NAME.fullmatch(name) is None:
                        continue
                    try:
                        found = self.find(name, None)
                    except UnknownProvider:  # pragma: no cover - no provider named
                        found = None
                    if found is None or found.model is not model:
                        name = f"{provider.id}/{name}"
                    names.setdefault(name)
            self._suggestions = tuple(names)
        return self._suggestions


# What the /cost scanner reads as one model name (see costing.scanner); suggestions must be of this shape.
_MODEL_NAME = re.compile(r"[a-z][a-z0-9]*(?:[._\-][a-z0-9]+)*")


# --- helpers ---------------------------------------------------------------------------------------------


def _data_of(snapshot: DataSnapshot, version: str) -> TokenData:
    origin = getattr(snapshot, "origin", None)
    if snapshot.from_auto_update or origin is not None:
        stamp = snapshot.timestamp
        day = (stamp.astimezone(UTC) if stamp.tzinfo else stamp).date()
        return TokenData(version, day, origin or "genai-prices' update URL")
    return TokenData(version, token_facts().release_dates.get(version), None)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or url


def _provider_names(providers: list[Any]) -> tuple[str, ...]:
    return tuple(sorted(p.id for p in providers if not p.id.startswith("huggingface_")))


@functools.cache
def _lookup_order() -> tuple[str, ...]:
    return token_facts().lookup_order


def _tiered(price: Decimal | TieredPrices | None) -> TypeGuard[TieredPrices]:
    from genai_prices.types import TieredPrices

    return isinstance(price, TieredPrices)


def _base(price: Decimal | TieredPrices | None) -> Decimal | None:
    return price if price is None or isinstance(price, Decimal) else price.base


def _at(price: Decimal | TieredPrices | None, threshold: int) -> Decimal | None:
    if price is None or isinstance(price, Decimal):
        return price
    rate = price.base
    for tier in price.tiers:
        if tier.start <= threshold:
            rate = tier.price
    return rate


def _active_price(model: ModelInfo, at: datetime) -> int:
    """Which of a model's conditional prices applies at `at` (genai-prices' rule: the last active one)."""
    from genai_prices.types import ModelPrice

    if isinstance(model.prices, ModelPrice):
        return 0
    for index in range(len(model.prices) - 1, -1, -1):
        constraint = model.prices[index].constraint
        if constraint is None or constraint.active(at):
            return index
    return 0


def _moment_notes(model: ModelInfo, at: datetime, index: int, price: TokenPrice) -> tuple[str, ...]:
    """A time-of-day rate (DeepSeek's off-peak hours) or a dated change ahead, said with the answer."""
    from genai_prices.types import ModelPrice, StartDateConstraint, TimeOfDateConstraint

    if isinstance(model.prices, ModelPrice):
        return ()
    notes = []
    windows = [(i, c.constraint) for i, c in enumerate(model.prices) if isinstance(c.constraint, TimeOfDateConstraint)]
    if windows:
        moment = at.astimezone(UTC)
        rates = []
        for i, window in windows:
            rates.append(f"{_hhmm(window.start_time)}–{_hhmm(window.end_time)} UTC {_rate(model, i)}")
        rates.append(f"otherwise {_rate(model, _default_index(model))}")
        notes.append(
            f"{price.name}'s price depends on the time of day: {'; '.join(rates)}. Priced at "
            f"{moment:%H:%M} UTC ({_rate(model, index)}); a workload spread over the day pays a mix."
        )
    ahead = [
        (c.constraint.start_date, i)
        for i, c in enumerate(model.prices)
        if isinstance(c.constraint, StartDateConstraint) and c.constraint.start_date > at.astimezone(UTC).date()
    ]
    if ahead:
        day, i = min(ahead)
        notes.append(f"{price.name}'s price changes on {day.isoformat()} to {_rate(model, i)}.")
    return tuple(notes)


def _default_index(model: ModelInfo) -> int:
    from genai_prices.types import TimeOfDateConstraint

    assert isinstance(model.prices, list)
    others = [i for i, c in enumerate(model.prices) if not isinstance(c.constraint, TimeOfDateConstraint)]
    return others[-1] if others else 0


def _rate(model: ModelInfo, index: int) -> str:
    assert isinstance(model.prices, list)
    prices = model.prices[index].prices
    rate_in, rate_out = _base(prices.input_mtok), _base(prices.output_mtok)
    text = f"{format_usd(rate_in)}/1M input" if rate_in is not None else "no input price"
    return text + (f", {format_usd(rate_out)}/1M output" if rate_out is not None else "")


def _hhmm(value: time) -> str:
    if value.tzinfo is not None:
        value = datetime.combine(date(2000, 1, 1), value).astimezone(UTC).time()
    return f"{value:%H:%M}"


def _lifecycle(provider_id: str, model: ModelInfo) -> Lifecycle:
    """The overlay's record for a model (shutdown dates genai-prices doesn't carry), or its deprecated flag."""
    recorded = token_facts().lifecycle(provider_id, model.id)
    if recorded is not None:
        return recorded
    if model.deprecated:
        return Lifecycle(status=Status.DEPRECATED, source="genai-prices (its 'deprecated' flag)")
    return Lifecycle()


# Within one provider: `claude-sonnet-4.5` finds `global.anthropic.claude-sonnet-4-5-20250929-v1:0`.
_REGION = re.compile(r"^(?:global|us|eu|apac|jp|au|ca)\.")
_MAKER = re.compile(r"^(?:anthropic|meta|amazon|mistral|cohere|deepseek|ai21|moonshotai|qwen|openai|google|xai)\.")
_NOISE = re.compile(r"(?:-v\d+(?::\d+)?$|[-@]\d{8}$|-\d{4}-\d{2}-\d{2}$|-instruct|-chat|-hf|-turbo|-fp8)")
_VERSION_P = re.compile(r"(?<=\d)p(?=\d)")  # Fireworks' llama-v3p1 means 3.1


def _loose_key(name: str) -> str:
    name = name.lower().rsplit("/", 1)[-1]
    name = _MAKER.sub("", _REGION.sub("", name))
    name = _VERSION_P.sub(".", name)
    previous = None
    while previous != name:
        previous, name = name, _NOISE.sub("", name)
    name = re.sub(r"^meta-", "", re.sub(r"-v(?=\d)", "-", name))
    return re.sub(r"[\s._\-:]+", "", name)


def _loosely(ref: str, provider: Provider) -> ModelInfo | None:
    wanted = _loose_key(ref)
    matches = [m for m in provider.models if _loose_key(m.id) == wanted]
    if not matches:
        return None
    return min(matches, key=lambda m: (bool(m.deprecated), len(m.id), m.id))
