"""The one table of subcommands: every word the language reads as a subcommand has a route, and each entry
path (slash command, mention, terminal) answers it from the table."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.cli import TERMINAL_ANSWERS
from bot.listeners.commands import is_scenario_command
from bot.router import ROUTES, Place, answer, route_of
from bot.scenarios import Where
from costing import lexicon, subcommand_of
from storage import Database
from tests.fakeslack import BOT_TOKEN, TEAM, FakeSlack


def test_every_subcommand_the_language_reads_has_a_route_and_no_other() -> None:
    assert set(lexicon.SUBCOMMANDS) == set(ROUTES)
    assert all(subcommand_of(f"{name} launch") is not None for name in ROUTES)
    assert subcommand_of("video 10s x 1M users") is None and route_of(None) is None


def test_the_terminal_answers_exactly_the_subcommands_that_need_no_workspace() -> None:
    assert set(TERMINAL_ANSWERS) == {name for name, route in ROUTES.items() if not route.in_workspace}


@pytest.mark.parametrize("name", sorted(name for name, route in ROUTES.items() if route.in_workspace))
def test_a_workspace_command_without_a_workspace_says_where_it_works(name: str) -> None:
    reply = answer(f"{name} launch")
    assert reply.private and f"type /cost {name} … there" in reply.message["text"]


def test_help_prices_and_estimates_need_no_workspace() -> None:
    assert "costbot help" in answer("help").message["text"]
    assert "veo" in answer("prices veo").message["text"]
    assert answer("video 10s").estimate is not None


def _command(text: str) -> dict[str, Any]:
    return {"text": text, "team_id": "T0TEAM", "channel_id": "C0CHAN", "user_id": "U0ALICE"}


def test_a_slash_commands_subcommand_is_read_once_and_kept_for_the_deferred_answer() -> None:
    context = BoltContext()
    assert is_scenario_command(_command("show launch"), context)
    assert context["subcommand"] == subcommand_of("show launch")
    estimate = BoltContext()
    assert not is_scenario_command(_command("video 10s"), estimate) and "subcommand" not in estimate
    assert not is_scenario_command(_command("help"), BoltContext())  # answered in the ack


MARKUP = ("<!channel>", "<!here>", "<@U0BOB>", "<#C0OTHER>", "<https://evil.example|click>")


@pytest.mark.parametrize("markup", MARKUP)
@pytest.mark.parametrize(
    "template",
    [
        "{m}", "video 10s {m}", "prices {m}", "help {m}", "digest {m}", "digest on {m}", "digest off {m}",
        "save {m} video 10s", "save plan {m}", "show {m}", "compare {m} {m}", "delete {m}", "value {m} $1 each",
        "budget {m} $5/month", "list {m}",
    ],
)  # fmt: skip
def test_no_reply_echoes_slack_markup_in_its_fallback_text(
    markup: str, template: str, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    """The top-level `text` is what notifications and screen readers show: markup there pings or links."""
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    place = Place(where=Where(team_id=TEAM, channel_id="C0GENERAL", user_id="U0ALICE"), db=sqlite_db, client=client)
    text = template.format(m=markup)
    reply = answer(text, place)
    fallback = reply.message["text"]
    assert "<!" not in fallback and "<@" not in fallback and "<#" not in fallback and "<http" not in fallback, text
