"""Settings: every problem one line, naming the variable and the fix, never the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

SECRET_LOOKING = "xoxp-9999-should-never-be-echoed"


def problems(monkeypatch: pytest.MonkeyPatch, mode: str, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(mode=mode, env_file=None)  # type: ignore[arg-type]
    return caught.value.problems


def test_http_mode_needs_the_bot_token_and_the_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, "http")
    assert [line.split(" ")[0] for line in lines] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    assert all("not set" in line for line in lines)


def test_socket_mode_needs_the_app_token_not_the_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, "socket", SLACK_BOT_TOKEN="xoxb-1")
    assert lines == [line for line in lines if line.startswith("SLACK_APP_TOKEN")] and len(lines) == 1


def test_a_malformed_value_is_named_but_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, "http", SLACK_BOT_TOKEN=SECRET_LOOKING, SLACK_SIGNING_SECRET="abc def")
    assert lines[0].startswith("SLACK_BOT_TOKEN: expected a bot token starting with xoxb-")
    assert lines[1].startswith("SLACK_SIGNING_SECRET: contains spaces")
    assert not any(SECRET_LOOKING in line or "abc def" in line for line in lines)


def test_malformed_and_missing_are_reported_together(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, "socket", SLACK_API_URL="slack.com/api", SLACK_APP_TOKEN="xapp-1")
    assert [line.split(":")[0].split(" ")[0] for line in lines] == ["SLACK_API_URL", "SLACK_BOT_TOKEN"]


def test_the_api_url_gets_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    assert load_settings(mode="client", env_file=None).slack_api_url == "http://127.0.0.1:9/api/"


def test_a_dotenv_file_is_read_and_the_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=s3cret\nOTHER_TOOL_SETTING=1\n")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "from-env")
    settings = load_settings(mode="http", env_file=env_file)
    assert settings.bot_token == "xoxb-from-file"
    assert settings.signing_secret == "from-env"
    assert "xoxb-from-file" not in repr(settings)


def test_the_settings_template_copied_and_filled_in_for_one_recipe_is_accepted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """deploy/env.example leaves the other recipes' settings blank: blank is unset, not a malformed token."""
    from tests.checkout import ROOT

    template = (ROOT / "deploy" / "env.example").read_text()
    filled = template.replace("SLACK_BOT_TOKEN=\n", "SLACK_BOT_TOKEN=xoxb-1\n")
    filled = filled.replace("SLACK_SIGNING_SECRET=\n", "SLACK_SIGNING_SECRET=s3cret\n")
    (tmp_path / ".env").write_text(filled)
    settings = load_settings(mode="http", env_file=tmp_path / ".env")
    assert settings.bot_token == "xoxb-1" and settings.slack_app_token is None
    (tmp_path / ".env").write_text(template)  # nothing filled in: the two HTTP settings are missing, and said so
    with pytest.raises(ConfigError) as caught:
        load_settings(mode="http", env_file=tmp_path / ".env")
    assert [line.split(" ")[0] for line in caught.value.problems] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]


def test_the_log_level_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, "client", SLACK_BOT_TOKEN="xoxb-1", COSTBOT_LOG_LEVEL="chatty")
    assert lines == ["COSTBOT_LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR"]


def test_the_secret_values_include_the_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-secret")
    monkeypatch.setenv("DATABASE_URL", "postgres://costbot:s3cret@db.internal/costbot")
    settings = load_settings(mode="client", env_file=None)
    assert settings.secret_values() == ["xoxb-1-2-secret", "s3cret"]
    assert settings.database_url == "postgresql+psycopg://costbot:s3cret@db.internal/costbot"


# --- installs into many workspaces (OAuth) ---------------------------------------------------------------------

OAUTH = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "s3cret-client", "SLACK_STATE_SECRET": "x" * 32}


def test_the_oauth_settings_replace_the_bot_token_and_come_as_three(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**OAUTH, "SLACK_SIGNING_SECRET": "abc"}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(mode="http", env_file=None)
    assert settings.oauth and settings.slack_bot_token is None
    assert {"s3cret-client", "x" * 32} <= set(settings.secret_values())
    monkeypatch.delenv("SLACK_STATE_SECRET")
    assert problems(monkeypatch, "client") == [
        "SLACK_STATE_SECRET is not set: set it to a long random value of your own that signs install links "
        "(openssl rand -hex 32)."
    ]


def test_a_bot_token_beside_the_oauth_settings_is_one_clear_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, "http", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="abc", **OAUTH)
    assert len(lines) == 1 and lines[0].startswith("SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set")


def test_socket_mode_refuses_installs_and_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, "socket", SLACK_APP_TOKEN="xapp-1", **OAUTH)
    assert "Socket Mode serves one workspace" in lines[0] and lines[1].startswith("SLACK_BOT_TOKEN is not set")


def test_malformed_oauth_settings_are_named_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"SLACK_SIGNING_SECRET": "abc", "SLACK_CLIENT_ID": SECRET_LOOKING, "SLACK_CLIENT_SECRET": "c",
           "SLACK_STATE_SECRET": "tiny-val", "COSTBOT_PUBLIC_URL": "costbot.example.com"}  # fmt: skip
    lines = problems(monkeypatch, "http", **env)
    assert [line.split(":")[0] for line in lines] == ["SLACK_CLIENT_ID", "SLACK_STATE_SECRET", "COSTBOT_PUBLIC_URL"]
    assert not any(SECRET_LOOKING in line or "tiny-val" in line for line in lines)
