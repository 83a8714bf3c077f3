"""Buttons: Save, Share in channel, Adjust and Details on an estimate; Details on a card; Save as new version
under a what-if; Post card; Delete, Keep it and Undo around a delete."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import (
    ADJUST_ACTION,
    SAVE_ACTION,
    SHARE_ACTION,
    adjust_modal,
    error_message,
    estimate_message,
    problem_message,
    save_modal,
)
from bot.blocks.estimate import DETAILS_ACTION, details_footer, details_modal
from bot.blocks.home import NEW_ESTIMATE_ACTION
from bot.blocks.mrkdwn import escape
from bot.blocks.scenarios import (
    CARD_DETAILS_ACTION,
    DELETE_ACTION,
    KEEP_ACTION,
    POST_CARD_ACTION,
    SAVE_VERSION_ACTION,
    UNDO_DELETE_ACTION,
    kept_message,
    scenario_details_modal,
)
from bot.listeners.acknowledge import acknowledge
from bot.payloads import read_details_button, read_id, read_undo_button, read_what_if_button
from bot.posting import Mark, Outcome, answer_mark, post_once
from bot.replies import estimate_text
from bot.scenarios import Where, delete_confirmed, save_what_if, undo_delete
from bot.seals import Seal
from bot.slack_lookups import post_card
from bot.work import acknowledge_work, durable
from costing import CatalogError, EstimateError
from storage import Database, ScenarioPublic, get_scenario_by_id
from storage.types import utcnow

__all__ = [
    "SHARE_EVENT",
    "adjust_estimate",
    "card_details",
    "confirm_delete",
    "estimate_details",
    "keep_scenario",
    "new_estimate",
    "post_scenario_card",
    "register",
    "save_estimate",
    "save_scenario_version",
    "share_estimate",
    "undo_scenario_delete",
]

# chat.postMessage errors after which the response_url can still post in the channel (DMs, private channels
# the bot was not invited to).
_NOT_A_MEMBER = {"not_in_channel", "channel_not_found", "restricted_action"}


def _channel_id(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


#: The metadata event type on a shared estimate: how a share whose answer was lost is found, not posted twice.
SHARE_EVENT = "costbot_share"


def share_estimate(
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    logger: logging.Logger,
    context: BoltContext | None = None,
) -> None:
    """Post the estimate in the channel for everyone, attributed to the user, and remove the private copy."""
    text = body["actions"][0]["value"]
    user = body["user"]["id"]
    try:
        estimate = estimate_text(text)
    except (EstimateError, CatalogError) as error:  # prices changed under the button since it was shown
        respond(replace_original=False, **problem_message(f"I can't share that estimate any more: {error}"))
        return
    message = estimate_message(estimate, shared_by=user)
    channel = _channel_id(body) or ""
    # The click's own id names the share: the same click carried out again finds its post.
    context = context or BoltContext()
    click = str(context.get("work_key") or body.get("trigger_id") or "")
    post = post_once(
        client,
        message,
        channel=channel,
        mark=Mark(SHARE_EVENT, {"click": click}),
        since=_clicked_at(body),
        look_first=bool(context.get("work_recovered")),
    )
    if post.outcome is Outcome.REFUSED and post.code in _NOT_A_MEMBER:
        respond(response_type="in_channel", replace_original=False, **message)
    elif post.outcome is Outcome.REFUSED:
        logger.error("share failed: team=%s channel=%s error=%s", body["team"]["id"], channel, post.error)
        respond(
            replace_original=False, **problem_message(f"Slack refused the post ({post.error}); nothing was shared.")
        )
        return
    elif post.outcome is Outcome.UNKNOWN:
        logger.warning("share unconfirmed: team=%s channel=%s %s", body["team"]["id"], channel, post.error)
        respond(
            replace_original=False,
            **problem_message(
                f"Slack didn't confirm the share ({post.error}): it may show up in the channel in a moment. "
                "Look before sharing again."
            ),
        )
        return
    if (body.get("container") or {}).get("is_ephemeral"):
        respond(delete_original=True)


def _clicked_at(body: dict[str, Any]) -> datetime:
    """When the button was clicked (Slack's `action_ts`), or now."""
    try:
        return datetime.fromtimestamp(float(body["actions"][0]["action_ts"]), UTC)
    except (KeyError, IndexError, TypeError, ValueError, OverflowError):
        return utcnow()


def adjust_estimate(body: dict[str, Any], client: WebClient, respond: Respond, seal: Seal) -> None:
    """Open the Adjust modal, prefilled with the estimate's sections; remember where to answer."""
    text = body["actions"][0]["value"]
    try:
        estimate = estimate_text(text)
    except EstimateError as error:
        respond(replace_original=False, **error_message(error, text))
        return
    except CatalogError as error:
        respond(replace_original=False, **problem_message(f"costbot's price book has a problem: {error}"))
        return
    container = body.get("container") or {}
    where = {
        "channel": _channel_id(body),
        "response_url": body.get("response_url"),
        # A private answer is replaced in place; under a public message the new answer is private to the clicker.
        "replace": bool(container.get("is_ephemeral")),
        "thread_ts": (body.get("message") or {}).get("thread_ts"),
    }
    _open_view(body, client, respond, adjust_modal(estimate, private_metadata=seal.seal(where)), "form")


def _posted_at(body: dict[str, Any]) -> datetime | None:
    """When the clicked message was posted (its `ts`), or None when Slack didn't say."""
    container = body.get("container") or {}
    try:
        return datetime.fromtimestamp(float(container.get("message_ts") or (body.get("message") or {})["ts"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def _open_view(body: dict[str, Any], client: WebClient, respond: Respond, view: dict[str, Any], what: str) -> None:
    """Open a modal on the click's trigger; when Slack refuses (the trigger lives 3 s: a busy moment can outlast
    it), say so to the clicker instead of leaving the click unanswered."""
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        respond(
            replace_original=False,
            **problem_message(f"Slack didn't open the {what} ({code or 'no answer'}); click the button again."),
        )


def estimate_details(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    """Details under an estimate or a what-if: every figure behind its headline, in a modal, costed as of when
    the message was posted; if prices have changed since, the modal says so beside what the message shows."""
    button = read_details_button(body["actions"][0].get("value") or "")
    if button is None:
        respond(replace_original=False, **problem_message("That button isn't one costbot made; nothing to show."))
        return
    posted_at = _posted_at(body)
    as_of = posted_at or utcnow()
    try:
        estimate = estimate_text(button.text, at=as_of)
    except EstimateError as error:
        respond(replace_original=False, **error_message(error, button.text))
        return
    except CatalogError as error:
        respond(replace_original=False, **problem_message(f"costbot's price book has a problem: {error}"))
        return
    footer = details_footer(estimate, as_of=as_of, posted=posted_at is not None, shown=button.shown)
    _open_view(body, client, respond, details_modal(estimate, footer=footer), "details")


def _clicked_scenario(body: dict[str, Any], respond: Respond, db: Database, *, nothing: str) -> ScenarioPublic | None:
    """The scenario a card button names, if it is this channel's; otherwise the clicker is told (`nothing`: what
    did not happen) and None. Another channel's scenario is said as not found, so its name never shows."""
    where = _where(body)
    scenario_id = read_id(body["actions"][0].get("value"))
    if scenario_id is None:
        respond(replace_original=False, **problem_message(f"That button isn't one costbot made; {nothing}."))
        return None
    with db.session(write=False) as session:
        scenario = get_scenario_by_id(session=session, team_id=where.team_id, scenario_id=scenario_id)
    if scenario is None or scenario.channel_id != where.channel_id:
        respond(replace_original=False, **problem_message("That scenario was deleted, or isn't this channel's."))
        return None
    return scenario


def card_details(body: dict[str, Any], client: WebClient, respond: Respond, db: Database) -> None:
    """Details on a scenario's card: its current version's figures, as saved, and its budget."""
    scenario = _clicked_scenario(body, respond, db, nothing="nothing to show")
    if scenario is not None:
        _open_view(body, client, respond, scenario_details_modal(scenario), "details")


def new_estimate(body: dict[str, Any], client: WebClient, seal: Seal) -> None:
    """App Home's New estimate: the estimate form, empty; its answer goes to the user's messages with costbot."""
    client.views_open(trigger_id=body["trigger_id"], view=adjust_modal(None, private_metadata=seal.seal({"dm": True})))


def _where(body: dict[str, Any], context: BoltContext | None = None) -> Where:
    return Where(
        team_id=body["team"]["id"],
        channel_id=_channel_id(body) or "",
        user_id=body["user"]["id"],
        request=(context or {}).get("work_key"),
        retried=bool((context or {}).get("work_recovered")),
    )


def save_estimate(body: dict[str, Any], client: WebClient, seal: Seal) -> None:
    """Ask for a name in a modal; the submission saves the estimate in this channel (see modals.answer_save)."""
    where = {
        "text": body["actions"][0]["value"],
        "channel": _channel_id(body),
        "response_url": body.get("response_url"),
        "thread_ts": (body.get("message") or {}).get("thread_ts"),
        "replace": False,
    }
    view = save_modal(where["text"], private_metadata=seal.seal(where))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def save_scenario_version(
    body: dict[str, Any],
    client: WebClient,
    db: Database,
    logger: logging.Logger,
    context: BoltContext | None = None,
) -> None:
    """Under a what-if in a scenario's thread: make it the scenario's next version; the card follows."""
    context = context or BoltContext()
    where = _where(body, context)
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or message.get("ts")
    button = read_what_if_button(body["actions"][0].get("value") or "")
    if button is None:
        logger.warning("what-if button with a value the bot didn't make: team=%s", where.team_id)
        refusal = problem_message("That button isn't one costbot made; nothing was saved.")
        client.chat_postEphemeral(channel=where.channel_id, user=where.user_id, thread_ts=thread_ts, **refusal)
        return
    reply = save_what_if(button.scenario_id, button.text, base=button.base, where=where, db=db, client=client)
    if reply.private:
        client.chat_postEphemeral(channel=where.channel_id, user=where.user_id, thread_ts=thread_ts, **reply.message)
        return
    # The what-if message keeps its figures; its button gives way to who saved it, so nobody saves it twice.
    blocks = [b for b in message.get("blocks", []) if b.get("block_id") != "what_if_actions"]
    try:
        client.chat_update(
            channel=where.channel_id,
            ts=message["ts"],
            text=reply.message["text"],
            blocks=[*blocks, *reply.message["blocks"]],
        )
    except (SlackApiError, OSError) as error:
        logger.info("what-if message not updated (%s); saying it in the thread", type(error).__name__)
        post_once(
            client,
            reply.message,
            channel=where.channel_id,
            thread_ts=thread_ts,
            mark=answer_mark(where.request or str(body.get("trigger_id") or "")),
            since=_clicked_at(body),
            look_first=bool(context.get("work_recovered")),
        )


def post_scenario_card(body: dict[str, Any], client: WebClient, respond: Respond, db: Database) -> None:
    """From `/cost show`, for a scenario whose card couldn't be posted when it was saved."""
    scenario = _clicked_scenario(body, respond, db, nothing="nothing was posted")
    if scenario is None:
        return
    if scenario.card_ts:
        respond(replace_original=False, **problem_message(f"{scenario.name} has its card in the channel already."))
        return
    _, post, _ = post_card(scenario, db=db, client=client, look_first=True)  # a lost answer may have posted it
    name = escape(scenario.name)
    if post.outcome is Outcome.REFUSED:
        respond(replace_original=False, **problem_message(f"I still can't post in this channel ({post.error})."))
    elif post.outcome is Outcome.UNKNOWN:
        respond(
            replace_original=False,
            **problem_message(f"Slack didn't confirm the card of *{name}* ({post.error}); it may show up in a moment."),
        )
    elif post.found:
        respond(replace_original=False, text=f"The card of *{name}* was in the channel already; I've linked it up.")
    else:
        respond(replace_original=False, text=f"Posted the card of *{name}*; its thread is the discussion.")


def confirm_delete(body: dict[str, Any], client: WebClient, respond: Respond, db: Database,
                   context: BoltContext | None = None) -> None:  # fmt: skip
    """Delete, pressed (and confirmed in Slack's dialog) under `/cost delete NAME`: the confirmation gives way
    to what was deleted, with Undo."""
    where = _where(body, context)
    scenario_id = read_id(body["actions"][0].get("value"))
    if scenario_id is None:
        respond(replace_original=False, **problem_message("That button isn't one costbot made; nothing was deleted."))
        return
    reply = delete_confirmed(scenario_id, where=where, db=db, client=client)
    respond(replace_original=not reply.problem, **reply.message)  # a problem leaves the confirmation in place


def keep_scenario(body: dict[str, Any], respond: Respond, db: Database) -> None:
    """Keep it, under `/cost delete NAME`: nothing is deleted, and the confirmation says so."""
    where = _where(body)
    scenario_id = read_id(body["actions"][0].get("value"))
    name = None
    if scenario_id is not None:
        with db.session(write=False) as session:
            scenario = get_scenario_by_id(session=session, team_id=where.team_id, scenario_id=scenario_id)
        name = scenario.name if scenario is not None and scenario.channel_id == where.channel_id else None
    respond(replace_original=True, **kept_message(name))


def undo_scenario_delete(body: dict[str, Any], client: WebClient, respond: Respond, db: Database,
                         context: BoltContext | None = None) -> None:  # fmt: skip
    """Undo, under a delete: the scenario back, and the message says so."""
    where = _where(body, context)
    button = read_undo_button(body["actions"][0].get("value") or "")
    if button is None:
        respond(replace_original=False, **problem_message("That button isn't one costbot made; nothing was restored."))
        return
    reply = undo_delete(button.deleted_id, button.scenario_id, where=where, db=db, client=client)
    respond(replace_original=not reply.problem, **reply.message)  # a problem leaves Undo in place


def register(app: App) -> None:
    app.action(SAVE_ACTION)(ack=acknowledge, lazy=[save_estimate])  # trigger_id lives 3 s: opened at once
    app.action(ADJUST_ACTION)(ack=acknowledge, lazy=[adjust_estimate])  # a modal: nothing to carry out later
    app.action(NEW_ESTIMATE_ACTION)(ack=acknowledge, lazy=[new_estimate])
    app.action(DETAILS_ACTION)(ack=acknowledge, lazy=[estimate_details])  # shows, changes nothing
    app.action(CARD_DETAILS_ACTION)(ack=acknowledge, lazy=[card_details])
    # What posts or saves is written down first (bot.work), and carried out once even after a crash.
    app.action(SHARE_ACTION)(ack=acknowledge_work(share_estimate), lazy=[durable(share_estimate)])
    app.action(SAVE_VERSION_ACTION)(ack=acknowledge_work(save_scenario_version), lazy=[durable(save_scenario_version)])
    app.action(POST_CARD_ACTION)(ack=acknowledge_work(post_scenario_card), lazy=[durable(post_scenario_card)])
    app.action(DELETE_ACTION)(ack=acknowledge_work(confirm_delete), lazy=[durable(confirm_delete)])
    app.action(UNDO_DELETE_ACTION)(ack=acknowledge_work(undo_scenario_delete), lazy=[durable(undo_scenario_delete)])
    app.action(KEEP_ACTION)(ack=acknowledge, lazy=[keep_scenario])  # changes nothing: nothing to carry out later
