"""Slash commands: `/cost TEXT` answers in the acknowledgement itself, well inside Slack's 3 seconds."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.blocks import problem_message
from bot.replies import reply_to

__all__ = ["cost_command", "register"]

_OOPS = (
    "Something went wrong on my side while answering that; it has been logged. "
    "Try again in a moment, or /cost help for examples that work."
)


def cost_command(ack: Ack, command: dict[str, Any], logger: logging.Logger) -> None:
    """`/cost TEXT`: the estimate (or help, prices, an error) as an ephemeral message, sent with the ack."""
    text = command.get("text") or ""
    try:
        reply = reply_to(text)
        message = reply.message
    except Exception:  # a bug of ours: logged with context, and the user still gets an answer
        logger.exception(
            "/cost failed: team=%s channel=%s user=%s", command.get("team_id"), command.get("channel_id"),
            command.get("user_id"),
        )  # fmt: skip
        message = problem_message(_OOPS)
    ack(response_type="ephemeral", **message)


def register(app: App) -> None:
    app.command("/cost")(cost_command)
