"""`/cost prices [filter]`: what costbot knows, with sources and dates, as rows any front end can show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from costing.catalog import Catalog, PriceEntry
from costing.lexicon import Modality
from costing.lifecycle import Lifecycle
from costing.money import format_count, format_usd
from costing.price_book import current_catalog
from costing.tokens import find_token_price, known_token_models, token_data

__all__ = ["PriceListing", "PriceRow", "list_prices"]


@dataclass(frozen=True, slots=True)
class PriceRow:
    model: str
    name: str
    provider: str
    modality: Modality
    variant: str
    price: str
    status: str
    checked: date | None
    source: str


@dataclass(frozen=True, slots=True)
class PriceListing:
    rows: list[PriceRow]
    #: Token-priced models (genai-prices) matching the filter but not listed because there are too many.
    token_models_hidden: int
    filter: str | None
    #: Which genai-prices data token prices come from (`genai-prices 0.2.3 data of 2026-11-10`).
    token_data: str


_UNIT_TEXT = {"second": "s", "image": "image", "char": "chars", "minute": "min", "token": "tokens"}


def _status(life: Lifecycle, day: date) -> str:
    """`active`, `preview 2026-03-31`, `shuts down 2026-12-11`, `retired 2026-10-23` on `day`."""
    status = life.status_on(day)
    if status == "retired":
        return f"retired {life.shutdown.isoformat()}" if life.shutdown else "retired"
    if status == "deprecated":
        return f"shuts down {life.shutdown.isoformat()}" if life.shutdown else "deprecated"
    if status == "preview" and life.since:
        return f"preview {life.since.isoformat()}"
    return str(status)


def _row(entry: PriceEntry, day: date) -> PriceRow:
    per = f"{format_count(entry.per)} " if entry.per != 1 else ""
    price = f"{format_usd(entry.usd)}/{per}{_UNIT_TEXT[entry.unit]}"
    if entry.output_usd is not None:
        price = (
            f"{format_usd(entry.usd * 1_000_000 / entry.per)} / {format_usd(entry.output_usd * 1_000_000 / entry.per)}"
        )
    status = _status(entry.lifecycle, day)
    return PriceRow(
        model=entry.id,
        name=entry.name,
        provider=entry.provider,
        modality=entry.modality,
        variant=entry.describe_variant(),
        price=price,
        status=status,
        checked=entry.checked,
        source=entry.source,
    )


def list_prices(
    text: str | None = None, *, catalog: Catalog | None = None, token_limit: int = 25, at: datetime | None = None
) -> PriceListing:
    """Catalog entries (and token-priced models) whose id, name, provider or modality contains `text`.

    Args:
        text: A filter such as `veo`, `image`, `openai`; None or empty lists the whole catalog.
        catalog: The catalog to list; the current one (with the user's price book) by default.
        token_limit: At most this many genai-prices models are listed; the rest are counted.
        at: The moment statuses and token prices are given for; now by default.
    """
    catalog = catalog or current_catalog()
    at = at or datetime.now(UTC)
    day = at.date()
    needle = (text or "").strip().lower()

    def wanted(*fields: str) -> bool:
        return not needle or any(needle in f.lower() for f in fields)

    rows = [_row(e, day) for e in catalog.entries if wanted(e.id, e.name, e.provider, e.modality, *e.aliases)]
    hidden = 0
    if needle:
        token_ids = [m for m in known_token_models() if needle in m.lower() and catalog.resolve(m) is None]
        for model_id in token_ids[:token_limit]:
            provider, slash, name = model_id.partition("/")  # a suggestion names its provider when it must
            price = find_token_price(name, provider=provider, at=at) if slash else find_token_price(model_id, at=at)
            if price is None:
                continue
            out = f" / {format_usd(price.output_mtok)}" if price.output_mtok is not None else ""
            rows.append(
                PriceRow(
                    model=model_id,
                    name=price.name,
                    provider=price.provider,
                    modality="embed" if price.output_mtok is None else "chat",
                    variant="",
                    price=f"{format_usd(price.input_mtok)}{out}",
                    status=_status(price.lifecycle, day),
                    checked=price.data.as_of,
                    source=price.source,
                )
            )
        hidden = max(0, len(token_ids) - token_limit)
    else:
        hidden = len(known_token_models())
    return PriceListing(rows=rows, token_models_hidden=hidden, filter=needle or None, token_data=token_data().label)
