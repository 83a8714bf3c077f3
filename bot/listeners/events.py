"""Events: `@costbot TEXT` in a channel answers in a thread, like `/cost TEXT` but for everyone to see."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import problem_message
from bot.listeners.acknowledge import acknowledge
from bot.replies import Reply, reply_to

__all__ = ["app_mention", "register"]

_LEADING_MENTIONS = re.compile(r"^(?:\s*<@[A-Z0-9]+(?:\|[^>]*)?>)+\s*")


def mention_text(text: str) -> str:
    """The text after the leading `@costbot` mention(s)."""
    return _LEADING_MENTIONS.sub("", text or "").strip()


def app_mention(event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
    """Answer in the mention's thread; a problem with the text goes to its author alone."""
    text = mention_text(event.get("text", ""))
    thread_ts = event.get("thread_ts") or event["ts"]
    try:
        reply = reply_to(text, share=False)  # the answer is public already
    except Exception:  # a bug of ours: logged with context; the author still hears back
        logger.exception("mention failed: channel=%s user=%s", event.get("channel"), event.get("user"))
        reply = Reply(problem_message("Something went wrong on my side; it has been logged."), private=True)
    if reply.private:
        client.chat_postEphemeral(channel=event["channel"], user=event["user"], thread_ts=thread_ts, **reply.message)
        return
    client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, unfurl_links=False, **reply.message)


def register(app: App) -> None:
    app.event("app_mention")(ack=acknowledge, lazy=[app_mention])
