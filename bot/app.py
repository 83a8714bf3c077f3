"""The Bolt app: one Web API client pointed at `SLACK_API_URL`, the database, every listener, each event once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import listeners
from bot.backlog import Backlog, RefuseWhenBusy
from bot.config import ConfigError, Settings
from bot.dedupe import RecentIds
from bot.installs import Installs, forget_uninstalled, not_installed_message
from bot.notes import EstimateNotes
from bot.posting import no_blind_retries
from bot.seals import Seal, is_response_url
from bot.slack_pace import ChannelPace
from bot.work import Outbox
from storage import Database

__all__ = ["ProvideDatabase", "SkipRepeatedEvents", "check_token", "create_app", "web_client"]

log = logging.getLogger(__name__)


def web_client(settings: Settings) -> WebClient:
    """A Web API client for the bot token (none with installs: each request brings its own), retrying rate
    limits (after Retry-After), and server errors and dropped connections except for posts (`bot.posting`: a
    post that may have got through is looked for)."""
    return WebClient(
        token=settings.slack_bot_token.get_secret_value() if settings.slack_bot_token is not None else None,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2), *no_blind_retries(retries=2)],
    )


def check_token(client: WebClient) -> dict[str, Any]:
    """Ask Slack who the token belongs to (`auth.test`) before serving anything.

    Raises:
        ConfigError: The token was refused, or the Web API can't be reached at all.
    """
    sdk_log = logging.getLogger("slack_sdk")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)  # the failure is reported below, once, in words that say what to do
    try:
        return client.auth_test().data  # type: ignore[return-value]
    except SlackApiError as error:
        code = error.response.get("error")
        message = f"SLACK_BOT_TOKEN: Slack refused the token ({code}); copy it again from OAuth & Permissions."
        raise ConfigError([message]) from None
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        message = f"SLACK_API_URL: can't reach {client.base_url} ({reason}); check the network or the URL."
        raise ConfigError([message]) from None
    finally:
        sdk_log.setLevel(level)


class ProvideDatabase(Middleware):
    """Hand listeners the process's database (`db`), where to note estimates (`estimate_notes`), where to write
    down acknowledged work (`outbox`), the bot's own user id (`context.bot_user_id`) and the pace of digest posts
    (`digest_pace`, shared with this process's digest scheduler) and the seal on round-tripped metadata (`seal`)."""

    def __init__(
        self,
        db: Database,
        *,
        bot_user_id: str | None,
        digest_pace: ChannelPace | None = None,
        seal: Seal,
        outbox: Outbox,
    ) -> None:
        self._db = db
        self._seal = seal
        self._notes = EstimateNotes(db)
        self._outbox = outbox
        self._bot_user_id = bot_user_id
        self._pace = digest_pace or ChannelPace()

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        req.context["db"] = self._db
        req.context["estimate_notes"] = self._notes
        req.context["outbox"] = self._outbox
        req.context["digest_pace"] = self._pace
        req.context["seal"] = self._seal
        if self._bot_user_id and not req.context.get("bot_user_id"):
            req.context["bot_user_id"] = self._bot_user_id
        return next()


class RefuseForeignResponseUrls(Middleware):
    """Refuse a request whose response URL isn't Slack's: the bot posts its answers there, so one pointing
    elsewhere would make the bot send a user's figures to whoever signed it."""

    def __init__(self, *, api_url: str) -> None:
        self._api_url = api_url

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body = req.body or {}
        urls = [body.get("response_url")] if "response_url" in body else []
        urls += [u.get("response_url") for u in body.get("response_urls") or [] if isinstance(u, dict)]
        if any(not is_response_url(url, api_url=self._api_url) for url in urls):
            log.warning("refused a request whose response URL isn't Slack's (team=%s)", req.context.team_id)
            return BoltResponse(status=400, body="")
        return next()


class SkipRepeatedEvents(Middleware):
    """Acknowledge an event Slack delivers again (`X-Slack-Retry-Num`, same `event_id`) without handling it.

    This process's memory answers the common case before the acknowledgement; listeners with side effects
    also write the event down under its id (`bot.work`), which a repeat reaching another replica meets.
    Work carried out again after a crash (`bot.work.WorkRecovery`) is not a repeat, nor is an event refused
    with a 503 (its acknowledgement couldn't write it down: `recent_events.forget`).
    """

    def __init__(self, recent: RecentIds) -> None:
        self._recent = recent

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body = req.body
        if req.context.get("work_recovered"):
            return next()
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self._recent.first_time(event_id):
            log.info("event %s delivered again; acknowledged, not handled twice", event_id)
            return BoltResponse(status=200, body="")
        if event_id:
            req.context["recent_events"] = self._recent  # a listener that refuses the event takes it back
        return next()


def create_app(
    settings: Settings,
    *,
    db: Database,
    client: WebClient | None = None,
    bot_user_id: str | None = None,
    digest_pace: ChannelPace | None = None,
    backlog: Backlog | None = None,
    outbox: Outbox | None = None,
    installs: Installs | None = None,
) -> App:
    """The app with every listener; verification of Slack's signatures stays on (401 for a forged request).

    Args:
        settings: The checked settings.
        db: The process's database, migrated.
        client: The Web API client (`web_client(settings)` by default).
        bot_user_id: The bot's user id from `auth.test`, to tell its own mentions and messages apart.
        digest_pace: The pace of this process's digest posts (its scheduler's), kept by `/cost digest now` too.
        backlog: Where deferred work runs, bounded (`bot.backlog`); a new one by default.
        outbox: Where acknowledged work is written down (`bot.work`); a new one on `db` by default.
        installs: Installs into many workspaces (`bot.installs`): the OAuth flow's pages, and each request
            answered with its workspace's token; None serves the one workspace of the client's token.
    """
    backlog = backlog or Backlog()
    client = client or web_client(settings)
    by_install: dict[str, Any] = {}
    if installs is not None:
        by_install = {
            "oauth_flow": installs.oauth_flow(api_url=settings.slack_api_url),
            "authorize": installs.authorize(),
            "user_facing_authorize_error_message": not_installed_message(settings.costbot_public_url),
        }
    app = App(
        listener_executor=backlog,
        client=client,
        signing_secret=settings.signing_secret if settings.slack_signing_secret else "",
        token_verification_enabled=False,  # check_token does it once at start-up, with a readable error
        process_before_response=True,  # the ack is the response as soon as it is made; see listeners.acknowledge
        **by_install,
    )
    app.use(RefuseWhenBusy(backlog))  # first: a refused event must not count as seen (Slack retries it)
    app.use(SkipRepeatedEvents(RecentIds()))
    app.use(RefuseForeignResponseUrls(api_url=settings.slack_api_url))
    app.use(
        ProvideDatabase(
            db,
            bot_user_id=bot_user_id,
            digest_pace=digest_pace,
            seal=Seal(settings.seal_key),
            outbox=outbox or Outbox(db),
        )
    )
    listeners.register(app)
    if installs is not None:
        forget_uninstalled(app)
    return app
