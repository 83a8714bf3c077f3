"""How an answer words where a price comes from: the provider's page, a price file, a reseller, a blog."""

from __future__ import annotations

from costing.pricing import PriceSource

__all__ = ["source_words"]

_KINDS = {
    "official": "the provider's price page",
    "aggregator": "a price file citing the provider's page",
    "blog": "a third party's reading, not the provider's page (a last resort)",
    "reseller": "a reseller's price, with its margin",
    "derived": "derived from cited prices (see the note in the catalog)",
    "negotiated": "your price book",
    "override": "your price",
}


def source_words(price: PriceSource) -> str:
    """`the provider's price page, checked 2026-11-20` · `genai-prices 0.2.3 data of 2026-11-10`."""
    if price.data is not None:
        return price.data
    words = _KINDS.get(price.kind, price.kind)
    return f"{words}, checked {price.checked.isoformat()}" if price.checked else words
