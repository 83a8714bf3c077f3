"""Posting a message exactly once, though Slack's answer may be lost.

A `chat.postMessage` that answers 5xx, times out or drops the connection may have posted: retrying it blindly
posts twice. So the Web API client never retries a post by itself (`no_blind_retries`); instead each message
the bot must post once carries Slack message metadata naming what it is (a scenario's card, a share, an answer
to a request), and after an unclear failure the bot looks for that metadata in the channel (or the thread).
It doesn't post again on its own: what it found is said as it is, posted or not known, and a card not known
to be posted has a button that looks first, then posts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler

from storage.types import utcnow

__all__ = [
    "ANSWER_EVENT",
    "Mark",
    "Outcome",
    "Post",
    "answer_mark",
    "find_marked",
    "is_unclear",
    "no_blind_retries",
    "post_once",
]

log = logging.getLogger(__name__)

#: Web API methods that do something new each time they are called: never retried without looking first.
NOT_IDEMPOTENT = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "chat.meMessage"})
#: How far before a post to look for it (Slack's clock and ours may differ by seconds, the post took some).
_LOOK_BACK = timedelta(minutes=2)
_PAGES = 5
#: Seconds before looking a second time for a post whose answer was lost.
_SECOND_LOOK = 1.0
#: The metadata event type on the bot's public answers to a request (a what-if in a thread, a mention).
ANSWER_EVENT = "costbot_answer"


def _method(request: HttpRequest) -> str:
    return request.url.rsplit("/", 1)[-1].split("?", 1)[0]


class _LeavesPosts(RetryHandler):
    """Put before a built-in handler: it retries as that one does, except the methods that post."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return _method(request) not in NOT_IDEMPOTENT and super()._can_retry(
            state=state, request=request, response=response, error=error
        )


class _SafeServerErrors(_LeavesPosts, ServerErrorRetryHandler):
    pass


class _SafeConnectionErrors(_LeavesPosts, ConnectionErrorRetryHandler):
    pass


def no_blind_retries(*, retries: int = 2) -> list[RetryHandler]:
    """Retry handlers for 5xx and dropped connections that leave posts alone (rate limits are retried apart:
    a 429 means Slack did nothing)."""
    return [_SafeConnectionErrors(max_retry_count=retries), _SafeServerErrors(max_retry_count=retries)]


#: `ok: false` errors after which Slack says the call may have partly happened (its docs: "the server could not
#: complete your operation(s) without encountering an error, likely due to a transient issue").
_UNCLEAR_ERRORS = frozenset({"internal_error", "fatal_error", "request_timeout", "service_unavailable"})


def is_unclear(error: Exception) -> bool:
    """Whether a failed call may still have taken effect: a 5xx, a timeout, a dropped connection, or one of
    Slack's "something went wrong on our side" errors (any other `ok: false` is Slack saying it did nothing)."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        return status >= 500 or error.response.get("error") in _UNCLEAR_ERRORS
    return isinstance(error, OSError)


@dataclass(frozen=True, slots=True)
class Mark:
    """The metadata a message carries so that the bot can find it again: `event_type` and what it names."""

    event_type: str
    payload: dict[str, str | int]

    def metadata(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "event_payload": dict(self.payload)}

    def on(self, message: dict[str, Any]) -> bool:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        return metadata.get("event_type") == self.event_type and all(
            payload.get(k) == v for k, v in self.payload.items()
        )


class Outcome(StrEnum):
    """What became of a post: it is in Slack, Slack refused it, or nobody can tell yet."""

    POSTED = "posted"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Post:
    outcome: Outcome
    ts: str | None = None
    #: What went wrong, in words for the user ("Slack said not_in_channel", "Slack didn't answer in time").
    error: str = ""
    #: Slack's error code when it refused the post.
    code: str = ""
    #: It was there already (posted before an answer was lost, or by an earlier try of the same work).
    found: bool = False


def answer_mark(request: str) -> Mark:
    """The mark of the bot's public answer to the request with work key `request`."""
    return Mark(ANSWER_EVENT, {"request": request[-64:]})


def find_marked(
    client: WebClient,
    *,
    channel: str,
    mark: Mark,
    since: datetime,
    thread_ts: str | None = None,
    pages: int = _PAGES,
) -> str | None:
    """The ts of the message carrying `mark` posted since `since` (in the thread when `thread_ts`, reading at
    most `pages` pages of 200), else None.

    Raises:
        SlackApiError, OSError: Slack couldn't be asked.
    """
    oldest = f"{(since - _LOOK_BACK).timestamp():.6f}"
    cursor = None
    for _ in range(pages):
        if thread_ts:
            page = client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
        else:
            page = client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
        for message in page.get("messages") or []:
            if mark.on(message):
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return None
    return None


def post_once(
    client: WebClient,
    message: dict[str, Any],
    *,
    channel: str,
    mark: Mark,
    thread_ts: str | None = None,
    since: datetime | None = None,
    look_first: bool = False,
) -> Post:
    """Post `message` with `mark`, once, and say what became of it.

    Args:
        since: When the work that posts began (the message can't be older).
        look_first: The same work may have posted it already (it is being carried out again): look before posting.
    """
    since = since or utcnow()
    if look_first:
        try:
            ts = find_marked(client, channel=channel, mark=mark, since=since, thread_ts=thread_ts)
        except (SlackApiError, OSError) as error:
            return Post(Outcome.UNKNOWN, error=_words(error))
        if ts is not None:
            return Post(Outcome.POSTED, ts, found=True)
    try:
        posted = client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            metadata=mark.metadata(),
            unfurl_links=False,
            unfurl_media=False,
            **message,
        )
        return Post(Outcome.POSTED, str(posted["ts"]))
    except (SlackApiError, OSError) as error:
        if not is_unclear(error):
            assert isinstance(error, SlackApiError)
            code = str(error.response.get("error") or "unknown_error")
            return Post(Outcome.REFUSED, error=f"Slack said {code}", code=code)
        unclear: Exception = error
    # It may be there, or appear in a moment (Slack still at it, its history lagging): look, twice; never post
    # again, which could make two. Unknown is said as unknown (a card has its button to post it later).
    log.info("a post to %s got no clear answer (%s); looking for it", channel, _words(unclear))
    for pause in (0.0, _SECOND_LOOK):
        time.sleep(pause)
        try:
            ts = find_marked(client, channel=channel, mark=mark, since=since, thread_ts=thread_ts)
        except (SlackApiError, OSError) as error:
            return Post(Outcome.UNKNOWN, error=_words(error))
        if ts is not None:
            return Post(Outcome.POSTED, ts, found=True)
    return Post(Outcome.UNKNOWN, error=_words(unclear))


def _words(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        return f"Slack answered {status}" if status >= 500 else f"Slack said {error.response.get('error')}"
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return "Slack didn't answer in time"
    return f"couldn't reach Slack ({type(error).__name__})"
