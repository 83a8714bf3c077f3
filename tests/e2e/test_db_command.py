"""`costbot db upgrade|current` and the database at start-up, as an operator runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.checkout import COSTBOT
from tests.databases import fresh_postgres_url
from tests.e2e.conftest import bot_environment
from tests.fakeslack import FakeSlack

UNREACHABLE = "postgresql://costbot:hunter2secret@127.0.0.1:1/costbot"


def costbot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COSTBOT_", "DATABASE_"))}
    return subprocess.run([*COSTBOT, *args], cwd=tmp_path, env={**environment, **env}, capture_output=True,
                          text=True, timeout=60)  # fmt: skip


def test_upgrade_creates_the_default_sqlite_file_and_current_says_it_is_up_to_date(tmp_path: Path) -> None:
    before = costbot(tmp_path, "db", "current")
    assert before.returncode == 0 and "revision none (empty)" in before.stdout and "costbot db upgrade" in before.stdout

    upgraded = costbot(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "costbot.db").exists() and "(up to date)" in upgraded.stderr

    assert costbot(tmp_path, "db", "upgrade").returncode == 0  # twice is fine
    after = costbot(tmp_path, "db", "current")
    assert after.returncode == 0 and after.stdout.rstrip().endswith("up to date")


def test_upgrade_works_on_postgresql_and_a_postgres_url_as_platforms_give_it(tmp_path: Path) -> None:
    with fresh_postgres_url() as url:
        platform_url = url.replace("postgresql+psycopg://", "postgres://")
        result = costbot(tmp_path, "db", "upgrade", DATABASE_URL=platform_url)
        assert result.returncode == 0, result.stderr
        assert "up to date" in costbot(tmp_path, "db", "current", DATABASE_URL=url).stdout


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    result = costbot(tmp_path, "db", "upgrade", DATABASE_URL=UNREACHABLE)
    assert result.returncode == 2
    assert result.stderr.startswith("costbot: DATABASE_URL: can't use postgresql+psycopg://costbot:***@127.0.0.1:1/")
    assert len(result.stderr.splitlines()) == 1
    assert "hunter2secret" not in result.stderr and "Traceback" not in result.stderr


def test_a_database_costbot_does_not_support_is_refused_by_name(tmp_path: Path) -> None:
    result = costbot(tmp_path, "db", "upgrade", DATABASE_URL="mysql://root@127.0.0.1/test")
    assert result.returncode == 2
    assert result.stderr == "costbot: DATABASE_URL: costbot stores its data in SQLite or PostgreSQL, not mysql\n"


def test_serve_stops_at_an_unreachable_database_before_serving(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = bot_environment(fake_slack, DATABASE_URL=UNREACHABLE)
    result = subprocess.run([*COSTBOT, "serve", "--host", "127.0.0.1", "--port", "0"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert "DATABASE_URL: can't use" in result.stderr and "hunter2secret" not in result.stderr
    assert "Traceback" not in result.stderr and "serving Slack" not in result.stderr


def test_the_database_password_never_reaches_the_log(tmp_path: Path, fake_slack: FakeSlack) -> None:
    from sqlalchemy.engine import make_url

    from tests.e2e.conftest import start_bot, stop_bot
    from tests.e2e.test_scenarios import new_channel, save

    with fresh_postgres_url() as url:
        # This machine's server trusts local connections, so any password opens it; the point is where it shows.
        with_password = make_url(url).set(password="pw-d0nt-l0g-me").render_as_string(hide_password=False)
        bot = start_bot(fake_slack, tmp_path, DATABASE_URL=with_password, COSTBOT_LOG_LEVEL="DEBUG")
        try:
            save(bot, fake_slack, "logged", "video 10s", channel=new_channel())
        finally:
            stop_bot(bot)
    log = bot.log_text()
    assert "pw-d0nt-l0g-me" not in log
