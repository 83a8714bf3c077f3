"""Installing costbot into many workspaces: Slack's OAuth flow, and each workspace's bot token kept in costbot's
database.

On when `SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET` and `SLACK_STATE_SECRET` are set (`Settings.oauth`). A person
opens `/slack/install` (costbot's page with an "Add to Slack" button), approves in Slack, and lands on
`/slack/oauth_redirect`, where the code is exchanged (`oauth.v2.access`) and the bot token stored by the Slack
SDK's SQLAlchemy installation store in the tables of migration 0006. Every request is then answered with its
own workspace's token (Bolt's authorization, per request); the digest scheduler asks `Installs.client_for`.
Tokens that expire (Slack's token rotation) are refreshed before they do, by Bolt's refresh flow, by whoever
uses them first. `app_uninstalled` and `tokens_revoked` remove a workspace's tokens: its scenarios and digest
settings stay, and its digests go out again once it is reinstalled.

The OAuth state is a random value kept in the database for ten minutes and signed with `SLACK_STATE_SECRET`;
Bolt also ties it to the browser that started the install (a cookie). A state that is forged, reused, expired
or opened in another browser is refused before any code is exchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import MetaData, delete, select

from bot import pages
from bot.observe import INSTALLS
from bot.workspaces import with_token
from storage import Database

__all__ = ["INSTALL_PATH", "REDIRECT_PATH", "SCOPES", "Installs", "SignedStates", "installs_metadata"]

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
#: The bot scopes costbot asks for (the same as `deploy/manifest.yml`'s, which says what each is for).
SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "app_mentions:read",
    "users:read",
    "channels:read",
    "groups:read",
    "channels:join",
    "channels:history",
    "groups:history",
    "files:write",
)
#: How long an install may take between opening the install page and approving in Slack.
STATE_SECONDS = 600
#: Tokens are refreshed this long before they expire (Slack's rotating tokens last 12 hours).
REFRESH_MINUTES = 120


def installs_metadata() -> MetaData:
    """The tables the installation and state stores use, as the Slack SDK defines them (migration 0006 makes
    them; a test checks the two agree)."""
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_bots_table(metadata, SQLAlchemyInstallationStore.default_bots_table_name)
    SQLAlchemyInstallationStore.build_installations_table(
        metadata, SQLAlchemyInstallationStore.default_installations_table_name
    )
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, SQLAlchemyOAuthStateStore.default_table_name)
    return metadata


class SignedStates(OAuthStateStore):
    """OAuth states: a random value kept in the database until it is used or expires, handed out signed with
    the state secret; a state whose signature is wrong is refused without a look at the database."""

    def __init__(self, db: Database, *, secret: str, expiration_seconds: int = STATE_SECONDS) -> None:
        self._key = secret.encode()
        self._store = SQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=db.engine, logger=log)

    @property
    def logger(self) -> logging.Logger:
        return log

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()

    def issue(self, *args: Any, **kwargs: Any) -> str:
        nonce = self._store.issue()
        return f"{nonce}.{self._signature(nonce)}"

    def consume(self, state: str) -> bool:
        nonce, _, signature = (state or "").rpartition(".")
        if not nonce or not hmac.compare_digest(signature, self._signature(nonce)):
            log.warning("an install came back with a state costbot didn't sign; refused")
            return False
        return self._store.consume(nonce)

    def forget_expired(self, now: datetime) -> int:
        """Drop states whose install was never finished; the number dropped."""
        table = self._store.oauth_states
        with self._store.engine.begin() as connection:
            return connection.execute(delete(table).where(table.c.expire_at <= now.replace(tzinfo=None))).rowcount


class _Rotator(TokenRotator):
    """Bolt's token refresh, one at a time per workspace in this process, and never with a refresh token that
    another thread or replica has just used: the newest install is read first, and again after a refusal."""

    def __init__(self, *, newest: Callable[[str], Bot | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._newest = newest
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def perform_bot_token_rotation(self, *, bot: Bot, minutes_before_expiration: int = 120) -> Bot | None:
        team = str(bot.team_id)
        with self._guard:
            lock = self._locks.setdefault(team, threading.Lock())
        with lock:
            newest = self._newest(team)
            if newest is not None and newest.bot_token != bot.bot_token:
                return newest  # refreshed already: its token, not a second refresh
            try:
                return super().perform_bot_token_rotation(bot=bot, minutes_before_expiration=minutes_before_expiration)
            except SlackTokenRotationError:
                newest = self._newest(team)  # another replica may have refreshed it a moment before
                if newest is not None and newest.bot_token != bot.bot_token:
                    return newest
                raise


class _Flow(OAuthFlow):
    """Bolt's OAuth flow with costbot's install page, and a failure to save an install reported as one."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return pages.install_page(url)

    def handle_installation(self, request: BoltRequest) -> BoltResponse:
        response = super().handle_installation(request)
        for name, value in pages.HEADERS.items():
            response.headers.setdefault(name.lower(), [value])
        return response

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        try:
            super().store_installation(request, installation)
        except Exception as error:  # the database away: the flow's failure page says so, nothing half-saved
            log.error("couldn't save the install for workspace %s: %s", installation.team_id, type(error).__name__)
            raise BoltError("the install couldn't be saved") from None


def _page(status: int, html: str) -> BoltResponse:
    return BoltResponse(status=status, body=html, headers=pages.HEADERS)


def _succeeded(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    INSTALLS.labels(outcome="installed").inc()
    log.info("costbot installed in workspace %s", installation.team_id)
    page = pages.installed_page(
        team_name=installation.team_name, team_id=installation.team_id, app_id=installation.app_id
    )
    return _page(200, page)


def _failed(args: FailureArgs) -> BoltResponse:
    INSTALLS.labels(outcome=args.reason if args.reason in pages.FAILURES else "other").inc()
    log.warning("an install failed: %s", args.reason)
    return _page(args.suggested_status_code, pages.failed_page(args.reason))


def authorize_url(api_url: str) -> str:
    """Where Slack's install approval is, beside its Web API (`https://slack.com/oauth/v2/authorize`)."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/oauth/v2/authorize"


class Installs:
    """The workspaces costbot is installed in (a `bot.workspaces.Workspaces`), and the OAuth flow that adds them.

    Args:
        db: costbot's database, migrated (the installation tables are migration 0006's).
        client_id: The Slack app's client id; client_secret: its secret (for `oauth.v2.access`).
        state_secret: What signs OAuth states.
        client: A client for Slack's Web API without a token (its address, timeout and retries are used).
        redirect_url: The public URL of `/slack/oauth_redirect`, when the app lists more than one.
    """

    def __init__(
        self,
        db: Database,
        *,
        client_id: str,
        client_secret: str,
        state_secret: str,
        client: WebClient,
        redirect_url: str | None = None,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self._client = client
        self._redirect_url = redirect_url
        self.store = SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine, logger=log)
        self.states = SignedStates(db, secret=state_secret)
        self._rotator = _Rotator(newest=self._bot, client_id=client_id, client_secret=client_secret, client=client)

    # --- a bot.workspaces.Workspaces --------------------------------------------------------------------

    @property
    def team_id(self) -> None:
        return None

    @property
    def leader_key(self) -> str:
        return f"installs:{self.client_id}"

    def client_for(self, team_id: str) -> WebClient | None:
        """The workspace's client, its token refreshed first if it expires within two hours; None when costbot
        isn't installed there, or its refresh was refused (logged)."""
        bot = self._bot(team_id)
        if bot is None:
            return None
        if bot.bot_refresh_token:
            try:
                refreshed = self._rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=REFRESH_MINUTES)
            except SlackTokenRotationError as error:
                log.error("workspace %s: its bot token couldn't be refreshed (%s)", team_id, _slack_error(error))
                return None
            if refreshed is not None:
                self.store.save_bot(refreshed)  # as Bolt does (a token read back is kept again: harmless)
                bot = refreshed
        return with_token(self._client, str(bot.bot_token))

    def _bot(self, team_id: str) -> Bot | None:
        """The workspace's newest bot install, whichever Enterprise Grid org (if any) the workspace is in."""
        table = self.store.bots
        query = (
            select(table)
            .where(table.c.client_id == self.client_id, table.c.team_id == team_id, table.c.bot_token.is_not(None))
            .order_by(table.c.installed_at.desc(), table.c.id.desc())
            .limit(1)
        )
        with self.store.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return SQLAlchemyInstallationStore.build_bot_entity(row) if row is not None else None

    def forget_expired(self, now: datetime) -> int:
        return self.states.forget_expired(now.astimezone(UTC))

    # --- for the Bolt app -------------------------------------------------------------------------------

    def oauth_flow(self, *, api_url: str) -> OAuthFlow:
        settings = OAuthSettings(
            client_id=self.client_id,
            client_secret=self._client_secret,
            scopes=list(SCOPES),
            redirect_uri=self._redirect_url,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            authorization_url=authorize_url(api_url),
            callback_options=CallbackOptions(success=_succeeded, failure=_failed),
            installation_store=self.store,
            installation_store_bot_only=True,
            token_rotation_expiration_minutes=REFRESH_MINUTES,
            state_store=self.states,
            state_expiration_seconds=STATE_SECONDS,
            logger=log,
        )
        return _Flow(client=self._client, logger=log, settings=settings)

    def authorize(self) -> InstallationStoreAuthorize:
        """Bolt's authorization from the installation store, refreshing rotating tokens through costbot's own
        Slack address; who a token belongs to (`auth.test`) is remembered per token, not asked per request."""
        authorize = InstallationStoreAuthorize(
            installation_store=self.store,
            client_id=self.client_id,
            client_secret=self._client_secret,
            client=self._client,
            bot_only=True,
            cache_enabled=True,
            token_rotation_expiration_minutes=REFRESH_MINUTES,
            logger=log,
        )
        authorize.token_rotator = self._rotator  # one refresh at a time, shared with the scheduler's
        return authorize

    def workspaces(self) -> list[tuple[str, str]]:
        """(team id, name) of every workspace installed, for start-up's message."""
        table = self.store.bots
        with self.store.engine.connect() as connection:
            query = select(table.c.team_id, table.c.team_name).where(table.c.client_id == self.client_id)
            rows = connection.execute(query.distinct()).all()
        return sorted({(str(team), str(name or team)) for team, name in rows})


def not_installed_message(public_url: str | None) -> str:
    """What a person is told when they use costbot in a workspace it isn't installed in (any more)."""
    where = f" from {public_url}{INSTALL_PATH}" if public_url else " from its install page"
    return f"costbot isn't installed in this workspace (or its access was removed): it can be added again{where}."


def forget_uninstalled(app: App) -> None:
    """On `app_uninstalled` and `tokens_revoked`, drop the workspace's tokens (Bolt's own listeners), keeping
    its data: its digests stop until it is installed again. Logged and counted."""
    uninstalled = app.default_app_uninstalled_event_listener()
    revoked = app.default_tokens_revoked_event_listener()

    @app.event("app_uninstalled")
    def _uninstalled(context: BoltContext) -> None:
        uninstalled(context=context)
        INSTALLS.labels(outcome="uninstalled").inc()
        log.info("costbot uninstalled from workspace %s: its tokens removed, its data kept", context.team_id)

    @app.event("tokens_revoked")
    def _revoked(event: dict[str, Any], context: BoltContext) -> None:
        revoked(event=event, context=context)
        INSTALLS.labels(outcome="tokens-revoked").inc()
        log.info("workspace %s revoked costbot's tokens: removed, its data kept", context.team_id)


def _slack_error(error: SlackTokenRotationError) -> str:
    return str(error.api_error.response.get("error") or "refused")
