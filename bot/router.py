"""One table of `/cost` subcommands: what each is, where it works, and who answers it.

The slash command, mentions and the `costbot` command all read the table: a subcommand is looked up once, here,
and the same name means the same thing everywhere. Commands that work on a channel's saved scenarios or its
digest need the workspace (`Place`): the database, the Slack client, who asked where. `help` and `prices` need
nothing and work in the terminal too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.blocks import help_message, prices_message, problem_message
from bot.digest_commands import run_digest_command
from bot.notes import EstimateNotes
from bot.replies import Reply, estimate_reply
from bot.scenarios import SCENARIO_COMMANDS, Where, run_scenario_command
from bot.slack_pace import ChannelPace
from costing import Subcommand, list_prices, subcommand_of
from storage import Database

__all__ = ["ROUTES", "Place", "Route", "answer", "route_of"]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a command was typed, with what answering it needs: the database, Slack, the digest pace and the
    users' last estimates (None: the database's record of them)."""

    where: Where
    db: Database
    client: WebClient
    pace: ChannelPace | None = None
    notes: EstimateNotes | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """How one subcommand is answered, and whether it needs a workspace (the database and Slack)."""

    answer: Callable[[Subcommand, Place | None], Reply]
    in_workspace: bool


def _help(command: Subcommand, place: Place | None) -> Reply:
    return Reply(help_message(), private=True)  # for the one who asked, in a thread too


def _prices(command: Subcommand, place: Place | None) -> Reply:
    return Reply(prices_message(list_prices(command.args)))


def _scenarios(command: Subcommand, place: Place | None) -> Reply:
    assert place is not None, "a workspace command is only routed with its place"
    return run_scenario_command(command, where=place.where, db=place.db, client=place.client, notes=place.notes)


def _digest(command: Subcommand, place: Place | None) -> Reply:
    assert place is not None, "a workspace command is only routed with its place"
    return run_digest_command(command.args, where=place.where, db=place.db, client=place.client, pace=place.pace)


#: Every subcommand, by the word that starts it.
ROUTES: dict[str, Route] = {
    "help": Route(_help, in_workspace=False),
    "prices": Route(_prices, in_workspace=False),
    **{name: Route(_scenarios, in_workspace=True) for name in sorted(SCENARIO_COMMANDS)},
    "digest": Route(_digest, in_workspace=True),
}


def route_of(command: Subcommand | None) -> Route | None:
    """The route for a parsed subcommand (None for an estimate, or a word the table doesn't have)."""
    return ROUTES.get(command.name) if command is not None else None


def answer(
    text: str, place: Place | None = None, *, command: Subcommand | None = None, share: bool = True, prose: bool = False
) -> Reply:
    """The reply to `/cost TEXT` typed at `place`: a subcommand from the table, or else an estimate.

    Args:
        command: `subcommand_of(text)` when the caller has it already (it is read once per request).
        place: Where it was typed; None where there is no workspace, where workspace commands say where they work.
        share: Offer the Share in channel button on an estimate (not where the answer is public already).
        prose: `text` is a message someone wrote (the shortcut, a mention), not a `/cost` line
            (`bot.replies.estimate_reply`).
    """
    command = command or subcommand_of(text)
    route = route_of(command)
    if command is None or route is None:  # an estimate (subcommand_of knows only the table's words)
        return estimate_reply(text, share=share, prose=prose)
    if route.in_workspace and place is None:
        return Reply(
            problem_message(f"{command.name} works as a command in a channel: type /cost {command.name} … there."),
            private=True,
        )
    return route.answer(command, place)
