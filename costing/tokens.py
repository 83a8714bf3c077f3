"""Token prices from genai-prices, looked up once per model and day, then applied with plain arithmetic.

genai-prices is imported on first use only: a video estimate never pays for loading its data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

__all__ = ["TokenPrice", "find_token_price", "known_token_models"]

_MTOK = Decimal(1_000_000)

# genai-prices finds most providers from the model name alone; embedding models need their provider named.
_EMBEDDING_PROVIDERS = ("openai", "google", "voyageai", "cohere", "mistral")


@dataclass(frozen=True, slots=True)
class TokenPrice:
    """USD per million input and output tokens for one model, with the >N-token tiers some models have."""

    model_id: str
    name: str
    provider: str
    input_mtok: Decimal
    output_mtok: Decimal | None
    #: (threshold, input price, output price): above `threshold` input tokens in one request, the whole request
    #: is billed at the tier price (genai-prices' "cliff" model).
    tiers: tuple[tuple[int, Decimal, Decimal | None], ...]
    source: str
    deprecated: bool
    package_version: str

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


def find_token_price(model_ref: str, *, on: date | None = None) -> TokenPrice | None:
    """The token price of `model_ref` (a name as users type it) on a day, or None when genai-prices has none.

    Args:
        model_ref: `gpt-4o`, `claude-sonnet-4.5`, `text-embedding-3-small`, ...
        on: The day whose prices apply (dated price changes exist); today by default.
    """
    return _lookup(model_ref.lower(), on or datetime.now(UTC).date())


@functools.lru_cache(maxsize=1024)
def _lookup(model_ref: str, on: date) -> TokenPrice | None:
    from genai_prices import __version__
    from genai_prices.data_snapshot import get_snapshot
    from genai_prices.types import TieredPrices

    snapshot = get_snapshot()
    found = None
    for provider_id in (None, *_EMBEDDING_PROVIDERS):
        try:
            found = snapshot.find_provider_model(model_ref, None, provider_id, None)
            break
        except LookupError:
            continue
    if found is None:
        return None
    provider, model = found
    prices = model.get_prices(datetime.combine(on, datetime.min.time(), tzinfo=UTC))
    input_price = prices.input_mtok
    if input_price is None:
        return None  # priced per image or per request only: not a token model for our purposes
    output_price = prices.output_mtok

    def base(price: Decimal | TieredPrices | None) -> Decimal | None:
        return price.base if isinstance(price, TieredPrices) else price

    thresholds = sorted({t.start for p in (input_price, output_price) if isinstance(p, TieredPrices) for t in p.tiers})

    def at(price: Decimal | TieredPrices | None, threshold: int) -> Decimal | None:
        if not isinstance(price, TieredPrices):
            return price
        rate = price.base
        for tier in price.tiers:
            if tier.start <= threshold:
                rate = tier.price
        return rate

    tiers = tuple((t, at(input_price, t), at(output_price, t)) for t in thresholds)
    urls = provider.pricing_urls or []
    return TokenPrice(
        model_id=model.id,
        # genai-prices' lower-case names ("gpt 4o") read worse than the ids people type.
        name=model.name if model.name and model.name != model.name.lower() else model.id,
        provider=provider.name,
        input_mtok=base(input_price),  # type: ignore[arg-type]
        output_mtok=base(output_price),
        tiers=tiers,  # type: ignore[arg-type]
        source=urls[0] if urls else f"genai-prices {__version__}",
        deprecated=bool(model.deprecated),
        package_version=__version__,
    )


@functools.cache
def known_token_models() -> tuple[str, ...]:
    """Ids of the main providers' token-priced models, for "did you mean" suggestions."""
    from genai_prices.data_snapshot import get_snapshot

    wanted = {"openai", "anthropic", "google", "deepseek", "x-ai", "mistral", "meta", "groq", "together"}
    return tuple(dict.fromkeys(m.id for p in get_snapshot().providers if p.id in wanted for m in p.models))
