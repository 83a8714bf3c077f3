"""Events: `@costbot TEXT` answers in a thread; replies in a scenario's thread are kept, what-ifs answered;
the Home tab lists the user's scenarios and digests."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import problem_message
from bot.blocks.home import HOME_SCENARIOS, home_view
from bot.listeners.acknowledge import acknowledge
from bot.posting import Outcome, answer_mark, post_once
from bot.replies import Reply
from bot.router import Place, answer, route_of
from bot.scenarios import Where, what_if
from bot.work import acknowledge_work, durable
from costing import subcommand_of
from storage import (
    Database,
    ScenarioPublic,
    ThreadReplyCreate,
    add_reply,
    count_scenarios_by_author,
    is_unavailable,
    scenario_for_thread,
    scenarios_by_author,
    subscriptions_by_creator,
)
from storage.types import utcnow

__all__ = [
    "app_home_opened",
    "app_mention",
    "direct_message",
    "is_direct_message",
    "mention_text",
    "register",
    "thread_message",
]

log = logging.getLogger(__name__)

_LEADING_MENTIONS = re.compile(r"^(?:\s*<@[A-Z0-9]+(?:\|[^>]*)?>)+\s*")
#: Message subtypes that are someone saying something (a plain message has no subtype).
_SAID = {None, "thread_broadcast", "file_share"}


def mention_text(text: str) -> str:
    """The text after the leading `@costbot` mention(s)."""
    return _LEADING_MENTIONS.sub("", text or "").strip()


def _scenario_of_thread(db: Database, team_id: str | None, event: dict[str, Any]) -> ScenarioPublic | None:
    thread_ts = event.get("thread_ts")
    if not team_id or not thread_ts or thread_ts == event.get("ts"):
        return None
    with db.session(write=False) as session:
        return scenario_for_thread(session=session, team_id=team_id, channel_id=event["channel"], thread_ts=thread_ts)


def _keep_and_answer(
    scenario: ScenarioPublic, event: dict[str, Any], text: str, db: Database
) -> tuple[bool, Reply | None]:
    """Keep the reply with its scenario: (kept now, the what-if answer when it reads as a change).

    A message kept already (the same ts, whichever event brought it) is not answered again.
    """
    answer = what_if(scenario, text, asked_by=event["user"])
    with db.session() as session:
        kept = add_reply(
            session=session,
            team_id=scenario.team_id,
            scenario_id=scenario.id,
            reply_create=ThreadReplyCreate(
                user_id=event["user"],
                ts=event["ts"],
                text=event.get("text") or "",
                is_change=answer is not None and not answer.private,
            ),
        )
    return kept, answer


def _post(reply: Reply, event: dict[str, Any], thread_ts: str | None, client: WebClient, context: BoltContext) -> None:
    """The answer (in the thread): private to the author, or public, once (marked with the request it answers)."""
    if reply.private:
        client.chat_postEphemeral(channel=event["channel"], user=event["user"], thread_ts=thread_ts, **reply.message)
        return
    request = context.get("work_key") or f"event:{event.get('ts')}"
    post = post_once(
        client,
        reply.message,
        channel=event["channel"],
        thread_ts=thread_ts,
        mark=answer_mark(request),
        since=_said_at(event),
        look_first=bool(context.get("work_recovered")),
    )
    if post.outcome is not Outcome.POSTED:
        log.warning("answer in thread not posted: channel=%s %s %s", event["channel"], post.outcome, post.error)


def _where(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> Where:
    """Who asked where, with the request being answered (a save carried out again finds its own scenario)."""
    return Where(
        team_id=body["team_id"],
        channel_id=event["channel"],
        user_id=event["user"],
        request=context.get("work_key"),
        retried=bool(context.get("work_recovered")),
    )


def _said_at(event: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(float(event["ts"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return utcnow()


def app_mention(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    db: Database,
    logger: logging.Logger,
) -> None:
    """Answer in the mention's thread; in a scenario's thread a change is answered against the scenario."""
    text = mention_text(event.get("text", ""))
    thread_ts = event.get("thread_ts") or event["ts"]
    try:
        reply = None
        command = subcommand_of(text)
        route = route_of(command)
        if route is None or not route.in_workspace:  # in a scenario's thread: kept, and perhaps a change to it
            scenario = _scenario_of_thread(db, body.get("team_id"), event)
            if scenario is not None:
                kept, reply = _keep_and_answer(scenario, event, text, db)
                if not kept and not context.get("work_recovered"):
                    return  # kept (and answered) already; carried out again, the answer is looked for first
        if reply is None:
            place = Place(where=_where(body, event, context), db=db, client=client, pace=context.get("digest_pace"))
            reply = answer(text, place, command=command, share=False, prose=True)  # public already: no Share
    except Exception as error:  # a bug of ours: logged with context; the author still hears back
        if is_unavailable(error):
            raise  # carried out again when the database is back (bot.work)
        logger.exception("mention failed: channel=%s user=%s", event.get("channel"), event.get("user"))
        reply = Reply(problem_message("Something went wrong on my side; it has been logged."), private=True)
    _post(reply, event, thread_ts, client, context)


def is_direct_message(event: dict[str, Any], context: BoltContext) -> bool:
    """A person's message to costbot in its Messages tab (not in a thread there): answered like `/cost`."""
    if event.get("channel_type") != "im" or event.get("subtype") not in _SAID or event.get("bot_id"):
        return False
    thread_ts = event.get("thread_ts")
    return bool(event.get("user")) and (not thread_ts or thread_ts == event.get("ts"))


def is_worth_answering(event: dict[str, Any], context: BoltContext) -> bool:
    """A thread reply (`thread_message` may keep it) or a direct message: worth writing down first."""
    return is_direct_message(event, context) or is_thread_reply(event, context)


def direct_message(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient, db: Database,
    logger: logging.Logger,
) -> None:  # fmt: skip
    """`video 10s x 1M users`, `help`, `prices veo` typed to costbot in its Messages tab: answered there, as
    `/cost` would answer (prose read as in a mention). Only the user and costbot are in that conversation."""
    text = mention_text(event.get("text", ""))
    try:
        command = subcommand_of(text)
        place = Place(where=_where(body, event, context), db=db, client=client, pace=context.get("digest_pace"))
        reply = answer(text, place, command=command, share=False, prose=True)
    except Exception as error:
        if is_unavailable(error):
            raise  # carried out again when the database is back (bot.work)
        logger.exception("direct message failed: user=%s", event.get("user"))
        reply = Reply(problem_message("Something went wrong on my side; it has been logged."), private=True)
    _post(dataclasses.replace(reply, private=False), event, None, client, context)  # only the two of them there


def is_thread_reply(event: dict[str, Any], context: BoltContext) -> bool:
    """A person's message in a thread, not mentioning the bot: what `thread_message` may keep (worth writing
    down before the acknowledgement; every other message is only acknowledged)."""
    if event.get("subtype") not in _SAID or event.get("bot_id") or not event.get("user"):
        return False  # edits, deletions, joins, and bots (costbot's own answers among them)
    thread_ts = event.get("thread_ts")
    if not thread_ts or thread_ts == event.get("ts"):
        return False
    if event.get("channel_type") == "im":  # Slack sends no app_mention in a DM with costbot: this is the only event
        return True
    bot_user_id = context.bot_user_id
    return not (bot_user_id and f"<@{bot_user_id}" in (event.get("text") or ""))  # app_mention answers those


def thread_message(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    db: Database,
    logger: logging.Logger,
) -> None:
    """A message in a scenario's thread: kept with the scenario; a change (`what if 2M users`) is answered. A
    direct message to costbot is answered (`direct_message`)."""
    if is_direct_message(event, context):
        direct_message(body, event, context, client, db, logger)
        return
    if not is_thread_reply(event, context):
        return
    scenario = _scenario_of_thread(db, body.get("team_id"), event)
    if scenario is None:
        return
    try:
        text = event.get("text") or ""
        if event.get("channel_type") == "im":  # `@costbot what if 2M users` in a card's thread in a DM
            text = mention_text(text)
        kept, reply = _keep_and_answer(scenario, event, text, db)
    except Exception as error:
        if is_unavailable(error):
            raise  # carried out again when the database is back (bot.work)
        logger.exception("thread reply failed: channel=%s user=%s", event.get("channel"), event.get("user"))
        return
    if (kept or context.get("work_recovered")) and reply is not None:
        _post(reply, event, event["thread_ts"], client, context)


def app_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient, db: Database) -> None:
    """The Home tab: the user's scenarios (newest first) and the channel digests they set up."""
    if event.get("tab") != "home":
        return
    team_id, user_id = body["team_id"], event["user"]
    with db.session(write=False) as session:
        scenarios = scenarios_by_author(session=session, team_id=team_id, author_id=user_id, limit=HOME_SCENARIOS)
        total = count_scenarios_by_author(session=session, team_id=team_id, author_id=user_id)
        subscriptions = subscriptions_by_creator(session=session, team_id=team_id, user_id=user_id, stopped=True)
    client.views_publish(user_id=user_id, view=home_view(scenarios, subscriptions, total=total))


def register(app: App) -> None:
    # Mentions and thread replies are written down first (bot.work): a crash loses none, a redelivery to any
    # replica does none twice. Opening the Home tab only redraws it: nothing to carry out later.
    app.event("app_mention")(ack=acknowledge_work(app_mention), lazy=[durable(app_mention)])
    app.event("message")(ack=acknowledge_work(thread_message, worth=is_worth_answering), lazy=[durable(thread_message)])
    app.event("app_home_opened")(ack=acknowledge, lazy=[app_home_opened])
