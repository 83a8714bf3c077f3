"""The Save button's modal: a name for the estimate, saved in the channel it was shown in."""

from __future__ import annotations

from typing import Any

from bot.blocks.mrkdwn import clip, escape
from storage.models import MAX_NAME_LENGTH

__all__ = ["NAME_BLOCK", "SAVE_CALLBACK", "read_save_submission", "save_modal"]

SAVE_CALLBACK = "save_scenario"
NAME_BLOCK = "scenario_name"
_NAME_ACTION = "name"


def save_modal(text: str, *, private_metadata: str) -> dict[str, Any]:
    """Ask for the scenario's name; `private_metadata` carries where to save it and the text."""
    return {
        "type": "modal",
        "callback_id": SAVE_CALLBACK,
        "title": {"type": "plain_text", "text": "Save scenario"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private_metadata,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"`/cost {escape(text)}`")}},
            {
                "type": "input",
                "block_id": NAME_BLOCK,
                "label": {"type": "plain_text", "text": "Name"},
                "hint": {
                    "type": "plain_text",
                    "text": "Unique in this channel. Its card is posted in the channel; its thread is the discussion.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": _NAME_ACTION,
                    "max_length": MAX_NAME_LENGTH,
                    "placeholder": {"type": "plain_text", "text": "e.g. launch-video"},
                },
            },
        ],
    }


def read_save_submission(values: dict[str, Any]) -> str:
    """The name typed in the modal (a view submission's `state.values`)."""
    return (values.get(NAME_BLOCK, {}).get(_NAME_ACTION, {}).get("value") or "").strip()
