"""The one table of subcommands: every word the language reads as a subcommand has a route, and each entry
path (slash command, mention, terminal) answers it from the table."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltContext

from bot.cli import TERMINAL_ANSWERS
from bot.listeners.commands import is_scenario_command
from bot.router import ROUTES, answer, route_of
from costing import lexicon, subcommand_of


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
