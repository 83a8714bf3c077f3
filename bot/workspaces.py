"""Which workspaces this deployment serves, and the bot token each is reached with.

Two ways to run: one workspace, whose bot token is `SLACK_BOT_TOKEN` (`OneWorkspace`, the zero-setup default),
or every workspace that installed the app through Slack's OAuth flow (`bot.installs.Installs`), each with its
own token from the database. Whatever posts without a request from Slack in hand (the digest scheduler,
`costbot digest run`, telling a user their work was given up) asks a `Workspaces` for a workspace's client;
requests from Slack get theirs from Bolt's authorization, per request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from slack_sdk import WebClient

from bot.digests import DigestPoster
from bot.slack_pace import ChannelPace
from storage import Database

__all__ = ["OneWorkspace", "Posters", "Workspaces", "with_token"]


class Workspaces(Protocol):
    """The workspaces a deployment serves."""

    @property
    def team_id(self) -> str | None:
        """The one workspace served (single-workspace mode), or None: every installed one."""

    @property
    def leader_key(self) -> str:
        """What names this deployment's digest-scheduler lock (`bot.leader`)."""

    def client_for(self, team_id: str) -> WebClient | None:
        """A Web API client with the workspace's bot token; None when costbot isn't installed there (any more)."""

    def forget_expired(self, now: datetime) -> int:
        """Drop what has expired by `now` (OAuth states of installs never finished); the number dropped."""


def with_token(client: WebClient, token: str) -> WebClient:
    """A client like `client` (its Slack address, timeout and retries) that sends `token`."""
    return WebClient(
        token=token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=list(client.retry_handlers) if client.retry_handlers is not None else None,
    )


class OneWorkspace:
    """Single-workspace mode: the bot token's own workspace, and no other."""

    def __init__(self, client: WebClient, team_id: str) -> None:
        self._client = client
        self._team_id = team_id

    @property
    def team_id(self) -> str:
        return self._team_id

    @property
    def leader_key(self) -> str:
        return self._team_id

    def client_for(self, team_id: str) -> WebClient | None:
        return self._client if team_id == self._team_id else None

    def forget_expired(self, now: datetime) -> int:
        return 0


class Posters:
    """A digest poster for each workspace served, sharing one database, one per-channel pace and one claimer
    name; a workspace costbot isn't installed in has none (its digests wait for a reinstall)."""

    def __init__(self, db: Database, workspaces: Workspaces, *, pace: ChannelPace | None = None) -> None:
        self.db = db
        self.workspaces = workspaces
        self.pace = pace or ChannelPace()
        self._fixed: DigestPoster | None = None

    @classmethod
    def of(cls, posters: Posters | DigestPoster) -> Posters:
        """`posters` itself, or for one workspace's poster, the posters of that workspace alone (that poster)."""
        if isinstance(posters, Posters):
            return posters
        made = cls(posters.db, OneWorkspace(posters.client, posters.team_id), pace=posters.pace)
        made._fixed = posters
        return made

    @property
    def team_id(self) -> str | None:
        return self.workspaces.team_id

    @property
    def leader_key(self) -> str:
        return self.workspaces.leader_key

    def poster(self, team_id: str) -> DigestPoster | None:
        """The workspace's poster, with its token as it is now (a rotated token is refreshed here)."""
        if self._fixed is not None:
            return self._fixed if team_id == self._fixed.team_id else None
        client = self.workspaces.client_for(team_id)
        if client is None:
            return None
        return DigestPoster(db=self.db, client=client, team_id=team_id, pace=self.pace)
