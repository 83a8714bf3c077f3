"""What went wrong, for the person who typed it: the problem, where, and what would work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.mrkdwn import clip, escape
from costing import EXAMPLES, WORKLOAD_WORDS, EstimateError

__all__ = ["error_message", "no_estimate_message", "problem_message"]

_HELP_HINT = "`/cost help` shows the whole language with examples."


def error_message(error: EstimateError, text: str, *, typed_as: str = "/cost ") -> dict[str, Any]:
    """An ephemeral reply for text that is not an estimate.

    Args:
        error: What went wrong.
        text: What the user typed.
        typed_as: How the text and the example are shown: after `/cost `, or as they are (a thread reply).
    """
    lines = [f":thinking_face: {escape(error.message)}"]
    if error.suggestion:
        lines.append(f"Did you mean *{escape(error.suggestion)}*?")
    if text.strip() and error.position is not None:
        shown = text.strip()
        lines.append(f"> `{typed_as}{escape(shown)}` — at character {error.position}")
    if error.example:
        lines.append(f"Try: `{typed_as}{escape(error.example)}`")
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


def no_estimate_message(mentioned: Sequence[str]) -> dict[str, Any]:
    """For a message with no estimate in it (the shortcut, a mention): what it lacks, and one to copy, built
    from the workload it mentions when it mentions one (`a video for the launch`: a video example)."""
    if mentioned:
        word = mentioned[0]
        example = EXAMPLES[WORKLOAD_WORDS[word]]
        text = (
            f":thinking_face: That message mentions *{escape(word)}* but not how much of it, so there's nothing "
            f"to cost. Say it with numbers, for example `/cost {escape(example)}`."
        )
    else:
        text = (
            ":thinking_face: There's no workload in that message to cost (a video, image, chat, agent, speech, "
            f"transcription or embedding). For example: `/cost {escape(EXAMPLES['video'])}`."
        )
    return {
        "text": "No estimate in that message",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _HELP_HINT}]},
        ],
    }
