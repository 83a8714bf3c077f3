"""`/cost digest on|off|now|status`: what each answers, what it stores, who may change a channel's digest.

`run_digest_command` is called as the `/cost` listener calls it, with the real Slack client on the fake (which
says every user's time zone is Europe/Berlin, and who is an admin) and a real database.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from slack_sdk import WebClient

from bot.digest_commands import run_digest_command
from bot.digests import DigestPoster
from bot.replies import Reply
from bot.scenarios import Where
from bot.scheduler import run_due_digests
from bot.slack_pace import ChannelPace
from storage import Database, DigestSubscriptionPublic, get_subscription
from tests.fakeslack import BOT_TOKEN, FakeSlack
from tests.storage.factories import AUTHOR, CHANNEL, OTHER_AUTHOR, OTHER_TEAM, TEAM, save

ALICE = Where(team_id=TEAM, channel_id=CHANNEL, user_id=AUTHOR)
BOB = Where(team_id=TEAM, channel_id=CHANNEL, user_id=OTHER_AUTHOR)
#: Alice's namesake in another workspace that happens to have a channel with the same id.
ELSEWHERE = Where(team_id=OTHER_TEAM, channel_id=CHANNEL, user_id=AUTHOR)
FRIDAY, MONDAY = 4, 0


# --- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


def _command(args: str, db: Database, client: WebClient, where: Where = ALICE, **extra: Any) -> Reply:
    """`/cost digest ARGS` typed by `where.user_id` (posts keep no pace: the fake has no rate limit)."""
    return run_digest_command(args, where=where, db=db, client=client, pace=ChannelPace(0), **extra)


def _words(reply: Reply) -> str:
    """Everything the answer says: its fallback text and every text in its blocks."""
    texts = [reply.message.get("text") or ""]
    for block in reply.message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            texts.append(block["text"]["text"])
        for part in [*block.get("fields", ()), *block.get("elements", ())]:
            texts.append(part.get("text", ""))
    return "\n".join(texts)


def _subscription(db: Database, where: Where = ALICE) -> DigestSubscriptionPublic | None:
    with db.session(write=False) as session:
        return get_subscription(session=session, team_id=where.team_id, channel_id=where.channel_id)


def _next_local(weekday: int, hour: int, minute: int, zone: str) -> datetime:
    """The next `weekday` at `hour:minute` on `zone`'s clock after now, worked out here from the calendar."""
    now = datetime.now(ZoneInfo(zone))
    day = now.date() + timedelta(days=(weekday - now.weekday()) % 7)
    at = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))
    return at if at > now else datetime.combine(day + timedelta(days=7), time(hour, minute), tzinfo=ZoneInfo(zone))


def _shown(moment: datetime) -> str:
    """A time as the answers show it: Slack's date token (each reader's own zone), falling back to the
    schedule's zone, `Fri 27 Nov 2026 at 17:30 EST`."""
    fallback = f"{moment:%a} {moment.day} {moment:%b %Y} at {moment:%H:%M %Z}"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


# --- on ------------------------------------------------------------------------------------------------------


def test_on_without_words_stores_mondays_at_nine_in_the_users_slack_time_zone(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    _command("on", db, client)

    stored = _subscription(db)
    assert stored is not None
    assert (stored.weekday, stored.at_time, stored.timezone, stored.created_by, stored.active) == (
        MONDAY, "09:00", "Europe/Berlin", AUTHOR, True,
    )  # fmt: skip


def test_on_without_words_says_the_defaults_it_took_and_when_the_first_digest_goes_out(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    reply = _command("on", sqlite_db, client)

    said = _words(reply)
    assert (
        "Taken by default: Monday (the default day), 09:00 (the default time), Europe/Berlin (your Slack time zone)."
        in said
    )
    assert f"The next one: *{_shown(_next_local(MONDAY, 9, 0, 'Europe/Berlin'))}*" in said
    assert reply.private


def test_on_with_day_time_and_zone_stores_them(db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    _command("on fri 17:30 America/New_York", db, client)

    stored = _subscription(db)
    assert stored is not None
    assert (stored.weekday, stored.at_time, stored.timezone) == (FRIDAY, "17:30", "America/New_York")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("on 25:00", "'25:00' is not a time of day: hours go from 0 to 23."),
        ("on mon 9am Mars/Olympus", "I don't know the time zone 'Mars/Olympus'."),
    ],
)
def test_on_with_words_it_cannot_read_says_the_problem_with_an_example_and_stores_nothing(
    args: str, problem: str, sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    reply = _command(args, sqlite_db, client)

    said = _words(reply)
    assert problem in said
    assert "For example: `/cost digest on mon 09:00 Europe/Berlin`" in said
    assert _subscription(sqlite_db) is None


def test_on_by_someone_else_is_refused_and_keeps_the_channels_schedule(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    _command("on", sqlite_db, client)

    reply = _command("on fri 17:30", sqlite_db, client, where=BOB)

    assert "who set up this channel's digest, or a workspace admin may reschedule it" in _words(reply)
    stored = _subscription(sqlite_db)
    assert stored is not None and (stored.weekday, stored.at_time, stored.created_by) == (MONDAY, "09:00", AUTHOR)


def test_refusal_names_the_creator_as_a_slack_mention(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """The refusal is written as `Only <@U0ALICE>, who set up …` so Slack shows who to ask; but it goes through
    `problem_message`, which escapes it to `&lt;@U0ALICE&gt;`: the person sees the raw id, not a name."""
    _command("on", sqlite_db, client)

    reply = _command("on fri 17:30", sqlite_db, client, where=BOB)

    assert f"Only <@{AUTHOR}>, who set up this channel's digest" in _words(reply)


def test_on_by_a_workspace_admin_reschedules_someone_elses_digest(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    _command("on", sqlite_db, client)
    fake_slack.admins.add(OTHER_AUTHOR)

    _command("on fri 17:30", sqlite_db, client, where=BOB)

    stored = _subscription(sqlite_db)
    assert stored is not None and (stored.weekday, stored.at_time) == (FRIDAY, "17:30")


# --- off -----------------------------------------------------------------------------------------------------


def test_off_by_someone_else_is_refused_and_the_digest_keeps_running(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    _command("on", sqlite_db, client)

    reply = _command("off", sqlite_db, client, where=BOB)

    assert "who set up this channel's digest, or a workspace admin may stop it" in _words(reply)
    stored = _subscription(sqlite_db)
    assert stored is not None and stored.active


def test_off_by_whoever_set_it_up_stops_the_digest(db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    _command("on", db, client)

    reply = _command("off", db, client)

    assert "Stopped" in _words(reply)
    stored = _subscription(db)
    assert stored is not None and not stored.active


def test_off_without_a_digest_says_there_is_none_to_stop(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    reply = _command("off", sqlite_db, client)

    assert f"<#{CHANNEL}> has no weekly digest to stop" in _words(reply)


# --- status --------------------------------------------------------------------------------------------------


def test_status_without_a_digest_says_how_to_start_one(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    reply = _command("status", sqlite_db, client)

    assert f"<#{CHANNEL}> has no weekly digest. `/cost digest on` starts one" in _words(reply)


def test_status_shows_the_schedule_and_the_next_digest_on_its_zones_clock(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    _command("on fri 17:30 America/New_York", sqlite_db, client)

    said = _words(_command("status", sqlite_db, client))

    assert "Fridays at 17:30 (America/New_York)" in said
    assert f"The next one: *{_shown(_next_local(FRIDAY, 17, 30, 'America/New_York'))}*" in said


def test_status_after_posting_failed_shows_why(sqlite_db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    save(sqlite_db, "Video launch")
    _command("on", sqlite_db, client)
    fake_slack.broken_channels[CHANNEL] = "is_archived"
    _command("now", sqlite_db, client)

    said = _words(_command("status", sqlite_db, client))

    assert "Posting here failed: the channel is archived (is_archived)" in said


def test_status_after_a_digest_was_posted_links_to_it(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(sqlite_db, "Video launch")
    _command("on", sqlite_db, client)
    _command("now", sqlite_db, client)
    (digest,) = [message for message in fake_slack.posted(CHANNEL) if not message["thread_ts"]]

    said = _words(_command("status", sqlite_db, client))

    assert f"https://fake.slack.com/archives/{CHANNEL}/p{digest['ts'].replace('.', '')}|the digest>" in said


# --- now -----------------------------------------------------------------------------------------------------


def test_now_posts_the_digest_in_the_channel_and_answers_with_its_link(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(db, "Video launch")

    reply = _command("now", db, client)

    (digest,) = [message for message in fake_slack.posted(CHANNEL) if not message["thread_ts"]]
    assert f"<https://fake.slack.com/archives/{CHANNEL}/p{digest['ts'].replace('.', '')}|" in _words(reply)


def test_now_in_a_channel_without_scenarios_tells_the_asker_and_posts_nothing(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    reply = _command("now", sqlite_db, client)

    assert reply.private and "no saved scenarios yet" in _words(reply) and "/cost save NAME" in _words(reply)
    assert fake_slack.posted(CHANNEL) == []


def test_now_in_an_archived_channel_answers_why_it_was_not_posted(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(sqlite_db, "Video launch")
    fake_slack.broken_channels[CHANNEL] = "is_archived"

    reply = _command("now", sqlite_db, client)

    assert "The digest wasn't posted: the channel is archived (is_archived)" in _words(reply)


def test_failed_digest_now_does_not_promise_a_retry_that_never_comes(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    """A failed post is worded "…; it is tried again within minutes" for every run, but only weekly runs are
    retried (`storage.runs_to_retry` selects kind "weekly"): a `digest now` that failed is never posted, while
    its answer (and `digest status` after it) says it will be."""
    save(sqlite_db, "Video launch")
    fake_slack.fail_next("chat.postMessage", status=500)

    reply = _command("now", sqlite_db, client)

    assert "tried again" not in _words(reply)


# --- help ----------------------------------------------------------------------------------------------------


def test_unknown_digest_command_says_so_and_teaches_the_commands(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    said = _words(_command("banana", sqlite_db, client))

    assert "'/cost digest banana' isn't a digest command." in said
    assert all(f"`/cost digest {command}" in said for command in ("on", "now", "status", "off"))


def test_digest_alone_teaches_the_commands(sqlite_db: Database, client: WebClient, fake_slack: FakeSlack) -> None:
    said = _words(_command("", sqlite_db, client))

    assert all(f"`/cost digest {command}" in said for command in ("on", "now", "status", "off"))


# --- workspaces ----------------------------------------------------------------------------------------------


def test_another_workspace_does_not_see_this_channels_digest(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    _command("on", db, client)

    said = _words(_command("status", db, client, where=ELSEWHERE))

    assert "has no weekly digest" in said


def test_another_workspace_cannot_stop_this_channels_digest(
    db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    _command("on", db, client)

    _command("off", db, client, where=ELSEWHERE)

    stored = _subscription(db)
    assert stored is not None and stored.active


# --- the scheduler ------------------------------------------------------------------------------------------


def _pass_at(db: Database, client: WebClient, at: datetime) -> list[tuple[str, str]]:
    """The pass the scheduler's minutely job runs, with the clock at `at` (called directly: a pass that fails
    raises here, where the job would log it and return nothing)."""
    poster = DigestPoster(db=db, client=client, team_id=TEAM, pace=ChannelPace(0))
    with time_machine.travel(at, tick=False):
        return [(o.channel_id, o.status) for o in run_due_digests(poster)]


def test_on_is_in_force_from_the_schedulers_next_pass(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(sqlite_db, "Video launch")
    _command("on fri 17:30 America/New_York", sqlite_db, client)

    friday = _next_local(FRIDAY, 17, 30, "America/New_York")
    assert _pass_at(sqlite_db, client, friday - timedelta(minutes=1)) == []
    assert _pass_at(sqlite_db, client, friday) == [(CHANNEL, "posted")]


def test_off_is_in_force_from_the_schedulers_next_pass(
    sqlite_db: Database, client: WebClient, fake_slack: FakeSlack
) -> None:
    save(sqlite_db, "Video launch")
    _command("on fri 17:30 America/New_York", sqlite_db, client)

    _command("off", sqlite_db, client)

    assert _pass_at(sqlite_db, client, _next_local(FRIDAY, 17, 30, "America/New_York")) == []
    assert fake_slack.posted(CHANNEL) == []
