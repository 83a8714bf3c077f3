"""bot.installs: which token each workspace is answered with, from the installation tables in a real database
(Enterprise Grid workspaces included), and what an uninstall or a revoked token leaves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.installs import Installs
from storage import Database, upgrade
from tests.fakeslack import CLIENT_ID, CLIENT_SECRET, STATE_SECRET, FakeSlack

GRID, ALONE = "T0GRIDWS", "T0ALONE"


@pytest.fixture
def installs(db: Database, fake_slack: FakeSlack) -> Iterator[Installs]:
    upgrade(db)
    yield Installs(
        db,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        state_secret=STATE_SECRET,
        client=WebClient(base_url=fake_slack.api_url),
    )


def installed(installs: Installs, team: str, token: str, *, enterprise: str | None = None, at: float) -> None:
    """An install as Bolt's OAuth flow saves it."""
    installs.store.save(
        Installation(
            app_id="A0APP", enterprise_id=enterprise, team_id=team, team_name=team, bot_token=token,
            bot_id="B0BOT", bot_user_id="U0BOT", bot_scopes="chat:write,commands", user_id="U0ADMIN",
            installed_at=at,
        )
    )  # fmt: skip


def token_for(installs: Installs, team: str) -> str | None:
    client = installs.client_for(team)
    return None if client is None else client.token


def test_a_workspace_of_an_enterprise_grid_org_is_found_by_its_team_alone(installs: Installs) -> None:
    installed(installs, GRID, "xoxb-grid-1", enterprise="E0ORG", at=1_700_000_000.0)
    installed(installs, ALONE, "xoxb-alone-1", at=1_700_000_000.0)

    # A request, a digest or a scheduler pass knows the workspace, not always its org: the team is enough.
    assert token_for(installs, GRID) == "xoxb-grid-1"
    assert token_for(installs, ALONE) == "xoxb-alone-1"
    assert token_for(installs, "T0NEVER") is None
    assert sorted(team for team, _ in installs.workspaces()) == [ALONE, GRID]


def test_the_newest_install_of_a_workspace_wins(installs: Installs) -> None:
    installed(installs, GRID, "xoxb-grid-old", enterprise="E0ORG", at=1_700_000_000.0)
    installed(installs, GRID, "xoxb-grid-new", enterprise="E0ORG", at=1_700_000_900.0)
    assert token_for(installs, GRID) == "xoxb-grid-new"


def test_revoked_bot_tokens_leave_the_workspace_uninstalled_and_the_others_as_they_were(installs: Installs) -> None:
    installed(installs, GRID, "xoxb-grid-1", enterprise="E0ORG", at=1_700_000_000.0)
    installed(installs, ALONE, "xoxb-alone-1", at=1_700_000_000.0)

    installs.store.delete_bot(enterprise_id="E0ORG", team_id=GRID)  # what Bolt's tokens_revoked listener does

    assert token_for(installs, GRID) is None
    assert token_for(installs, ALONE) == "xoxb-alone-1"
    assert [team for team, _ in installs.workspaces()] == [ALONE]
