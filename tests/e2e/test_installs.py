"""Installs into many workspaces, end to end: `costbot serve` with the OAuth settings, two workspaces installed
through the fake Slack's `oauth.v2.access` (one with rotating tokens), a command and a weekly digest in each
answered with that workspace's own token, a forged state refused, and an uninstall that removes the tokens and
stops the digests until a reinstall; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.digests import METADATA_EVENT
from storage import Database, count_channel_scenarios, get_scenario, upgrade
from tests.checkout import COSTBOT
from tests.databases import fresh_postgres_url
from tests.e2e.conftest import RunningBot, bot_environment, start_bot, stop_bot
from tests.e2e.test_digests import digests_in, subscribe_long_ago
from tests.e2e.test_scenarios import new_channel, send_event, slash, text_of
from tests.fakeslack import CLIENT_ID, CLIENT_SECRET, STATE_SECRET, FakeSlack

ALPHA, BETA = "T0ALPHA", "T0BETA"
ALPHA_TOKEN, BETA_TOKEN = "xoxb-1-alpha-installtoken", "xoxb-1-beta-installtoken"
#: Three Mondays five minutes after a 09:00 Europe/Berlin digest: weeks 47, 48 and 49 of 2026.
MONDAYS = ("2026-11-16T09:05:00+01:00", "2026-11-23T09:05:00+01:00", "2026-11-30T09:05:00+01:00")
OAUTH = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_STATE_SECRET": STATE_SECRET}


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    html: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def open_page(url: str, *, cookie: str | None = None) -> Page:
    """GET a page as a browser would (without following redirects), whatever its status."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=10) as response:
            return Page(response.status, dict(response.headers.items()), response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, dict(error.headers.items()), error.read().decode())


def start_install(bot: RunningBot) -> tuple[str, str]:
    """Open the install page: the state in its "Add to Slack" link, and the cookie it set."""
    page = open_page(f"{bot.url}/slack/install")
    assert page.status == 200 and "Add to Slack" in page.html
    link = re.search(r'href="([^"]+/oauth/v2/authorize[^"]+)"', page.html)
    assert link is not None, page.html
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID] and "chat:write" in query["scope"][0].split(",")
    cookie = page.headers["Set-Cookie"].split(";")[0]
    return query["state"][0], cookie


def install(bot: RunningBot, fake: FakeSlack, team: str, name: str, token: str, **offer: int) -> Page:
    state, cookie = start_install(bot)
    code = f"code-{team}-{token[-6:]}"
    fake.offer_install(code, team=team, name=name, token=token, **offer)
    return open_page(f"{bot.url}/slack/oauth_redirect?code={code}&state={urllib.parse.quote(state)}", cookie=cookie)


def digest_run(workdir: Path, fake: FakeSlack, url: str, now: str) -> str:
    done = subprocess.run([*COSTBOT, "digest", "run", "--now", now], cwd=workdir, capture_output=True, text=True,
                          env=bot_environment(fake, unset=("SLACK_BOT_TOKEN",), DATABASE_URL=url, **OAUTH),
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def current_token(fake: FakeSlack, team: str) -> str:
    (token,) = [token for token, (owner, _) in fake.tokens.items() if owner == team]
    return token


@contextmanager
def _sqlite(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'costbot.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_postgres_url() if request.param == "postgresql" else _sqlite(tmp_path) as url:
        yield url


@pytest.fixture
def installs_bot(fake_slack: FakeSlack, tmp_path: Path, database_url: str) -> Iterator[RunningBot]:
    bot = start_bot(fake_slack, tmp_path, "--no-scheduler", unset=("SLACK_BOT_TOKEN",), DATABASE_URL=database_url,
                    COSTBOT_LOG_LEVEL="DEBUG", **OAUTH)  # fmt: skip
    yield bot
    stop_bot(bot)


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    installs_bot: RunningBot, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    assert "none installed yet" in installs_bot.log_text() and "/slack/install" in installs_bot.log_text()
    alpha = install(installs_bot, fake_slack, ALPHA, "Alpha & Co <b>", ALPHA_TOKEN)
    assert alpha.status == 200 and "installed in Alpha &amp; Co &lt;b&gt;" in alpha.html  # escaped
    assert "default-src 'none'" in alpha.headers["Content-Security-Policy"] and "<script" not in alpha.html
    beta = install(installs_bot, fake_slack, BETA, "Beta", BETA_TOKEN, expires_in=3600)  # rotates: < 2 h left
    assert beta.status == 200

    channels = {ALPHA: new_channel(), BETA: new_channel()}
    for team, channel in channels.items():
        answer = slash(installs_bot, fake_slack, "save launch video 10s x 1M users", channel=channel, team=team)
        assert "Saved *launch* (v1)" in text_of(answer)
    posts = {c.body["channel"]: c.token for c in fake_slack.api_calls("chat.postMessage")}
    assert posts[channels[ALPHA]] == ALPHA_TOKEN
    assert posts[channels[BETA]].startswith("xoxe.xoxb-1-T0BETA-") and BETA_TOKEN in fake_slack.expired_tokens
    assert any(c.body.get("grant_type") == "refresh_token" for c in fake_slack.api_calls("oauth.v2.access"))

    # A weekly digest in each workspace, from `costbot digest run` (cron), each with its workspace's token.
    db = Database(database_url)
    upgrade(db)
    for team, channel in channels.items():
        subscribe_long_ago(db, channel, team_id=team)
    out = digest_run(tmp_path, fake_slack, database_url, MONDAYS[0])
    for team, channel in channels.items():
        assert f"{channel} 2026-W47: posted" in out
        assert len(digests_in(fake_slack, channel)) == 1
        posted = [c for c in fake_slack.api_calls("chat.postMessage") if c.body["channel"] == channel and
                  (c.body.get("metadata") or {}).get("event_type") == METADATA_EVENT]  # fmt: skip
        assert posted[0].token == current_token(fake_slack, team)  # Beta's refreshed again: it lasts an hour

    # Alpha uninstalls: its tokens go, its data stays, its digest stops; Beta's goes on.
    uninstalled = {"type": "app_uninstalled"}
    assert send_event(installs_bot, uninstalled, team=ALPHA) == 200
    out = digest_run(tmp_path, fake_slack, database_url, MONDAYS[1])
    assert f"{channels[BETA]} 2026-W48: posted" in out
    assert f"{channels[ALPHA]}: skipped: costbot isn't installed in this workspace now" in out
    assert len(digests_in(fake_slack, channels[ALPHA])) == 1
    with db.session(write=False) as session:
        assert count_channel_scenarios(session=session, team_id=ALPHA, channel_id=channels[ALPHA]) == 3
    refused = slash(installs_bot, fake_slack, "chat 1500 in 500 out", channel=channels[ALPHA], team=ALPHA)
    assert "isn't installed in this workspace" in text_of(refused)

    # Installed again: the next week's digest goes out.
    assert install(installs_bot, fake_slack, ALPHA, "Alpha", "xoxb-1-alpha-again").status == 200
    out = digest_run(tmp_path, fake_slack, database_url, MONDAYS[2])
    assert f"{channels[ALPHA]} 2026-W49: posted" in out
    db.dispose()

    log = installs_bot.log_text()
    for secret in (CLIENT_SECRET, STATE_SECRET, ALPHA_TOKEN, BETA_TOKEN, *fake_slack.expired_tokens, f"code-{ALPHA}"):
        assert secret not in log


def test_a_forged_reused_or_foreign_state_is_refused_and_nothing_is_installed(
    installs_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    redirect = f"{installs_bot.url}/slack/oauth_redirect"
    state, cookie = start_install(installs_bot)
    fake_slack.offer_install("code-forged", team=ALPHA, name="Alpha", token=ALPHA_TOKEN)
    nonce = state.rpartition(".")[0]
    forged = f"{nonce}.{'0' * 64}"  # the right nonce, a signature costbot didn't make
    page = open_page(f"{redirect}?code=code-forged&state={forged}", cookie=f"slack-app-oauth-state={forged}")
    assert page.status == 401 and "expired or was used already" in page.html
    page = open_page(f"{redirect}?code=code-forged&state={state}")  # another browser: no cookie
    assert page.status == 400 and "different browser" in page.html
    assert not fake_slack.api_calls("oauth.v2.access")  # no code was exchanged for any of them

    assert open_page(f"{redirect}?code=code-forged&state={state}", cookie=cookie).status == 200
    again = open_page(f"{redirect}?code=code-forged&state={state}", cookie=cookie)  # the same state twice
    assert again.status == 401 and len(fake_slack.api_calls("oauth.v2.access")) == 1
    cancelled = open_page(f"{redirect}?error=access_denied&state={state}", cookie=cookie)
    assert cancelled.status == 200 and "cancelled" in cancelled.html


def test_revoked_tokens_stop_a_workspace_until_it_installs_again(
    installs_bot: RunningBot, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    assert install(installs_bot, fake_slack, ALPHA, "Alpha", ALPHA_TOKEN).status == 200
    assert install(installs_bot, fake_slack, BETA, "Beta", BETA_TOKEN).status == 200
    channel = new_channel()
    assert "Saved *launch* (v1)" in text_of(slash(installs_bot, fake_slack, "save launch image", channel=channel,
                                                  team=BETA))  # fmt: skip

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    assert send_event(installs_bot, revoked, team=BETA) == 200

    refused = slash(installs_bot, fake_slack, "chat 1500 in 500 out", channel=channel, team=BETA)
    assert "isn't installed in this workspace" in text_of(refused)
    assert "Saved" in text_of(slash(installs_bot, fake_slack, "save other image", channel=new_channel(), team=ALPHA))
    db = Database(database_url)
    subscribe_long_ago(db, channel, team_id=BETA)
    out = digest_run(tmp_path, fake_slack, database_url, MONDAYS[0])
    assert f"{channel}: skipped: costbot isn't installed in this workspace now" in out
    with db.session(write=False) as session:  # its scenarios stay
        assert get_scenario(session=session, team_id=BETA, channel_id=channel, name="launch") is not None
    db.dispose()
    assert "revoked costbot's tokens" in installs_bot.log_text()

    assert install(installs_bot, fake_slack, BETA, "Beta", "xoxb-1-beta-again").status == 200
    assert f"{channel} 2026-W48: posted" in digest_run(tmp_path, fake_slack, database_url, MONDAYS[1])
