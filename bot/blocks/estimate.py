"""An `Estimate` as a Slack message: the headline first (what, how many, API spend, compute range, verdict),
the few figures that matter, a one-line basis; the full figures (per unit and in total, every period, value,
sources, assumptions) behind a Details button, in a modal."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.blocks.mrkdwn import clip, escape, link
from bot.blocks.words import pays_back
from costing import Estimate, format_count, format_ratio, format_usd, source_words

__all__ = [
    "ADJUST_ACTION",
    "DETAILS_ACTION",
    "SAVE_ACTION",
    "SHARE_ACTION",
    "basis_line",
    "details_blocks",
    "details_button",
    "details_footer",
    "details_modal",
    "details_value",
    "estimate_blocks",
    "estimate_message",
    "headline",
    "headline_text",
    "key_fields",
    "verdict",
    "warnings_block",
]

SAVE_ACTION = "save_estimate"
SHARE_ACTION = "share_estimate"
ADJUST_ACTION = "adjust_estimate"
DETAILS_ACTION = "estimate_details"

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def headline_text(estimate: Estimate) -> str:
    """The message's top-level `text` (notifications, screen readers): the headline figures, escaped."""
    return escape(estimate.headline())


def _what(estimate: Estimate) -> str:
    counts = " × ".join(f"{format_count(c.value)}{' ' + c.noun if c.noun else ''}" for c in estimate.counts)
    when = f" per {estimate.period}" if estimate.period else ", one-off"
    how_many = f"{counts}{when}" if counts else f"one {estimate.unit}{when}"
    return f"*{escape(estimate.model_name)}* · {escape(estimate.workload)} · {escape(how_many)}"


def _cost_field(title: str, unit_usd: Decimal, total_usd: Decimal, estimate: Estimate, extra: str = "") -> dict:
    total_label = f"per {estimate.period}" if estimate.period else "in all"
    text = (
        f"*{title}*\n{format_usd(unit_usd)} per {escape(estimate.unit)}\n*{format_usd(total_usd)}* {total_label}{extra}"
    )
    return {"type": "mrkdwn", "text": text}


def _costs(estimate: Estimate) -> dict:
    api_extra = compute_extra = ""
    compute = estimate.compute
    if estimate.per_user_usd is not None and estimate.users:
        period = f"/{estimate.period}" if estimate.period else ""
        api_extra = f"\n{format_usd(estimate.per_user_usd)} per user{period}"
        compute_extra = f"\n{format_usd(compute.total_usd / estimate.users)} per user{period}"
    if compute.total_low_usd != compute.total_high_usd:
        compute_extra += (
            f"\n_{format_usd(compute.total_low_usd)}–{format_usd(compute.total_high_usd)}: batched ↔ one at a time_"
        )
    api_title = "Your price" if estimate.api.price.override else "API price"
    return {
        "type": "section",
        "fields": [
            _cost_field(api_title, estimate.api.unit_usd, estimate.api.total_usd, estimate, api_extra),
            _cost_field("GPU compute", estimate.compute.unit_usd, estimate.compute.total_usd, estimate, compute_extra),
        ],
    }


def _projections(estimate: Estimate) -> dict | None:
    if not estimate.projections:
        return None
    compute = estimate.compute.projections or {}
    fields = [
        {
            "type": "mrkdwn",
            "text": f"*Per {name}*\n{format_usd(amount)} API · {format_usd(compute[name])} compute",
        }
        for name, amount in estimate.projections.items()
    ]
    return {"type": "section", "fields": fields}


def _value(estimate: Estimate) -> dict | None:
    value = estimate.value
    if value is None:
        return None
    period = f" per {value.period}" if value.period else ""
    said = value.description.removeprefix("value: ")  # not "*Value* value: $2.00 per video"
    lines = [f"*Value* {escape(said)} → *{format_usd(value.total_usd)}*{period}"]
    if value.ratio is not None:
        mark = ":white_check_mark:" if value.ratio >= 1 else ":x:"
        ratios = f"{mark} {pays_back(value.ratio, _spend_noun(estimate))}"
        if value.compute_ratio is not None:
            ratios += f" · value ÷ compute {format_ratio(value.compute_ratio)}"
        lines.append(ratios)
    if value.break_even_unit_usd is not None:
        lines.append(f"Break-even price: {_break_even(estimate, value.break_even_unit_usd)}")
    if value.payback_days is not None:
        lines.append(f"Pays back the one-off cost in {format_count(value.payback_days.quantize(Decimal(1)))} days")
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip("\n".join(lines))}}


def _price_source(estimate: Estimate) -> dict:
    price = estimate.api.price
    text = f"*Price* {escape(price.description)} ({escape(source_words(price))}) · {link(price.source)}"
    basis = estimate.compute.basis
    if basis.get("family"):
        point = basis["point"]
        text += f"\n*Compute* as {escape(basis['family_name'])} ({escape(basis['why'])}) · {link(point['source'])}"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def _assumptions(estimate: Estimate) -> dict:
    text = "*Assumptions*\n" + "\n".join(f"• {escape(a)}" for a in estimate.assumptions)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def _actions(estimate: Estimate, *, share: bool, save: bool) -> dict:
    buttons: list[dict[str, Any]] = []
    if save:
        buttons.append(
            {
                "type": "button",
                "action_id": SAVE_ACTION,
                "text": {"type": "plain_text", "text": "Save"},
                "value": estimate.text,
            }
        )
    if share:
        buttons.append(
            {
                "type": "button",
                "action_id": SHARE_ACTION,
                "text": {"type": "plain_text", "text": "Share in channel"},
                "style": "primary",
                "value": estimate.text,
            }
        )
    buttons.append(
        {
            "type": "button",
            "action_id": ADJUST_ACTION,
            "text": {"type": "plain_text", "text": "Adjust"},
            "value": estimate.text,
        }
    )
    buttons.append(details_button(details_value(estimate)))
    return {"type": "actions", "block_id": "estimate_actions", "elements": buttons}


def _spend_label(estimate: Estimate) -> str:
    """What the money column is: the provider's list price, or the user's own (`at $0.2/s`)."""
    return "your price" if estimate.api.price.override else "API"


def _spend_noun(estimate: Estimate) -> str:
    """`_spend_label` before "spend": `API spend`, `your-price spend`."""
    return _spend_label(estimate).replace(" ", "-")


def verdict(estimate: Estimate) -> str | None:
    """The headline's verdict, against API spend (compute is the provider's cost, not the buyer's):
    `pays back: value 2.00× API spend`, `doesn't pay back: value 0.19× API spend; break-even price $0.01 per
    image (now $0.053)`, or for a one-off cost, `pays back the one-off cost in 61 days`; None without a value."""
    value = estimate.value
    if value is None:
        return None
    if value.ratio is None:
        if value.payback_days is None:
            return None
        return f"pays back the one-off cost in {format_count(value.payback_days.quantize(Decimal(1)))} days"
    said = pays_back(value.ratio, _spend_noun(estimate))
    if value.ratio < 1 and value.break_even_unit_usd is not None:
        said += f"; break-even price {_break_even(estimate, value.break_even_unit_usd)}"
    return said


def _break_even(estimate: Estimate, price: Decimal) -> str:
    """`$2.00 per video (now $1.00)`: the unit price at which value equals spend, beside today's."""
    return f"{format_usd(price)} per {escape(estimate.unit)} (now {format_usd(estimate.api.unit_usd)})"


def _compute_range(estimate: Estimate) -> str:
    compute = estimate.compute
    if compute.total_low_usd == compute.total_high_usd:
        return format_usd(compute.total_usd)
    return f"{format_usd(compute.total_low_usd)}–{format_usd(compute.total_high_usd)}"


def headline(estimate: Estimate) -> str:
    """The one line that answers the question, in mrkdwn: what and how many, then the API spend and the compute
    range for the period, then the verdict when a value is given.

    `*1,000,000 × 10 s video, 720p on Veo 3.1 Fast per month*: *$1,000,000* API · $44,206–$86,672 compute ·
    pays back: value 2.00× API spend`
    """
    when = f" per {estimate.period}" if estimate.period else ""
    what = f"{format_count(estimate.quantity)} × {estimate.workload} on {estimate.model_name}{when}"
    line = (
        f"*{escape(what)}*: *{format_usd(estimate.api.total_usd)}* {_spend_label(estimate)} · "
        f"{_compute_range(estimate)} compute"
    )
    said = verdict(estimate)
    return f"{line} · {said}" if said else line


def _compute_point(estimate: Estimate) -> str:
    """`$0.071 compute, typical of $0.044–$0.087`: the point per unit the answer leads with, inside its range."""
    compute = estimate.compute
    if compute.low_usd == compute.high_usd:
        return f"{format_usd(compute.unit_usd)} compute"
    low, high = format_usd(compute.low_usd), format_usd(compute.high_usd)
    return f"{format_usd(compute.unit_usd)} compute, typical of {low}–{high}"


def key_fields(estimate: Estimate, *, extra: Sequence[str] = ()) -> list[dict[str, str]]:
    """The few figures under the headline: per unit, per user, value and break-even, then `extra` fields."""
    unit = escape(estimate.unit)
    compute = estimate.compute
    spend = _spend_label(estimate)
    fields = [f"*Per {unit}*\n{format_usd(estimate.api.unit_usd)} {spend}\n{_compute_point(estimate)}"]
    if estimate.per_user_usd is not None and estimate.users:
        period = f"/{estimate.period}" if estimate.period else ""
        fields.append(
            f"*Per user*\n{format_usd(estimate.per_user_usd)}{period} {spend}\n"
            f"{format_usd(compute.total_usd / estimate.users)}{period} compute"
        )
    value = estimate.value
    if value is not None:
        period = f"/{value.period}" if value.period else ""
        fields.append(f"*Value*\n{format_usd(value.total_usd)}{period}")
        named = value.ratio is not None and value.ratio < 1  # the headline's verdict names the break-even price
        if value.break_even_unit_usd is not None and not named:
            fields.append(f"*Break-even price*\n{_break_even(estimate, value.break_even_unit_usd)}")
    fields += extra
    return [{"type": "mrkdwn", "text": clip(text, 2000)} for text in fields]


def basis_line(estimate: Estimate) -> str:
    """The short basis under the figures: where the price and the compute come from, what the range means."""
    price = estimate.api.price
    text = f"Price: {escape(source_words(price))} · {link(price.source)}"
    basis = estimate.compute.basis
    if basis.get("family"):
        text += f" · Compute as {escape(basis['family_name'])} · {link(basis['point']['source'])}"
    if estimate.compute.total_low_usd != estimate.compute.total_high_usd:
        text += " · compute range: batched serving at scale ↔ one request at a time"
    return text


def warnings_block(estimate: Estimate) -> dict[str, Any] | None:
    """The estimate's warnings (a retired model, an extrapolation), one per line; None without any."""
    if not estimate.warnings:
        return None
    text = "\n".join(f":warning: {escape(w)}" for w in estimate.warnings)
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}


def estimate_blocks(
    estimate: Estimate, *, lead: str = "", extra: Sequence[str] = (), footer: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The default view of an estimate: the headline with the key figures under it, its warnings (a retired
    model, a guess), and one line of basis. `lead` goes before the headline (a card's name), `extra` after the
    key figures (a budget), `footer` after the basis, on its own lines."""
    top = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(f"{lead}{headline(estimate)}")},
        "fields": key_fields(estimate, extra=extra),
    }
    basis = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip("\n".join([basis_line(estimate), *footer]))}],
    }
    return [b for b in (top, warnings_block(estimate), basis) if b is not None]


def details_value(estimate: Estimate) -> str:
    """The Details button's value: the text to cost, and the totals the message shows, so that Details can say
    when prices have changed since (`bot.payloads.read_details_button` reads it back)."""
    shown = {"text": estimate.text, "api": str(estimate.api.total_usd), "compute": str(estimate.compute.total_usd)}
    return json.dumps(shown, separators=(",", ":"), ensure_ascii=False)


def details_footer(estimate: Estimate, *, as_of: datetime, posted: bool, shown: tuple[Decimal, Decimal]) -> str:
    """Under Details: when the figures were costed for, and whether they still are the message's.

    Args:
        as_of: The moment costed for: when the message was posted, or now when Slack didn't say (`posted`).
        shown: The API and compute totals the message shows.
    """
    stamp = f"<!date^{int(as_of.timestamp())}^{{date_short_pretty}} {{time}}|{as_of:%Y-%m-%d %H:%M} UTC>"
    if shown != (estimate.api.total_usd, estimate.compute.total_usd):
        api, compute = (format_usd(amount) for amount in shown)
        return (
            f":warning: Prices have changed since the message was posted: it shows {api} API and {compute} compute. "
            f"These figures are the price data in use now, applied as of {stamp}."
        )
    if not posted:
        return f"Costed as of {stamp}, when Details was opened."
    return f"Costed as of {stamp}, when the message was posted: the same figures it shows."


def details_button(value: str, *, action_id: str = DETAILS_ACTION) -> dict[str, Any]:
    """The button that opens the full figures (`value` tells its listener which)."""
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": "Details"}, "value": value}


def details_blocks(estimate: Estimate, *, extra: Sequence[str] = (), asked: bool = True) -> list[dict[str, Any]]:
    """The full figures: the headline, API price beside compute per unit and in total, every period, value,
    warnings, sources with the compute family and why, and every assumption (`extra`: more lines, a budget);
    last, with `asked`, the /cost text."""
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(headline(estimate))}},
        _costs(estimate),
        _projections(estimate),
        _value(estimate),
        {"type": "section", "text": {"type": "mrkdwn", "text": clip("\n".join(extra))}} if extra else None,
        warnings_block(estimate),
        _price_source(estimate),
        _assumptions(estimate),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(f"`/cost {escape(estimate.text)}`")}]}
        if asked
        else None,
    ]
    return [b for b in blocks if b is not None]


def details_modal(
    estimate: Estimate, *, title: str = "Estimate details", extra: Sequence[str] = (), footer: str | None = None
) -> dict[str, Any]:
    """The Details modal: every figure behind an estimate's headline; `footer`, how current they are."""
    blocks = details_blocks(estimate, extra=extra)
    if footer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(footer)}]})
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": clip(title, 24)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


def estimate_message(
    estimate: Estimate, *, shared_by: str | None = None, share: bool = True, save: bool = True
) -> dict[str, Any]:
    """The message for an estimate: `{"text": headline, "blocks": [...]}`, at most five blocks.

    Args:
        estimate: What to show.
        shared_by: The Slack user id of whoever shared it in the channel; None for the asker's own copy.
        share: Whether to offer the Share in channel button (not on a message that is already public).
        save: Whether to offer the Save button (saving needs a channel: not in a modal's answer elsewhere).
    """
    if shared_by is not None and not _USER_ID.fullmatch(shared_by):
        raise ValueError(f"not a Slack user id: {shared_by!r}")
    asked = f"`/cost {escape(estimate.text)}`"
    if shared_by is not None:
        asked = f"Shared by <@{shared_by}> · {asked}"
    blocks = [
        *estimate_blocks(estimate, footer=[asked]),
        _actions(estimate, share=share and shared_by is None, save=save),
    ]
    return {"text": headline_text(estimate), "blocks": blocks}
