"""Buttons on an estimate: Share in channel, Adjust."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ADJUST_ACTION, SHARE_ACTION, adjust_modal, error_message, estimate_message, problem_message
from bot.listeners.acknowledge import acknowledge
from bot.replies import estimate_text
from costing import CatalogError, EstimateError

__all__ = ["adjust_estimate", "register", "share_estimate"]

# chat.postMessage errors after which the response_url can still post in the channel (DMs, private channels
# the bot was not invited to).
_NOT_A_MEMBER = {"not_in_channel", "channel_not_found", "restricted_action"}


def _channel_id(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def share_estimate(body: dict[str, Any], client: WebClient, respond: Respond, logger: logging.Logger) -> None:
    """Post the estimate in the channel for everyone, attributed to the user, and remove the private copy."""
    text = body["actions"][0]["value"]
    user = body["user"]["id"]
    try:
        estimate = estimate_text(text)
    except (EstimateError, CatalogError) as error:  # prices changed under the button since it was shown
        respond(replace_original=False, **problem_message(f"I can't share that estimate any more: {error}"))
        return
    message = estimate_message(estimate, shared_by=user)
    channel = _channel_id(body) or ""
    try:
        client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **message)
    except SlackApiError as error:
        code = error.response.get("error")
        if code not in _NOT_A_MEMBER:
            logger.error("share failed: team=%s channel=%s error=%s", body["team"]["id"], channel, code)
            respond(replace_original=False, **problem_message(f"Slack refused the post ({code}); nothing was shared."))
            return
        respond(response_type="in_channel", replace_original=False, **message)
    if (body.get("container") or {}).get("is_ephemeral"):
        respond(delete_original=True)


def adjust_estimate(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    """Open the Adjust modal, prefilled with the estimate's sections; remember where to answer."""
    text = body["actions"][0]["value"]
    try:
        estimate = estimate_text(text)
    except EstimateError as error:
        respond(replace_original=False, **error_message(error, text))
        return
    except CatalogError as error:
        respond(replace_original=False, **problem_message(f"costbot's price book has a problem: {error}"))
        return
    container = body.get("container") or {}
    where = {
        "channel": _channel_id(body),
        "response_url": body.get("response_url"),
        # A private answer is replaced in place; under a public message the new answer is private to the clicker.
        "replace": bool(container.get("is_ephemeral")),
        "thread_ts": (body.get("message") or {}).get("thread_ts"),
    }
    client.views_open(trigger_id=body["trigger_id"], view=adjust_modal(estimate, private_metadata=json.dumps(where)))


def register(app: App) -> None:
    app.action(SHARE_ACTION)(ack=acknowledge, lazy=[share_estimate])
    app.action(ADJUST_ACTION)(ack=acknowledge, lazy=[adjust_estimate])  # trigger_id lives 3 s: opened at once
