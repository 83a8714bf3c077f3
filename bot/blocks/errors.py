"""What went wrong, for the person who typed it: the problem, where, and what would work."""

from __future__ import annotations

from typing import Any

from bot.blocks.mrkdwn import clip, escape
from costing import EstimateError

__all__ = ["error_message", "problem_message"]

_HELP_HINT = "`/cost help` shows the whole language with examples."


def error_message(error: EstimateError, text: str) -> dict[str, Any]:
    """An ephemeral reply for text that is not an estimate (`text` is what the user typed)."""
    lines = [f":thinking_face: {escape(error.message)}"]
    if error.suggestion:
        lines.append(f"Did you mean *{escape(error.suggestion)}*?")
    if text.strip() and error.position is not None:
        shown = text.strip()
        lines.append(f"> `/cost {escape(shown)}` — at character {error.position}")
    if error.example:
        lines.append(f"Try: `/cost {escape(error.example)}`")
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip("\n".join(lines))}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _HELP_HINT}]},
    ]
    return {"text": clip(escape(str(error))), "blocks": blocks}


def problem_message(message: str) -> dict[str, Any]:
    """An ephemeral reply for a problem that isn't the user's text (a bad price book, Slack refusing a post)."""
    text = f":warning: {escape(message)}"
    return {
        "text": clip(escape(message)),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}],
    }
