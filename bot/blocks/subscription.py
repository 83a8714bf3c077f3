"""`/cost digest on|off|now|status` answers: what was set up, when the next digest goes out, what went wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.mrkdwn import escape
from bot.blocks.parts import context, section
from costing import DAY_NAMES
from storage import DigestRunPublic, DigestSubscriptionPublic, RunKind, RunStatus

__all__ = [
    "DIGEST_USAGE",
    "digest_help",
    "digest_off_message",
    "digest_on_message",
    "digest_status_message",
    "schedule_text",
]

DIGEST_USAGE = (
    "*Weekly digests* — every week, this channel's saved scenarios: spend against value, budgets, what changed.\n"
    "• `/cost digest on` — Mondays at 09:00 in your Slack time zone\n"
    "• `/cost digest on fri 16:30 Europe/London` — your day, time and IANA time zone\n"
    "• `/cost digest now` — this channel's digest right away (next week's still comes)\n"
    "• `/cost digest status` — when the next one goes out, and the last one\n"
    "• `/cost digest off` — stop it"
)


def schedule_text(subscription: DigestSubscriptionPublic) -> str:
    """`Mondays at 09:00 (Europe/Berlin)`."""
    return f"{DAY_NAMES[subscription.weekday]}s at {subscription.at_time} ({escape(subscription.timezone)})"


def _when(moment: datetime, zone: str) -> str:
    """A moment as Slack shows it to each reader, in their own time zone; the fallback (notifications, old
    clients) is in the schedule's zone: `Mon 7 Dec 2026 at 09:00 CET`."""
    local = moment.astimezone(ZoneInfo(zone))
    fallback = f"{local:%a} {local.day} {local:%b %Y} at {local:%H:%M %Z}"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def digest_help(problem: str | None = None) -> dict[str, Any]:
    """How the digest commands work, after what was wrong with the last one when there was something."""
    blocks = []
    if problem:
        blocks.append(section(f":warning: {escape(problem)}"))
    blocks.append(section(DIGEST_USAGE))
    return {"text": escape(problem) if problem else "Weekly digests: /cost digest on|off|now|status", "blocks": blocks}


def digest_on_message(
    subscription: DigestSubscriptionPublic,
    *,
    next_at: datetime | None,
    assumed: tuple[str, ...] = (),
    replaced: DigestSubscriptionPublic | None = None,
    scenario_count: int = 0,
    week_done: bool = False,
) -> dict[str, Any]:
    """The confirmation of `/cost digest on`: the schedule, the next digest, and what was taken by default."""
    channel = f"<#{subscription.channel_id}>"
    text = f":calendar: {channel} gets a weekly spend-versus-value digest *{schedule_text(subscription)}*."
    if replaced is not None and replaced.active:
        text += f" (It was {schedule_text(replaced)}.)"
    if next_at is not None:
        done = " (this week's digest is out already; one a week)" if week_done else ""
        text += f"\nThe next one: *{_when(next_at, subscription.timezone)}*{done}."
    blocks = [section(text)]
    if scenario_count == 0:
        blocks.append(
            section(
                "This channel has no saved scenarios yet, so the digest would be empty: save one with "
                "`/cost save NAME video 10s x 1M users per day`."
            )
        )
    notes = []
    if assumed:
        notes.append("Taken by default: " + ", ".join(escape(a) for a in assumed) + ".")
    notes.append("`/cost digest now` posts one right away · `/cost digest status` · `/cost digest off` stops it")
    blocks.append(context(" ".join(notes)))
    return {"text": f"Weekly digest: {schedule_text(subscription)}", "blocks": blocks}


def digest_off_message(subscription: DigestSubscriptionPublic | None, *, channel_id: str) -> dict[str, Any]:
    """The answer to `/cost digest off`: stopped (what it was), or there was none."""
    if subscription is None:
        text = f"<#{channel_id}> has no weekly digest to stop. `/cost digest on` starts one."
        return {"text": "No weekly digest here", "blocks": [section(text)]}
    text = (
        f":octagonal_sign: Stopped <#{channel_id}>'s weekly digest (it was {schedule_text(subscription)}). "
        "The saved scenarios stay; `/cost digest on` starts it again."
    )
    return {"text": "Weekly digest stopped", "blocks": [section(text)]}


def _run_line(run: DigestRunPublic, zone: str, *, retrying: bool = False) -> str:
    what = f"week {run.week.partition('-W')[2].lstrip('0')}" if run.week else "on request"
    when = _when(run.posted_at or run.due_at, zone)
    if run.status is RunStatus.POSTED:
        link = f"<{run.permalink}|the digest>" if run.permalink else "the digest"
        line = f"The last one: {link} ({what}), posted {when}."
        if run.error:
            line += f" Not everything went into its thread: {escape(run.error)}."
        return line
    if run.status is RunStatus.FAILED:
        line = f":warning: The last one ({what}, due {when}) wasn't posted: {escape(run.error or 'unknown error')}."
        if run.kind is RunKind.WEEKLY:
            line += (
                " It is tried again shortly." if retrying else " It won't be tried again; `/cost digest now` posts one."
            )
        return line
    return f"The digest for {what} is being posted (claimed {_when(run.claimed_at, zone)})."


def digest_status_message(
    subscription: DigestSubscriptionPublic | None,
    *,
    channel_id: str,
    next_at: datetime | None,
    last: DigestRunPublic | None,
    last_posted: DigestRunPublic | None,
    retrying: bool = False,
) -> dict[str, Any]:
    """`/cost digest status`: the schedule and the next digest, the last one (linked), a channel problem.

    Args:
        retrying: The last run failed and the scheduler will try it again.
    """
    zone = subscription.timezone if subscription is not None else "UTC"
    lines = []
    if subscription is None or not subscription.active:
        lines.append(
            f"<#{channel_id}> has no weekly digest. `/cost digest on` starts one (Mondays at 09:00 by default)."
        )
    else:
        lines.append(
            f":calendar: <#{channel_id}>'s weekly digest: *{schedule_text(subscription)}*, set up by "
            f"<@{subscription.created_by}>."
        )
        if next_at is not None:
            lines.append(f"The next one: *{_when(next_at, zone)}*.")
        if subscription.last_error:
            lines.append(
                f":rotating_light: Posting here failed: {escape(subscription.last_error)}. The digest is "
                "skipped until that is fixed (the next attempt tries again)."
            )
    if last is not None:
        lines.append(_run_line(last, zone, retrying=retrying))
        if last.status is not RunStatus.POSTED and last_posted is not None:
            lines.append(_run_line(last_posted, zone))
    elif subscription is not None and subscription.active:
        lines.append("No digest has been posted here yet.")
    return {"text": lines[0].replace("*", ""), "blocks": [section("\n".join(lines))]}
