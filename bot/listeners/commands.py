"""Slash commands: `/cost TEXT` answers in the acknowledgement itself, well inside Slack's 3 seconds.

Saved-scenario commands (`save`, `list`, `show`, …) and `digest …` need the database and sometimes Slack (posting
a card or a digest, asking whether the user is an admin): they are acknowledged at once and answered through the
response URL.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import problem_message
from bot.notes import EstimateNotes
from bot.respond import answer_privately
from bot.router import Place, answer, route_of
from bot.scenarios import Where
from bot.slack_pace import ChannelPace
from bot.work import DATABASE_DOWN, RESUMING, acknowledge_work, durable
from costing import subcommand_of
from storage import Database, is_unavailable

__all__ = ["OOPS", "cost_command", "is_scenario_command", "register", "scenario_command"]

OOPS = (
    "Something went wrong on my side while answering that; it has been logged. "
    "Try again in a moment, or /cost help for examples that work."
)


def is_scenario_command(command: dict[str, Any], context: BoltContext | None = None) -> bool:
    """`/cost save …`, `list`, `show`, …, `digest …`: the commands that need the workspace (its saved scenarios,
    its digest). The subcommand read here is kept in the context for `scenario_command`: read once per /cost."""
    subcommand = subcommand_of(command.get("text") or "")
    route = route_of(subcommand)
    if route is None or not route.in_workspace:
        return False
    if context is not None:
        context["subcommand"] = subcommand
    return True


def cost_command(ack: Ack, command: dict[str, Any], estimate_notes: EstimateNotes, logger: logging.Logger) -> None:
    """`/cost TEXT`: the estimate (or help, prices, an error) as an ephemeral message, sent with the ack."""
    text = command.get("text") or ""
    try:
        reply = answer(text)
        message = reply.message
        if reply.estimate is not None:  # what `/cost save NAME` without a text will save
            estimate_notes.note(
                team_id=command["team_id"],
                channel_id=command["channel_id"],
                user_id=command["user_id"],
                text=reply.estimate.text,
            )
    except Exception:  # a bug of ours: logged with context, and the user still gets an answer
        logger.exception(
            "/cost failed: team=%s channel=%s user=%s",
            command.get("team_id"),
            command.get("channel_id"),
            command.get("user_id"),
        )
        message = problem_message(OOPS)
    ack(response_type="ephemeral", **message)


def scenario_command(
    command: dict[str, Any],
    client: WebClient,
    db: Database,
    estimate_notes: EstimateNotes,
    digest_pace: ChannelPace,
    logger: logging.Logger,
    context: BoltContext | None = None,
) -> None:
    """After the ack: a saved-scenario or digest command, answered privately through the response URL."""
    text = command.get("text") or ""
    context = context if context is not None else BoltContext()
    subcommand = context.get("subcommand") or subcommand_of(text)
    assert subcommand is not None, "is_scenario_command matched"
    where = Where(
        team_id=command["team_id"],
        channel_id=command["channel_id"],
        user_id=command["user_id"],
        request=context.get("work_key"),
        retried=bool(context.get("work_recovered")),
    )
    place = Place(where=where, db=db, client=client, pace=digest_pace, notes=estimate_notes)
    try:
        message = answer(text, place, command=subcommand).message
    except Exception as error:
        if is_unavailable(error) and context.get("work_id") is not None:
            # Written down: finished when the database is back (bot.work), and answered then.
            logger.error("/cost %s: the database went away; finished when it is back", subcommand.name)
            if not where.retried:
                answer_privately(
                    problem_message(RESUMING),
                    response_url=command.get("response_url"),
                    client=client,
                    channel=where.channel_id,
                    user=where.user_id,
                )
            raise
        if is_unavailable(error):
            logger.error("/cost %s: the database is unavailable (%s)", subcommand.name, type(error).__name__)
            message = problem_message(DATABASE_DOWN)
        else:
            logger.exception(
                "/cost %s failed: team=%s channel=%s user=%s",
                subcommand.name,
                where.team_id,
                where.channel_id,
                where.user_id,
            )
            message = problem_message(OOPS)
    answer_privately(
        message, response_url=command.get("response_url"), client=client, channel=where.channel_id, user=where.user_id
    )


def register(app: App) -> None:
    # Bolt runs the first listener that matches: scenario commands first, everything else answers in the ack
    # (no lazy listener there, so an estimate costs no thread and no copy of the request).
    # A scenario command is written down before it is acknowledged (bot.work): nothing acknowledged is lost.
    app.command("/cost", matchers=[is_scenario_command])(
        ack=acknowledge_work(scenario_command), lazy=[durable(scenario_command)]
    )
    app.command("/cost")(cost_command)
