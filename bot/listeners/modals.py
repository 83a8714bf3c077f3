"""Modal submissions: the Adjust form answers with the new estimate where the old one was; Save saves."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ADJUST_CALLBACK, SAVE_CALLBACK, estimate_message, read_adjust_submission, read_save_submission
from bot.blocks.save import NAME_BLOCK
from bot.replies import estimate_text
from bot.respond import answer_privately
from bot.scenarios import Where, save_named
from bot.seals import Seal
from bot.work import DATABASE_DOWN, Outbox, Unrecorded, durable, write_down
from costing import CatalogError, EstimateError
from storage import Database, get_scenario
from storage.names import name_problem

__all__ = ["answer_adjusted", "answer_save", "check_adjusted", "check_save", "register"]


def _field_error(error: EstimateError) -> str:
    text = error.message
    if error.suggestion:
        text += f" Did you mean {error.suggestion}?"
    return text


def check_adjusted(ack: Ack, view: dict[str, Any]) -> None:
    """Close the form if its text costs; otherwise show the problem on the field it came from."""
    submission = read_adjust_submission(view["state"]["values"])
    try:
        estimate_text(submission.text)
    except EstimateError as error:
        ack(response_action="errors", errors={submission.block_at(error.position): _field_error(error)})
        return
    except CatalogError as error:
        ack(response_action="errors", errors={submission.block_at(None): f"The price book has a problem: {error}"})
        return
    ack()


def answer_adjusted(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, seal: Seal, logger: logging.Logger
) -> None:
    """After the form closed: the new estimate where the old one was."""
    submission = read_adjust_submission(view["state"]["values"])
    try:
        estimate = estimate_text(submission.text)
    except (EstimateError, CatalogError):
        return  # check_adjusted kept the form open with the error; nothing to answer
    where = _opened(view, seal, logger)
    if where is None:
        return
    message = estimate_message(estimate, share=not where.get("dm"))  # no Share in the user's own messages
    _answer(message, where=where, user=body["user"]["id"], client=client, logger=logger)


def _opened(view: dict[str, Any], seal: Seal, logger: logging.Logger) -> dict[str, Any] | None:
    """Where the form's answer goes, as the bot sealed it when it opened the form; None (logged) if tampered."""
    where = seal.open(view.get("private_metadata"))
    if where is None:
        logger.warning("a form came back with metadata costbot didn't seal; ignored")
    return where


def _answer(
    message: dict[str, Any], *, where: dict[str, Any], user: str, client: WebClient, logger: logging.Logger
) -> None:
    """Where the form was opened from: through its response URL while it lives, then ephemerally; a form
    opened from App Home answers in the user's messages with costbot."""
    if where.get("dm"):
        try:
            client.chat_postMessage(channel=user, **message)
        except (SlackApiError, OSError) as error:
            logger.warning("an answer to the user's messages with costbot wasn't delivered: %s", type(error).__name__)
        return
    answer_privately(
        message,
        response_url=where.get("response_url"),
        client=client,
        channel=where.get("channel"),
        user=user,
        thread_ts=where.get("thread_ts"),
        replace=bool(where.get("replace")),
    )


def check_save(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    db: Database,
    seal: Seal,
    outbox: Outbox,
) -> None:
    """Keep the Save form open, with the reason on the name field, when the name is malformed or taken."""
    name = read_save_submission(view["state"]["values"])
    where = _opened(view, seal, logging.getLogger(__name__))
    if where is None or not isinstance(where.get("text"), str):
        ack(response_action="errors", errors={NAME_BLOCK: "This form didn't come from costbot; nothing was saved."})
        return
    team, channel = body["team"]["id"], where.get("channel") or ""
    problem = name_problem(name)
    if problem is None:
        with db.session(write=False) as session:
            existing = get_scenario(session=session, team_id=team, channel_id=channel, name=name)
        if existing is not None:
            problem = f"This channel has a scenario called '{existing.name}' already; pick another name."
    if problem:
        ack(response_action="errors", errors={NAME_BLOCK: problem})
        return
    # answer_save runs after every submission: only one written down here is carried out (once).
    if write_down(body, step=answer_save.__name__, context=context, outbox=outbox) is Unrecorded.DATABASE_DOWN:
        ack(response_action="errors", errors={NAME_BLOCK: DATABASE_DOWN})
        return
    ack()


def answer_save(
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    db: Database,
    seal: Seal,
    logger: logging.Logger,
) -> None:
    """After the form closed (check_save wrote it down): save, post the card, and tell the user where it went."""
    where = _opened(view, seal, logger)
    if where is None:
        return  # check_save refused it already
    user = body["user"]["id"]
    asked = Where(
        team_id=body["team"]["id"],
        channel_id=where.get("channel") or "",
        user_id=user,
        request=context.get("work_key"),
        retried=bool(context.get("work_recovered")),
    )
    reply = save_named(read_save_submission(view["state"]["values"]), where["text"], where=asked, db=db, client=client)
    _answer(reply.message, where=where, user=user, client=client, logger=logger)


def register(app: App) -> None:
    app.view(ADJUST_CALLBACK)(ack=check_adjusted, lazy=[answer_adjusted])
    app.view(SAVE_CALLBACK)(ack=check_save, lazy=[durable(answer_save)])
