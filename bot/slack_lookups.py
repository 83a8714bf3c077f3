"""What costbot asks Slack, and the scenario card it keeps in a channel: users and whether they are admins,
permalinks, joining a channel, posting and updating the card. Each call that Slack may refuse answers with what
it could find out (None, False, a reason), never with an exception.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.scenarios import scenario_card
from bot.posting import Mark, Outcome, Post, post_once
from storage import Database, ScenarioPublic, get_scenario_by_id, set_card

__all__ = [
    "CARD_EVENT",
    "card_mark",
    "is_workspace_admin",
    "join_channel",
    "permalink",
    "post_card",
    "slack_user",
    "update_card",
]

log = logging.getLogger(__name__)


def slack_user(client: WebClient, user_id: str) -> dict[str, Any] | None:
    """The user as Slack describes them (`users.info`); None when Slack can't say."""
    try:
        return client.users_info(user=user_id)["user"]  # type: ignore[no-any-return]
    except (SlackApiError, OSError):
        return None


def is_workspace_admin(user: dict[str, Any] | None) -> bool:
    """An admin or owner of the workspace (who may change what others made)."""
    return bool(user and (user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")))


#: The metadata event type on every scenario card: how a post whose answer was lost is found again.
CARD_EVENT = "costbot_card"


def card_mark(scenario: ScenarioPublic) -> Mark:
    return Mark(CARD_EVENT, {"scenario_id": scenario.id})


def post_card(
    scenario: ScenarioPublic, *, db: Database, client: WebClient, look_first: bool = False
) -> tuple[ScenarioPublic, Post, str]:
    """Post the scenario's card in its channel, once, and remember it.

    Args:
        look_first: The card may be there already (an earlier try's answer was lost): find it before posting.

    Returns:
        The scenario (with its card when it is posted), what became of the post, and a caveat for the user when
        it was posted (the bot can't hear the thread).
    """
    private, member = join_channel(client, scenario.channel_id)
    post = post_once(
        client,
        scenario_card(scenario),
        channel=scenario.channel_id,
        mark=card_mark(scenario),
        since=scenario.created_at,
        look_first=look_first,
    )
    if post.outcome is not Outcome.POSTED:
        log.info("card not posted: team=%s channel=%s %s", scenario.team_id, scenario.channel_id, post.error)
    link = permalink(client, scenario.channel_id, post.ts) if post.ts else None
    with db.session() as session:  # still worth knowing unposted: App Home must not show a private channel's figures
        set_card(
            session=session,
            team_id=scenario.team_id,
            scenario_id=scenario.id,
            card_ts=post.ts,
            permalink=link,
            channel_private=private,
        )
        updated = get_scenario_by_id(session=session, team_id=scenario.team_id, scenario_id=scenario.id)
    caveat = (
        "" if member else "I'm not a member of this channel, so I won't hear replies in its thread: /invite @costbot"
    )
    return updated or scenario, post, caveat


def permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except (SlackApiError, OSError):
        return None


def join_channel(client: WebClient, channel: str) -> tuple[bool, bool]:
    """Whether the channel is private, and whether the bot is (now) a member.

    Slack delivers a thread's replies only to members; `chat:write.public` lets a card be posted in a public
    channel without being one, so the bot joins it first. Private channels, group DMs and DMs keep their
    scenarios to themselves; when Slack can't say, the channel is taken as private.
    """
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError:
        return True, True  # unknown: private for safety; posting will tell whether we may
    private = bool(info.get("is_private") or info.get("is_im") or info.get("is_mpim"))
    member = bool(info.get("is_member", True) or info.get("is_im"))
    if not private and not member:
        try:
            client.conversations_join(channel=channel)
            member = True
        except SlackApiError as error:
            log.info("could not join channel=%s error=%s", channel, error.response.get("error"))
    return private, member


def update_card(scenario: ScenarioPublic, message: dict[str, Any], client: WebClient) -> None:
    if not scenario.card_ts:
        return
    try:
        client.chat_update(channel=scenario.channel_id, ts=scenario.card_ts, **message)
    except SlackApiError as error:  # the card was deleted by hand, or the bot left: the data is still right
        log.info("card not updated: scenario=%s error=%s", scenario.id, error.response.get("error"))
