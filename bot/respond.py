"""A private answer that arrives: through the response URL Slack gave, retried with backoff when Slack answers
5xx or the connection drops, then, if it still doesn't take it (or it expired: they live 30 minutes), as an
ephemeral message from the bot in the channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

__all__ = ["answer_privately"]

log = logging.getLogger(__name__)


def answer_privately(
    message: dict[str, Any],
    *,
    response_url: str | None,
    client: WebClient,
    channel: str | None,
    user: str,
    thread_ts: str | None = None,
    replace: bool = False,
) -> bool:
    """Show `message` to `user` alone; whether it got there (logged, without the URL, when it didn't)."""
    if response_url:
        hook = WebhookClient(
            response_url,
            timeout=5,  # a slow response URL must not hold a deferred worker for minutes
            retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=2)],
        )
        try:
            sent = hook.send_dict({"replace_original": replace, "response_type": "ephemeral", **message})
            if sent.status_code == 200:
                return True
            log.info("the response URL refused the answer (%s); posting it ephemerally", sent.status_code)
        except OSError as error:  # still unreachable after the retries
            log.info("the response URL couldn't be reached (%s); posting it ephemerally", type(error).__name__)
    if not channel:
        log.error("an answer has nowhere to go: no response URL and no channel")
        return False
    try:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **message)
    except SlackApiError as error:
        log.error("an answer wasn't delivered: channel=%s error=%s", channel, error.response.get("error"))
        return False
    return True
