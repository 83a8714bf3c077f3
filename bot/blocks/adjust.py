"""The Adjust modal: an estimate's sections in their own fields, and the submission put back into one text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from costing import MAX_TEXT_LENGTH, SECTIONS, Estimate

__all__ = ["ADJUST_CALLBACK", "AdjustSubmission", "adjust_modal", "read_adjust_submission"]

ADJUST_CALLBACK = "adjust_estimate"
_PERIODS = ("day", "week", "month", "year")
_ONE_OFF = "one-off"

# section -> (label, hint); the period is a menu, the rest are text in the /cost language.
_FIELDS = {
    "workload": ("Workload", "video 10s 1080p with audio · image high 1024x1536 · chat 1500 in 500 out"),
    "model": ("Model", "A model, a family or provider/model: veo-3.1-fast, claude-haiku, together/llama-3.1-70b"),
    "counts": ("How many", "x 1M users · x 3 per user · for 200 devs: counts multiply"),
    "period": ("Period", "With a period you also get day, week, month and year figures."),
    "price": ("Your price", "at $0.25/s · at $0.04/image · discount 30% · gpu $2.50/h"),
    "value": ("Value", "value $0.05 each · value $20/user/month · saves 10 min @ $70/h"),
}


def _block_id(section: str) -> str:
    return f"adjust_{section}"


def _text_input(section: str, initial: str, *, placeholder: str | None = None) -> dict[str, Any]:
    label, hint = _FIELDS[section]
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "text", "max_length": MAX_TEXT_LENGTH}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder[:150]}
    return {
        "type": "input",
        "block_id": _block_id(section),
        "optional": section != "workload",
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": element,
    }


def _option(value: str) -> dict[str, Any]:
    text = "One-off (no period)" if value == _ONE_OFF else f"Per {value}"
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _period_input(period: str | None) -> dict[str, Any]:
    label, hint = _FIELDS["period"]
    return {
        "type": "input",
        "block_id": _block_id("period"),
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": {
            "type": "static_select",
            "action_id": "choice",
            "options": [_option(p) for p in (_ONE_OFF, *_PERIODS)],
            "initial_option": _option(period or _ONE_OFF),
        },
    }


def adjust_modal(estimate: Estimate | None, *, private_metadata: str) -> dict[str, Any]:
    """The modal view for `views.open`, prefilled with the estimate's sections as the user typed them, or empty
    for a new estimate (App Home's New estimate).

    Args:
        estimate: The estimate being adjusted; None for a new one.
        private_metadata: Opaque text Slack hands back on submission (where to answer), at most 3,000 chars.
    """
    if len(private_metadata) > 3000:
        raise ValueError("private_metadata is limited to 3,000 characters")
    sections = estimate.sections if estimate is not None else dict.fromkeys(SECTIONS, "")
    blocks = []
    for section in SECTIONS:
        if section == "period":
            blocks.append(_period_input(estimate.period if estimate is not None else None))
        elif section == "model":
            default = f"default: {estimate.model}" if estimate is not None else "default: the usual model for it"
            blocks.append(_text_input(section, sections[section], placeholder=default))
        elif section == "workload" and estimate is None:
            blocks.append(_text_input(section, "", placeholder="e.g. video 10s, chat 1500 in 500 out, image high"))
        else:
            blocks.append(_text_input(section, sections[section]))
    return {
        "type": "modal",
        "callback_id": ADJUST_CALLBACK,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Adjust estimate" if estimate is not None else "New estimate"},
        "submit": {"type": "plain_text", "text": "Estimate"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


@dataclass(frozen=True, slots=True)
class AdjustSubmission:
    """The fields of a submitted Adjust modal, joined into one /cost text."""

    text: str
    #: (block id, first column, last column) of each non-empty field within `text`, 1-based.
    spans: tuple[tuple[str, int, int], ...]

    def block_at(self, position: int | None) -> str:
        """The field an error at `position` of `text` came from (the workload field when unknown)."""
        if position is not None:
            for block_id, first, last in self.spans:
                if first <= position <= last:
                    return block_id
        return _block_id("workload")


def read_adjust_submission(values: dict[str, dict[str, dict[str, Any]]]) -> AdjustSubmission:
    """Put the modal's `view.state.values` back together as one text, remembering which field is where."""
    parts: list[tuple[str, str]] = []
    for section in SECTIONS:
        state = values.get(_block_id(section), {})
        if section == "period":
            choice = (state.get("choice") or {}).get("selected_option") or {}
            value = choice.get("value", _ONE_OFF)
            text = f"per {value}" if value in _PERIODS else ""
        else:
            text = " ".join(((state.get("text") or {}).get("value") or "").split())
        if text:
            parts.append((_block_id(section), text))
    spans = []
    column = 1
    for block_id, text in parts:
        spans.append((block_id, column, column + len(text) - 1))
        column += len(text) + 1
    return AdjustSubmission(text=" ".join(text for _, text in parts), spans=tuple(spans))
