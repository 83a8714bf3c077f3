"""What buttons and forms carry back from Slack, read as what it must be, never trusted further.

A button's value and a modal's metadata come back in a signed request, but whoever signed it chose them:
ids must be the whole numbers the database gave out, texts must be texts, and a scenario named by a click must
belong to the channel the click came from (the use cases check that against the database).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "DetailsButton",
    "UndoButton",
    "WhatIfButton",
    "read_details_button",
    "read_id",
    "read_undo_button",
    "read_what_if_button",
]

#: SQLite's and PostgreSQL's largest integer key: a larger "id" names nothing and must not reach a query.
_MAX_ID = 2**63 - 1


def read_id(value: Any) -> int | None:
    """A database id from a button: a positive whole number (as JSON's integer or as digits); None otherwise
    (`"abc"`, `1.5`, `true`, `null`, `10**30`)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and 1 <= value <= _MAX_ID:
        return value
    return None


@dataclass(frozen=True, slots=True)
class WhatIfButton:
    """The what-if's Save button: the scenario, the new text, and the version the what-if changed."""

    scenario_id: int
    text: str
    base: int | None


def _json_object(value: str) -> dict[str, Any] | None:
    """A button's value read as the JSON object the bot wrote; None for anything else."""
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def read_what_if_button(value: str) -> WhatIfButton | None:
    """The Save button's value, or None when it isn't one the bot made."""
    data = _json_object(value)
    if data is None:
        return None
    scenario_id, text, base = read_id(data.get("scenario")), data.get("text"), data.get("base")
    if scenario_id is None or not isinstance(text, str) or not text.strip() or len(text) > 1000:
        return None
    if base is not None and read_id(base) is None:
        return None
    return WhatIfButton(scenario_id, text, base)


@dataclass(frozen=True, slots=True)
class DetailsButton:
    """Details under an estimate or a what-if: the text to cost, and the API and compute totals it showed."""

    text: str
    shown: tuple[Decimal, Decimal]


def read_details_button(value: str) -> DetailsButton | None:
    """The Details button's value (`bot.blocks.estimate.details_value`), or None when it isn't one the bot made."""
    data = _json_object(value)
    if data is None:
        return None
    text, api, compute = data.get("text"), data.get("api"), data.get("compute")
    if not isinstance(text, str) or not text.strip() or len(text) > 1000:
        return None
    amounts = []
    for amount in (api, compute):
        try:
            number = Decimal(amount) if isinstance(amount, str) and len(amount) <= 60 else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            return None
        amounts.append(number)
    return DetailsButton(text, (amounts[0], amounts[1]))


@dataclass(frozen=True, slots=True)
class UndoButton:
    """Undo, after a delete: the kept delete, and the scenario it holds."""

    deleted_id: int
    scenario_id: int


def read_undo_button(value: str) -> UndoButton | None:
    """The Undo button's value, or None when it isn't one the bot made."""
    data = _json_object(value)
    if data is None:
        return None
    deleted_id, scenario_id = read_id(data.get("deleted")), read_id(data.get("scenario"))
    if deleted_id is None or scenario_id is None:
        return None
    return UndoButton(deleted_id, scenario_id)
