"""`/cost digest on|off|now|status`: a channel's weekly digest, set up, stopped, posted at once or looked at.

Who may change a running digest: whoever set it up, or a workspace admin (anyone may start one where there is
none, post one now, or ask for the status). The scheduler reads the database every minute, so a change made
here is in force from the next minute in every process.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from slack_sdk import WebClient

from bot.blocks import problem_message
from bot.blocks.parts import section
from bot.blocks.subscription import digest_help, digest_off_message, digest_on_message, digest_status_message
from bot.digests import DigestPoster
from bot.replies import Reply
from bot.scenarios import Where
from bot.scheduler import schedule_of
from bot.slack_lookups import is_workspace_admin, slack_user
from bot.slack_pace import ChannelPace
from costing import ScheduleError, next_due, parse_schedule, still_retried, week_of
from storage import (
    Database,
    DigestRunPublic,
    DigestSubscriptionCreate,
    DigestSubscriptionPublic,
    RunKind,
    RunStatus,
    count_channel_scenarios,
    get_subscription,
    last_run,
    subscribe,
    unsubscribe,
    week_run,
)

__all__ = ["run_digest_command"]


def _problem(text: str) -> Reply:
    return Reply(problem_message(text), private=True)


def _refusal(current: DigestSubscriptionPublic, doing: str) -> Reply:
    # Not a problem_message: that escapes its text, and the creator must read as a mention, not as "<@U…>".
    text = (
        f":no_entry: Only <@{current.created_by}>, who set up this channel's digest, or a workspace admin may "
        f"{doing} it. `/cost digest now` posts one for you right away."
    )
    message = {"text": f"Only the digest's creator or an admin may {doing} it", "blocks": [section(text)]}
    return Reply(message, private=True)


def _next_at(db: Database, subscription: DigestSubscriptionPublic) -> tuple[datetime | None, bool]:
    """When the next digest really goes out, and whether this week's is out already (one per week: a digest
    moved from Monday to Friday after Monday's went out comes next week)."""
    schedule = schedule_of(subscription)
    at = next_due(schedule, datetime.now(UTC))
    week = week_of(schedule, at)
    with db.session(write=False) as session:
        done = week_run(session=session, team_id=subscription.team_id, channel_id=subscription.channel_id, week=week)
    if done is None:
        return at, False
    return next_due(schedule, at.astimezone(UTC) + timedelta(seconds=1)), True


def _on(args: str, where: Where, db: Database, client: WebClient) -> Reply:
    user = slack_user(client, where.user_id)
    try:
        schedule = parse_schedule(args, default_timezone=(user or {}).get("tz"))
    except ScheduleError as error:
        example = f" For example: `{error.example}`" if getattr(error, "example", None) else ""
        return _problem(f"{error}{example}")
    with db.session(write=False) as session:
        current = get_subscription(session=session, team_id=where.team_id, channel_id=where.channel_id)
        count = count_channel_scenarios(session=session, team_id=where.team_id, channel_id=where.channel_id)
    if current is not None and current.active and current.created_by != where.user_id and not is_workspace_admin(user):
        return _refusal(current, "reschedule")
    try:
        wanted = DigestSubscriptionCreate(
            team_id=where.team_id,
            channel_id=where.channel_id,
            created_by=where.user_id,
            weekday=schedule.weekday,
            at_time=schedule.at_time,
            timezone=schedule.timezone,
        )
    except ValidationError:
        return _problem("Slack sent this command from somewhere I can't keep a digest for.")
    with db.session() as session:
        saved = subscribe(session=session, subscription=wanted)
    next_at, week_done = _next_at(db, saved)
    message = digest_on_message(
        saved, next_at=next_at, week_done=week_done, assumed=schedule.assumed, replaced=current, scenario_count=count
    )
    return Reply(message, private=True)


def _off(where: Where, db: Database, client: WebClient) -> Reply:
    with db.session(write=False) as session:
        current = get_subscription(session=session, team_id=where.team_id, channel_id=where.channel_id)
    mine = current is None or not current.active or current.created_by == where.user_id
    if not mine and not is_workspace_admin(slack_user(client, where.user_id)):
        return _refusal(current, "stop")  # type: ignore[arg-type]
    with db.session() as session:
        stopped = unsubscribe(session=session, team_id=where.team_id, channel_id=where.channel_id)
    return Reply(digest_off_message(stopped, channel_id=where.channel_id), private=True)


def _now(where: Where, db: Database, client: WebClient, pace: ChannelPace) -> Reply:
    with db.session(write=False) as session:
        saved = count_channel_scenarios(session=session, team_id=where.team_id, channel_id=where.channel_id)
        current = get_subscription(session=session, team_id=where.team_id, channel_id=where.channel_id)
    if not saved:  # nothing to weigh: said to the asker, not posted to everyone
        return _problem(
            "This channel has no saved scenarios yet, so its digest would be empty. Save one first: "
            "/cost save NAME video 10s x 1M users per day"
        )
    poster = DigestPoster(db=db, client=client, team_id=where.team_id, pace=pace)
    # Dated on the channel's clock (its digest's zone), else the asker's.
    zone = current.timezone if current is not None else (slack_user(client, where.user_id) or {}).get("tz")
    outcome = poster.post_now(channel_id=where.channel_id, zone=zone)
    if outcome.status == "posted":
        link = f"<{outcome.permalink}|It's in the channel>" if outcome.permalink else "It's in the channel"
        text = f":white_check_mark: Posted this channel's digest. {link}; the weekly count is unchanged."
        return Reply({"text": "Digest posted", "blocks": [section(text)]}, private=True)
    return _problem(f"The digest wasn't posted: {outcome.detail}.")


def _will_retry(run: DigestRunPublic | None, subscription: DigestSubscriptionPublic | None) -> bool:
    """The scheduler will try this failed weekly run again (the rule is `costing.due.still_retried`)."""
    return (
        run is not None
        and run.status is RunStatus.FAILED
        and run.kind is RunKind.WEEKLY
        and subscription is not None
        and subscription.active
        and still_retried(attempts=run.attempts, due=run.due_at, now=datetime.now(UTC))
    )


def _status(where: Where, db: Database) -> Reply:
    with db.session(write=False) as session:
        current = get_subscription(session=session, team_id=where.team_id, channel_id=where.channel_id)
        last = last_run(session=session, team_id=where.team_id, channel_id=where.channel_id)
        posted = last_run(session=session, team_id=where.team_id, channel_id=where.channel_id, posted=True)
    next_at = _next_at(db, current)[0] if current is not None and current.active else None
    message = digest_status_message(
        current,
        channel_id=where.channel_id,
        next_at=next_at,
        last=last,
        last_posted=posted,
        retrying=_will_retry(last, current),
    )
    return Reply(message, private=True)


def run_digest_command(
    args: str, *, where: Where, db: Database, client: WebClient, pace: ChannelPace | None = None
) -> Reply:
    """Answer `/cost digest ARGS` for the user in `where`.

    Args:
        args: What follows `digest`: `on [day HH:MM] [zone]`, `off`, `now`, `status`.
        pace: The process's per-channel pace for digest posts.
    """
    action, _, rest = args.strip().partition(" ")
    action = action.lower()
    if action in {"on", "start", "weekly"}:
        return _on(rest, where, db, client)
    if action in {"off", "stop"}:
        return _off(where, db, client)
    if action == "now":
        return _now(where, db, client, pace or ChannelPace())
    if action in {"status", ""} and not rest:
        return _status(where, db) if action else Reply(digest_help(), private=True)
    if action in {"help", "?"}:
        return Reply(digest_help(), private=True)
    return Reply(digest_help(f"'/cost digest {args.strip()}' isn't a digest command."), private=True)
