"""Events: `@costbot TEXT` answers in a thread; replies in a scenario's thread are kept, what-ifs answered;
the Home tab lists the user's scenarios and digests."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import problem_message
from bot.blocks.home import HOME_SCENARIOS, home_view
from bot.dedupe import EventClaims
from bot.listeners.acknowledge import acknowledge
from bot.replies import Reply
from bot.router import Place, answer, route_of
from bot.scenarios import Where, what_if
from costing import subcommand_of
from storage import (
    Database,
    ScenarioPublic,
    ThreadReplyCreate,
    add_reply,
    count_scenarios_by_author,
    scenario_for_thread,
    scenarios_by_author,
    subscriptions_by_creator,
)

__all__ = ["app_home_opened", "app_mention", "mention_text", "register", "thread_message"]

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


def _post(reply: Reply, event: dict[str, Any], thread_ts: str, client: WebClient) -> None:
    if reply.private:
        client.chat_postEphemeral(channel=event["channel"], user=event["user"], thread_ts=thread_ts, **reply.message)
        return
    client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, unfurl_links=False, **reply.message)


def app_mention(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    db: Database,
    event_claims: EventClaims,
    logger: logging.Logger,
) -> None:
    """Answer in the mention's thread; in a scenario's thread a change is answered against the scenario."""
    if not event_claims.first(body):
        return  # another replica has it
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
                if not kept:
                    return
        if reply is None:
            where = Where(team_id=body["team_id"], channel_id=event["channel"], user_id=event["user"])
            place = Place(where=where, db=db, client=client, pace=context.get("digest_pace"))
            reply = answer(text, place, command=command, share=False)  # the answer is public already
    except Exception:  # a bug of ours: logged with context; the author still hears back
        logger.exception("mention failed: channel=%s user=%s", event.get("channel"), event.get("user"))
        reply = Reply(problem_message("Something went wrong on my side; it has been logged."), private=True)
    _post(reply, event, thread_ts, client)


def thread_message(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    db: Database,
    event_claims: EventClaims,
    logger: logging.Logger,
) -> None:
    """A message in a scenario's thread: kept with the scenario; a change (`what if 2M users`) is answered."""
    if event.get("subtype") not in _SAID or event.get("bot_id") or not event.get("user"):
        return  # edits, deletions, joins, and bots (costbot's own answers among them)
    text = event.get("text") or ""
    bot_user_id = context.bot_user_id
    if bot_user_id and f"<@{bot_user_id}" in text:
        return  # app_mention answers it (and keeps it)
    scenario = _scenario_of_thread(db, body.get("team_id"), event)
    if scenario is None or not event_claims.first(body):
        return
    try:
        kept, reply = _keep_and_answer(scenario, event, text, db)
    except Exception:
        logger.exception("thread reply failed: channel=%s user=%s", event.get("channel"), event.get("user"))
        return
    if kept and reply is not None:
        _post(reply, event, event["thread_ts"], client)


def app_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient, db: Database) -> None:
    """The Home tab: the user's scenarios (newest first) and the channel digests they set up."""
    if event.get("tab") != "home":
        return
    team_id, user_id = body["team_id"], event["user"]
    with db.session(write=False) as session:
        scenarios = scenarios_by_author(session=session, team_id=team_id, author_id=user_id, limit=HOME_SCENARIOS)
        total = count_scenarios_by_author(session=session, team_id=team_id, author_id=user_id)
        subscriptions = subscriptions_by_creator(session=session, team_id=team_id, user_id=user_id)
    client.views_publish(user_id=user_id, view=home_view(scenarios, subscriptions, total=total))


def register(app: App) -> None:
    app.event("app_mention")(ack=acknowledge, lazy=[app_mention])
    app.event("message")(ack=acknowledge, lazy=[thread_message])
    app.event("app_home_opened")(ack=acknowledge, lazy=[app_home_opened])
