"""Posting a channel's digest to Slack exactly once: claim, build, post, then the chart and the rest in its thread.

A weekly digest is claimed in the database before anything is posted (one row per channel and ISO week), so
replicas, a cron `costbot digest run` and the catch-up after a restart never post it twice. The main message
carries Slack message metadata naming its run: a run whose post failed (or whose process died mid-post) is
retried later, and the retry first looks for that metadata in the channel's history, so a post that did reach
Slack is recorded rather than repeated. For the same reason the main post is never retried blindly on a 5xx
or a dropped connection (Slack may have posted it); only 429s, which mean "not done", are retried at once,
after Retry-After.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.digest import digest_messages
from bot.chart import spend_value_chart
from bot.posting import Mark, find_marked, is_unclear
from bot.slack_pace import ChannelPace, digest_client
from costing import CatalogError, Digest, build_digest, current_catalog
from storage import (
    Database,
    DigestRunPublic,
    DigestSubscriptionPublic,
    RunKind,
    claim_run,
    fail_run,
    finish_run,
    previous_figures,
    reclaim_run,
    record_channel_problem,
    scenarios_for_digest,
    week_run,
)

__all__ = [
    "CHANNEL_PROBLEMS",
    "METADATA_EVENT",
    "DigestPoster",
    "Outcome",
    "OutcomeStatus",
    "heading_for",
]

log = logging.getLogger(__name__)

#: The event type of the metadata on every digest's main message: how a retry finds a post that got through.
METADATA_EVENT = "costbot_digest"
#: Slack errors that mean the channel itself can't take the digest (not a passing fault): recorded for the
#: channel and shown in `digest status` and App Home, so someone can invite the bot back or stop the digest.
CHANNEL_PROBLEMS = {
    "channel_not_found": "the channel can't be found (deleted, or private without costbot in it)",
    "is_archived": "the channel is archived",
    "not_in_channel": "costbot isn't in the channel: /invite @costbot there",
    "restricted_action": "the channel doesn't let costbot post (posting is restricted)",
    "restricted_action_read_only_channel": "the channel is read-only for costbot",
    "restricted_action_thread_only_channel": "the channel only takes thread replies",
    "ekm_access_denied": "the channel's keys deny access",
    "team_access_not_granted": "costbot isn't granted access to the channel's workspace",
    "missing_scope": "costbot's Slack app is missing a permission (reinstall it from the manifest)",
    "access_denied": "Slack denied costbot access to the channel",
}


#: What happened to a digest in a pass: posted, skipped (another process has it), or failed.
OutcomeStatus = Literal["posted", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one channel's digest in a pass."""

    channel_id: str
    status: OutcomeStatus
    detail: str
    run: DigestRunPublic | None = None
    permalink: str | None = None


def heading_for(run: DigestRunPublic, *, zone_day: date | None = None) -> str:
    """`Weekly AI spend vs value · week 48 (23–29 Nov 2026)`, or `AI spend vs value · 25 Nov 2026` on request."""
    if run.kind is RunKind.WEEKLY and run.week:
        year, _, week = run.week.partition("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        sunday = monday + timedelta(days=6)
        first = f"{monday.day} {monday:%b}" if monday.month != sunday.month else str(monday.day)
        if monday.year != sunday.year:
            first += f" {monday.year}"
        return f"Weekly AI spend vs value · week {int(week)} ({first}–{sunday.day} {sunday:%b %Y})"
    day = zone_day or run.due_at.date()
    return f"AI spend vs value · {day.day} {day:%b %Y} (on request)"


def _claimer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _slack_error(error: Exception) -> tuple[str, bool]:
    """The error as words for status and logs, and whether the channel itself is the problem."""
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or "unknown_error")
        if code in CHANNEL_PROBLEMS:
            return f"{CHANNEL_PROBLEMS[code]} ({code})", True
        if code == "ratelimited":
            return "Slack kept answering 'rate limited'", False
        return f"Slack said {code}", False
    return f"couldn't reach Slack ({type(error).__name__})", False


class DigestPoster:
    """Posts digests for one workspace; every method returns an `Outcome` and never raises for Slack's faults.

    Args:
        db: The database (subscriptions, runs, scenarios).
        client: The bot's Web API client; the poster makes its own that retries only rate limits.
        team_id: The workspace the bot token belongs to.
        pace: The per-channel pace shared by everything that posts digests in this process.
    """

    def __init__(
        self,
        *,
        db: Database,
        client: WebClient,
        team_id: str,
        pace: ChannelPace | None = None,
        claimed_by: str | None = None,
    ) -> None:
        self.db = db
        self.client = digest_client(client)
        self.team_id = team_id
        self.pace = pace or ChannelPace()
        self.claimed_by = claimed_by or _claimer()

    # --- the three ways a digest gets posted --------------------------------------------------------------

    def post_weekly(self, subscription: DigestSubscriptionPublic, *, week: str, due_at: datetime) -> Outcome:
        """The channel's digest for `week`, unless it is claimed already (posted, or being posted elsewhere)."""
        channel = subscription.channel_id
        with self.db.session(write=False) as session:
            # Looked up first: the minute's pass asks about every due digest for a day, and a refused insert
            # each time would fill PostgreSQL's log with unique-key errors. The insert below still decides races.
            claimed = week_run(session=session, team_id=self.team_id, channel_id=channel, week=week)
        run = self._claim(channel, RunKind.WEEKLY, week=week, due_at=due_at) if claimed is None else None
        if run is None:
            return Outcome(channel, "skipped", f"the {week} digest is claimed already")
        return self._publish(run)

    def post_now(self, *, channel_id: str, now: datetime | None = None, zone: str | None = None) -> Outcome:
        """`/cost digest now`: the channel's digest at once, outside the weekly count.

        Args:
            zone: The IANA zone whose date heads the digest (the channel's digest's, or the asker's); UTC if None.
        """
        now = now or datetime.now(UTC)
        try:
            day = now.astimezone(ZoneInfo(zone)).date() if zone else now.date()
        except (ZoneInfoNotFoundError, ValueError):
            day = now.date()
        run = self._claim(channel_id, RunKind.NOW, week=None, due_at=now)
        assert run is not None, "runs without a week never clash"
        return self._publish(run, day=day)

    def _claim(self, channel: str, kind: RunKind, *, week: str | None, due_at: datetime) -> DigestRunPublic | None:
        """This process's claim on the channel's run, in its own unit of work; None when it is claimed already."""
        with self.db.session() as session:
            return claim_run(
                session=session,
                team_id=self.team_id,
                channel_id=channel,
                kind=kind,
                week=week,
                due_at=due_at,
                claimed_by=self.claimed_by,
            )

    def retry(self, run: DigestRunPublic) -> Outcome:
        """Another try at a failed or abandoned weekly run: recorded if its message reached Slack, else posted."""
        with self.db.session() as session:
            mine = reclaim_run(session=session, run_id=run.id, attempts=run.attempts, claimed_by=self.claimed_by)
        if mine is None:
            return Outcome(run.channel_id, "skipped", "another process took this retry")
        try:
            found = self._find_posted(mine)
        except (SlackApiError, OSError) as error:
            return self._failed(mine, error)
        if found is not None:
            return self._recover(mine, found)
        return self._publish(mine)

    def _recover(self, run: DigestRunPublic, ts: str) -> Outcome:
        """The run's message reached Slack though its answer didn't reach us: record it, and post its thread (the
        chart and the full list) unless that got there too."""
        channel = run.channel_id
        digest = self._build(run)
        permalink = self._permalink(channel, ts)
        with self.db.session() as session:
            finish_run(
                session=session,
                run_id=run.id,
                message_ts=ts,
                permalink=permalink,
                figures=digest.snapshot() if isinstance(digest, Digest) else None,
            )
            record_channel_problem(session=session, team_id=self.team_id, channel_id=channel, error=None)
        problems = []
        if isinstance(digest, Digest):
            try:
                replied = self._has_replies(channel, ts)
            except (SlackApiError, OSError) as error:
                replied, problems = True, [f"its thread couldn't be checked: {_slack_error(error)[0]}"]
            if not replied:
                heading = heading_for(run)
                rest = digest_messages(digest, channel_id=channel, heading=heading)[1:]
                problems = self._thread(run, digest, rest, ts, heading)
        if problems:
            with self.db.session() as session:
                finish_run(
                    session=session,
                    run_id=run.id,
                    message_ts=ts,
                    permalink=permalink,
                    figures=None,
                    error="; ".join(problems),
                )
        log.info("digest %s for %s had reached Slack (ts %s); recorded, not posted again", run.week, channel, ts)
        return Outcome(channel, "posted", "found in the channel; not posted again", run, permalink)

    def _has_replies(self, channel: str, ts: str) -> bool:
        page = self.client.conversations_replies(channel=channel, ts=ts, limit=2)
        return any(m.get("ts") != ts for m in page.get("messages") or [])

    # --- the work ---------------------------------------------------------------------------------------------

    def _build(self, run: DigestRunPublic) -> Digest | str:
        try:
            catalog = current_catalog()
        except CatalogError as error:
            return f"costbot's price book has a problem ({error})"
        with self.db.session(write=False) as session:
            scenarios = scenarios_for_digest(session=session, team_id=run.team_id, channel_id=run.channel_id)
            previous = previous_figures(
                session=session, team_id=run.team_id, channel_id=run.channel_id, before=run.due_at
            )
        return build_digest(scenarios, catalog=catalog, at=run.due_at, previous=previous)

    def _publish(self, run: DigestRunPublic, *, day: date | None = None) -> Outcome:
        try:
            return self._post(run, day)
        except Exception:  # a bug of ours: the run must not read "being posted" forever; then it propagates
            with self.db.session() as session:
                fail_run(session=session, run_id=run.id, error="an error on costbot's side (logged)")
            raise

    def _post(self, run: DigestRunPublic, day: date | None) -> Outcome:
        channel = run.channel_id
        digest = self._build(run)
        if isinstance(digest, str):
            with self.db.session() as session:
                fail_run(session=session, run_id=run.id, error=digest)
            return Outcome(channel, "failed", digest, run)
        heading = heading_for(run, zone_day=day)
        messages = digest_messages(digest, channel_id=channel, heading=heading)
        main = messages[0]
        metadata = {
            "event_type": METADATA_EVENT,
            "event_payload": {"run_id": run.id, "kind": run.kind, "week": run.week or ""},
        }
        try:
            self.pace.wait(channel)
            response = self.client.chat_postMessage(
                channel=channel,
                text=main["text"],
                blocks=main["blocks"],
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        except (SlackApiError, OSError) as error:
            if is_unclear(error):  # a 5xx, a timeout, a dropped answer: it may be in the channel all the same
                try:
                    found = self._find_posted(run)
                except (SlackApiError, OSError):
                    found = None
                if found is not None:
                    return self._recover(run, found)
            return self._failed(run, error)
        ts = str(response["ts"])
        permalink = self._permalink(channel, ts)
        with self.db.session() as session:
            finish_run(session=session, run_id=run.id, message_ts=ts, permalink=permalink, figures=digest.snapshot())
            record_channel_problem(session=session, team_id=self.team_id, channel_id=channel, error=None)
        problems = self._thread(run, digest, messages[1:], ts, heading)
        if problems:
            with self.db.session() as session:
                finish_run(
                    session=session,
                    run_id=run.id,
                    message_ts=ts,
                    permalink=permalink,
                    figures=None,
                    error="; ".join(problems),
                )
        detail = "posted" + (f" ({'; '.join(problems)})" if problems else "")
        log.info(
            "digest %s posted to %s (ts %s)%s",
            run.week or "on request",
            channel,
            ts,
            f"; {'; '.join(problems)}" if problems else "",
        )
        return Outcome(channel, "posted", detail, run, permalink)

    def _thread(
        self, run: DigestRunPublic, digest: Digest, rest: list[dict[str, Any]], ts: str, heading: str
    ) -> list[str]:
        """The chart and the continuation messages, in the digest's thread; what failed, in words."""
        channel = run.channel_id
        problems = []
        try:
            png = spend_value_chart(digest, title=heading)
        except Exception:  # a chart bug must not lose the digest that is already posted
            log.exception("digest chart failed: team=%s channel=%s run=%s", run.team_id, channel, run.id)
            png = None
            problems.append("the chart couldn't be drawn")
        if png is not None:
            try:
                self.pace.wait(channel)
                self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=ts,
                    content=png,
                    filename=f"costbot-digest-{run.week or 'now'}.png",
                    title="Spend vs value per week",
                    alt_txt="Bar chart of each scenario's weekly API spend, GPU compute cost and value",
                )
            except (SlackApiError, OSError) as error:
                problems.append(f"chart not uploaded: {_slack_error(error)[0]}")
        for message in rest:
            try:
                self.pace.wait(channel)
                self.client.chat_postMessage(
                    channel=channel, thread_ts=ts, text=message["text"], blocks=message["blocks"], unfurl_links=False
                )
            except (SlackApiError, OSError) as error:
                problems.append(f"the rest of the list wasn't posted: {_slack_error(error)[0]}")
                break
        return problems

    def _failed(self, run: DigestRunPublic, error: Exception) -> Outcome:
        words, channel_problem = _slack_error(error)
        with self.db.session() as session:
            fail_run(session=session, run_id=run.id, error=words)
            if channel_problem:
                record_channel_problem(session=session, team_id=self.team_id, channel_id=run.channel_id, error=words)
        log.warning("digest %s for %s not posted: %s", run.week or "on request", run.channel_id, words)
        if not channel_problem:  # weekly runs are retried; a `digest now` is the user's to ask again
            words += "; it is tried again within minutes" if run.kind is RunKind.WEEKLY else "; try again in a moment"
        return Outcome(run.channel_id, "failed", words, run)

    def _find_posted(self, run: DigestRunPublic) -> str | None:
        """The ts of the run's message if it is in the channel (its metadata names the run), else None."""
        # A digest is posted minutes after it is due: ten pages reach back far enough.
        since = min(run.due_at, run.claimed_at) - timedelta(minutes=3)
        mark = Mark(METADATA_EVENT, {"run_id": run.id})
        return find_marked(self.client, channel=run.channel_id, mark=mark, since=since, pages=10)

    def _permalink(self, channel: str, ts: str) -> str | None:
        try:
            return str(self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        except (SlackApiError, OSError, KeyError):
            return None  # the digest is posted; status shows it without a link
