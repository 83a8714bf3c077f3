"""Shortcuts: "Estimate cost" on any message runs `/cost` on its text, privately for whoever asked."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, Respond

from bot.blocks import problem_message
from bot.listeners.acknowledge import acknowledge
from bot.router import answer

__all__ = ["ESTIMATE_SHORTCUT", "estimate_message_text", "message_text", "register"]

ESTIMATE_SHORTCUT = "estimate_cost"

# Slack markup that is not part of what to cost: mentions, channel links, links (`<https://…|shown>` keeps
# what is shown), and the `/cost` a message may quote.
_MENTION = re.compile(r"<[@#!][^>]*>")
_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<(?:https?|mailto):[^>]*>")


def message_text(text: str) -> str:
    """The part of a message to cost: without mentions, links as their shown text, no leading `/cost`."""
    text = _LINK.sub(lambda m: m.group(1) or "", _MENTION.sub(" ", text or ""))
    text = " ".join(text.replace("`", " ").split())
    return re.sub(r"^/cost\s+", "", text, flags=re.IGNORECASE)


def estimate_message_text(shortcut: dict[str, Any], respond: Respond, logger: logging.Logger) -> None:
    """Answer the shortcut with the estimate (or what wasn't understood), visible to the user only."""
    text = message_text((shortcut.get("message") or {}).get("text", ""))
    if not text:
        respond(response_type="ephemeral", **problem_message("That message has no text to estimate."))
        return
    try:
        message = answer(text, prose=True).message
    except Exception:
        logger.exception("shortcut failed: channel=%s", (shortcut.get("channel") or {}).get("id"))
        message = problem_message("Something went wrong on my side; it has been logged.")
    respond(response_type="ephemeral", replace_original=False, **message)


def register(app: App) -> None:
    app.message_shortcut(ESTIMATE_SHORTCUT)(ack=acknowledge, lazy=[estimate_message_text])
