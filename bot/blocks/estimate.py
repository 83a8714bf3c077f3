"""An `Estimate` as a Slack message: headline, API price beside compute cost, projections, value, sources."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.blocks.mrkdwn import clip, escape, link
from costing import Estimate, format_count, format_ratio, format_usd, source_words

__all__ = ["ADJUST_ACTION", "SAVE_ACTION", "SHARE_ACTION", "estimate_blocks", "estimate_message", "headline_text"]

SAVE_ACTION = "save_estimate"
SHARE_ACTION = "share_estimate"
ADJUST_ACTION = "adjust_estimate"

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
        verdict = ":white_check_mark: pays for itself" if value.ratio >= 1 else ":x: costs more than it brings"
        ratios = f"value ÷ API spend *{format_ratio(value.ratio)}*"
        if value.compute_ratio is not None:
            ratios += f" · value ÷ compute {format_ratio(value.compute_ratio)}"
        lines.append(f"{ratios} — {verdict}")
    if value.break_even_unit_usd is not None:
        lines.append(f"Break-even: {format_usd(value.break_even_unit_usd)} per {escape(estimate.unit)} at API price")
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


def _warnings(estimate: Estimate) -> dict | None:
    if not estimate.warnings:
        return None
    text = "\n".join(f":warning: {escape(w)}" for w in estimate.warnings)
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}


def _footer(estimate: Estimate, shared_by: str | None) -> dict:
    asked = f"`/cost {escape(estimate.text)}`"
    if shared_by is not None:
        asked = f"Shared by <@{shared_by}> · {asked}"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(asked)}]}


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
    return {"type": "actions", "block_id": "estimate_actions", "elements": buttons}


def estimate_blocks(estimate: Estimate, *, assumptions: bool = True) -> list[dict[str, Any]]:
    """The figures of an estimate as blocks: what, API price beside compute, periods, value, warnings, source."""
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(_what(estimate))}},
        _costs(estimate),
        _projections(estimate),
        _value(estimate),
        _warnings(estimate),
        _price_source(estimate),
        _assumptions(estimate) if assumptions else None,
    ]
    return [b for b in blocks if b is not None]


def estimate_message(
    estimate: Estimate, *, shared_by: str | None = None, share: bool = True, save: bool = True
) -> dict[str, Any]:
    """The message for an estimate: `{"text": headline, "blocks": [...]}`.

    Args:
        estimate: What to show.
        shared_by: The Slack user id of whoever shared it in the channel; None for the asker's own copy.
        share: Whether to offer the Share in channel button (not on a message that is already public).
        save: Whether to offer the Save button (saving needs a channel: not in a modal's answer elsewhere).
    """
    if shared_by is not None and not _USER_ID.fullmatch(shared_by):
        raise ValueError(f"not a Slack user id: {shared_by!r}")
    blocks = [
        *estimate_blocks(estimate),
        _footer(estimate, shared_by),
        _actions(estimate, share=share and shared_by is None, save=save),
    ]
    return {"text": headline_text(estimate), "blocks": blocks}
