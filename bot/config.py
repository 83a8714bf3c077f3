"""Settings from the environment (and a `.env` file), checked before anything starts.

Every problem is one line naming the variable and what would fix it; values are never echoed, so a secret
pasted into the wrong variable does not end up in a terminal, a log or a CI transcript.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ConfigError", "Settings", "load_settings"]

SLACK_API_URL = "https://slack.com/api/"
Mode = Literal["http", "socket", "client", "database"]

_WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "the Signing Secret from your Slack app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) with connections:write, from Basic Information → App-Level Tokens",
    "SLACK_CLIENT_ID": "the Client ID from your Slack app's Basic Information page",
    "SLACK_CLIENT_SECRET": "the Client Secret from your Slack app's Basic Information page",
    "SLACK_STATE_SECRET": "a long random value of your own that signs install links (openssl rand -hex 32)",
}
#: The settings that turn on installs into many workspaces (`bot.installs`): all three, or none.
OAUTH = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")


class ConfigError(Exception):
    """The settings are missing or malformed: one line per problem, each safe to print."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class Settings(BaseSettings):
    """costbot's configuration. Field names are the environment variables, case-insensitive."""

    # An empty setting (`SLACK_APP_TOKEN=` left blank in a copied deploy/env.example) is no setting.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        hide_input_in_errors=True,
        frozen=True,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    #: Installs into many workspaces (Slack's OAuth flow) instead of one bot token: all three set.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    #: Where Slack and people reach this deployment (https://costbot.example.com): the OAuth redirect URL is
    #: this plus /slack/oauth_redirect; needed only if the app lists more than one redirect URL.
    costbot_public_url: str | None = None
    database_url: str = "sqlite:///costbot.db"
    costbot_log_level: str = Field(default="INFO")
    #: `text` (default) or `json`: one JSON object per line, for a log pipeline.
    costbot_log_format: Literal["text", "json"] = "text"
    #: Live token-price refresh: `off`, `on` (genai-prices' own source) or the URL of a file in its format.
    costbot_price_updates: str = "off"
    #: Seconds a replica's claim on acknowledged work holds unrenewed before another takes the work over.
    costbot_work_lease_seconds: int = Field(default=60, ge=5, le=3600)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError(f"expected a bot token starting with xoxb-: {_WHERE['SLACK_BOT_TOKEN']}")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError(f"expected an app-level token starting with xapp-: {_WHERE['SLACK_APP_TOKEN']}")
        return value

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and re.search(r"\s", value.get_secret_value()):
            raise ValueError("contains spaces or line breaks; paste the secret alone, without quotes or spaces")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"expected an http(s) URL such as {SLACK_API_URL}")
        return value if value.endswith("/") else value + "/"  # the Web API client joins method names to it

    @field_validator("slack_client_id")
    @classmethod
    def _client_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d+\.\d+", value.strip()):
            raise ValueError(f"expected digits, a dot, digits (1234567890.1234567890): {_WHERE['SLACK_CLIENT_ID']}")
        return value.strip() if value is not None else None

    @field_validator("slack_state_secret")
    @classmethod
    def _state_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError(f"too short to sign with (at least 16 characters): {_WHERE['SLACK_STATE_SECRET']}")
        return value

    @field_validator("costbot_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(
                "expected the https URL people and Slack reach costbot at, such as https://costbot.example.com"
            )
        return value.rstrip("/") if value is not None else None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from storage.db import DatabaseError, normalise_url

        try:
            return normalise_url(value)
        except DatabaseError as error:
            raise ValueError(str(error).removeprefix("DATABASE_URL: ")) from None

    @field_validator("costbot_price_updates")
    @classmethod
    def _price_updates(cls, value: str) -> str:
        from bot.price_updates import parse_setting

        return parse_setting(value)

    @field_validator("costbot_log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return level

    def secret_values(self) -> list[str]:
        """What must never reach a log line: the Slack secrets, the database's password, and the password and
        query of the price-refresh URL."""
        from bot.price_updates import url_secrets
        from storage.db import secrets_of

        secrets = [
            s.get_secret_value()
            for s in (
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
                self.slack_client_secret,
                self.slack_state_secret,
            )
            if s is not None
        ]
        secrets.extend(secrets_of(self.database_url))  # however the password is written (raw `@`, `%40`, query)
        secrets.extend(url_secrets(self.costbot_price_updates))
        return secrets

    @property
    def oauth(self) -> bool:
        """Installs into many workspaces (`bot.installs`), rather than the one workspace of `SLACK_BOT_TOKEN`."""
        return self.slack_client_id is not None

    @property
    def client_secret(self) -> str:
        assert self.slack_client_secret is not None, "load_settings checks the OAuth settings together"
        return self.slack_client_secret.get_secret_value()

    @property
    def state_secret(self) -> str:
        assert self.slack_state_secret is not None, "load_settings checks the OAuth settings together"
        return self.slack_state_secret.get_secret_value()

    @property
    def redirect_url(self) -> str | None:
        """The OAuth redirect URL, when `COSTBOT_PUBLIC_URL` says where costbot is."""
        from bot.installs import REDIRECT_PATH

        return self.costbot_public_url + REDIRECT_PATH if self.costbot_public_url else None

    @property
    def bot_token(self) -> str:
        assert self.slack_bot_token is not None, "load_settings checks the token for every mode that needs it"
        return self.slack_bot_token.get_secret_value()

    @property
    def signing_secret(self) -> str:
        assert self.slack_signing_secret is not None, "load_settings checks the secret in HTTP mode"
        return self.slack_signing_secret.get_secret_value()

    @property
    def seal_key(self) -> str:
        """What seals round-tripped metadata (`bot.seals`): the signing secret, or in Socket Mode (which has
        none) the app-level token; both are secrets only this app holds."""
        secret = self.slack_signing_secret or self.slack_app_token or self.slack_bot_token
        assert secret is not None, "load_settings checks the secrets each mode needs"
        return secret.get_secret_value()

    @property
    def app_token(self) -> str:
        assert self.slack_app_token is not None, "load_settings checks the app token in Socket Mode"
        return self.slack_app_token.get_secret_value()


_REQUIRED: dict[Mode, tuple[str, ...]] = {
    "http": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
    "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
    "client": ("SLACK_BOT_TOKEN",),
    "database": (),
}


def _oauth_problems(mode: Mode, oauth: list[str], settings: Settings) -> list[str]:
    """What conflicts with installs into many workspaces (`oauth`: the OAuth settings that are set)."""
    if mode == "socket":
        return [
            f"{oauth[0]} is set, but Socket Mode serves one workspace: unset {', '.join(oauth)} and set "
            "SLACK_BOT_TOKEN, or serve over HTTP (costbot serve) for installs into many workspaces."
        ]
    if mode != "database" and settings.slack_bot_token is not None:
        return [
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: set SLACK_BOT_TOKEN alone for one workspace, or "
            "the three SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for installs into many."
        ]
    return []


def load_settings(*, mode: Mode, env_file: Path | str | None = ".env") -> Settings:
    """Read and check the settings that `mode` needs.

    Args:
        mode: `http` for `costbot serve`, `socket` for `costbot serve --socket`, `client` for commands that
            only call Slack's Web API, `database` for `costbot db …`.
        env_file: A dotenv file read under the environment (which wins); None reads the environment only.

    Raises:
        ConfigError: One line per missing or malformed variable, in the order of the contract.
    """
    problems: list[str] = []
    malformed: dict[str, object] = {}
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            field = str(error["loc"][0])
            problems.append(f"{field.upper()}: {error['msg'].removeprefix('Value error, ')}")
            malformed[field] = Settings.model_fields[field].default
        # Read again with the malformed ones at their defaults, to report what is missing as well.
        settings = Settings(_env_file=env_file, **malformed)  # type: ignore[call-arg, arg-type]
    oauth = [name for name in OAUTH if name.lower() in malformed or getattr(settings, name.lower()) is not None]
    required = list(_REQUIRED[mode])
    if oauth:
        problems.extend(_oauth_problems(mode, oauth, settings))
    if oauth and mode in {"http", "client"}:  # the tokens come from installs: all three settings needed
        required = [name for name in required if name != "SLACK_BOT_TOKEN"]
        required += [name for name in OAUTH if name not in oauth]
    for name in required:
        if name.lower() not in malformed and getattr(settings, name.lower()) is None:
            problems.append(f"{name} is not set: set it to {_WHERE[name]}.")
    if problems:
        raise ConfigError(problems)
    return settings
