"""`/cost prices [filter]`: what costbot knows, with sources and dates, within Slack's message limits."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.blocks.mrkdwn import escape, link
from bot.blocks.parts import sections
from costing import PriceListing, PriceRow

__all__ = ["prices_message"]

#: Rows shown before asking for a narrower filter; a message holds 50 blocks of 3,000 characters.
MAX_ROWS = 40


def _row(row: PriceRow) -> str:
    variant = f" ({escape(row.variant)})" if row.variant else ""
    status = "" if row.status == "active" else f" · _{escape(row.status)}_"
    checked = f"checked {row.checked.isoformat()}" if row.checked else "genai-prices"
    return f"`{escape(row.model)}` {escape(row.price)}{variant}{status} · {checked} · {link(row.source)}"


def prices_message(listing: PriceListing) -> dict[str, Any]:
    """The listing as a message: without a filter, a summary by kind; with one, the matching rows."""
    if listing.filter is None:
        kinds = Counter(row.modality for row in listing.rows)
        lines = [f"*{len(listing.rows)} media prices* I know, with their sources and dates:"]
        lines += [f"• {kind}: {count} — `/cost prices {kind}`" for kind, count in sorted(kinds.items())]
        lines.append(
            f"• chat and embeddings: {listing.token_models_hidden} token-priced models from genai-prices "
            "— `/cost prices claude`"
        )
        lines.append("Filter by model, provider or kind: `/cost prices veo`, `/cost prices openai`.")
        return {"text": f"costbot knows {len(listing.rows)} media prices", "blocks": sections(lines)}
    if not listing.rows:
        text = (
            f"No prices match '{escape(listing.filter)}'. "
            "Try a provider (`openai`), a kind (`video`) or a model (`veo`)."
        )
        return {"text": text, "blocks": sections([text])}
    shown = listing.rows[:MAX_ROWS]
    lines = [f"*Prices matching '{escape(listing.filter)}'*", *(_row(r) for r in shown)]
    more = len(listing.rows) - len(shown) + listing.token_models_hidden
    if more:
        lines.append(f"…and {more} more; narrow the filter, e.g. `/cost prices {escape(shown[0].model)}`.")
    if any(r.modality in {"chat", "agent", "embed"} for r in shown):
        lines.append("_Token prices: input / output, in USD per 1M tokens._")
    return {"text": f"{len(listing.rows)} prices match '{escape(listing.filter)}'", "blocks": sections(lines)}
