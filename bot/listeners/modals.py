"""Modal submissions: the Adjust form answers with the new estimate where the old one was."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.blocks import ADJUST_CALLBACK, estimate_message, read_adjust_submission
from bot.replies import estimate_text
from costing import CatalogError, EstimateError

__all__ = ["answer_adjusted", "check_adjusted", "register"]


def _field_error(error: EstimateError) -> str:
    text = error.message
    if error.suggestion:
        text += f" Did you mean {error.suggestion}?"
    return text


def check_adjusted(ack: Ack, view: dict[str, Any]) -> None:
    """Close the form if its text costs; otherwise show the problem on the field it came from."""
    submission = read_adjust_submission(view["state"]["values"])
    try:
        estimate_text(submission.text)
    except EstimateError as error:
        ack(response_action="errors", errors={submission.block_at(error.position): _field_error(error)})
        return
    except CatalogError as error:
        ack(response_action="errors", errors={submission.block_at(None): f"The price book has a problem: {error}"})
        return
    ack()


def answer_adjusted(body: dict[str, Any], view: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
    """After the form closed: the new estimate where the old one was."""
    submission = read_adjust_submission(view["state"]["values"])
    try:
        estimate = estimate_text(submission.text)
    except (EstimateError, CatalogError):
        return  # check_adjusted kept the form open with the error; nothing to answer
    where = json.loads(view.get("private_metadata") or "{}")
    _answer(estimate_message(estimate), where=where, user=body["user"]["id"], client=client, logger=logger)


def _answer(message: dict[str, Any], *, where: dict[str, Any], user: str, client: WebClient,
            logger: logging.Logger) -> None:  # fmt: skip
    """Through the response_url while it lives (30 minutes), then as an ephemeral message from the bot."""
    url = where.get("response_url")
    if url:
        hook = WebhookClient(url, retry_handlers=[ConnectionErrorRetryHandler(), ServerErrorRetryHandler()])
        sent = hook.send_dict({"replace_original": bool(where.get("replace")), "response_type": "ephemeral",
                               **message})  # fmt: skip
        if sent.status_code == 200:
            return
        logger.info("response_url refused the adjusted estimate (%s); posting it ephemerally", sent.status_code)
    channel = where.get("channel")
    if not channel:
        logger.error("adjusted estimate has nowhere to go: no response_url and no channel")
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=where.get("thread_ts"), **message)
    except SlackApiError as error:  # the user closed the modal already; nothing left to show it in
        logger.error("adjusted estimate not delivered: channel=%s error=%s", channel, error.response.get("error"))


def register(app: App) -> None:
    app.view(ADJUST_CALLBACK)(ack=check_adjusted, lazy=[answer_adjusted])
