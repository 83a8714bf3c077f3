"""Carrying out acknowledged work that a dead process left (`bot.work` writes it down): every replica, at
start-up and every third of the lease, renews its own claims and takes over what went unrenewed, through the
app's own listeners (Bolt's lazy-only dispatch), or gives it up and tells its user.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.observe import WORK_RECOVERED
from bot.work import LEASE, MAX_ATTEMPTS, STEPS, Outbox, tell_user, what_was_asked
from bot.workspaces import Workspaces
from storage import WorkPublic, WorkState, is_unavailable, open_work
from storage.types import utcnow

__all__ = ["WorkRecovery"]

log = logging.getLogger(__name__)


class WorkRecovery:
    """Carries out work a dead process left open, and work this one left for the database to come back: at
    start-up, then every `every` seconds (a third of the lease at most), on a thread. Each round also renews
    this process's claims.

    Args:
        app: The app whose listeners carry the work out.
        outbox: This process's outbox.
        client: The bot's Web API client (to tell a user when their work is given up).
        workspaces: With installs into many workspaces, where each workspace's client is (`bot.workspaces`);
            the user is then told with their own workspace's token.
        lease: How long another process's claim holds without being renewed.
    """

    def __init__(
        self,
        app: App,
        outbox: Outbox,
        *,
        client: WebClient,
        workspaces: Workspaces | None = None,
        every: float = 30.0,
        lease: timedelta = LEASE,
    ) -> None:
        self.app = app
        self.outbox = outbox
        self.client = client
        self.workspaces = workspaces
        self.lease = lease
        self.every = min(every, lease.total_seconds() / 3)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="costbot-recovery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.outbox.waiting.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        """A round now, then every `every` seconds; while work waits for the database, rounds come sooner (1 s,
        2 s, 4 s … up to `every`) until one finds nothing left waiting."""
        soon = 1.0
        while not self._stop.is_set():
            self.outbox.waiting.clear()
            troubled = False
            try:
                self.run_once()
            except Exception as error:
                troubled = True
                if is_unavailable(error):
                    log.warning("open work not checked: the database is unavailable (tried again shortly)")
                else:
                    log.exception("checking open work failed")
            if troubled or self.outbox.waiting.is_set():
                self._stop.wait(soon)
                soon = min(soon * 2, self.every)
                continue
            soon = 1.0
            if self.outbox.waiting.wait(self.every):  # work left for the database: give it a moment first
                self._stop.wait(soon)

    def run_once(self) -> int:
        """Renew this process's claims; carry out what dead processes left and what this one left for the
        database; the number of pieces of work taken."""
        self.outbox.finish_undone()
        self.outbox.renew()
        left = self.outbox.left_now()
        with self.outbox.db.session(write=False) as session:
            found = open_work(session=session, stale_before=utcnow() - self.lease, also=left, limit=200)
        taken = 0
        for work in found:
            if self._stop.is_set():
                break
            if not self.abandoned(work):
                continue
            taken += 1
            if work.step not in STEPS:
                self._give_up(work, why="this costbot no longer knows how")
            elif work.attempts >= MAX_ATTEMPTS and work.id not in left:
                self._give_up(work, why=f"it stopped costbot {work.attempts} times")
            elif not self._installed(work):
                self._drop_uninstalled(work)
            else:
                self._carry_out(work)
        return taken

    def abandoned(self, work: WorkPublic) -> bool:
        """Whether `work` is open for this process to take: left by it for the database, or claimed by another
        process that hasn't renewed its claim within the lease (it died, or lost the database for that long)."""
        if self.outbox.holds(work.id):
            return False
        if work.id in self.outbox.left:
            return True
        return work.claimed_by != self.outbox.me and utcnow() - work.claimed_at > self.lease

    def _carry_out(self, work: WorkPublic) -> None:
        log.info("carrying out work %s (%s) left by %s", work.id, work.step, work.claimed_by)
        request = BoltRequest(
            body=work.body or {},
            headers={"x-slack-bolt-lazy-only": "1", "x-slack-bolt-lazy-function-name": work.step},
            context={
                "work_id": work.id,
                "work_key": work.key,
                "work_attempts": work.attempts,
                "work_recovered": True,
            },
            mode="socket_mode",  # written down after its signature was checked; Bolt runs the step itself
        )
        response = self.app.dispatch(request)
        WORK_RECOVERED.labels(outcome="carried-out" if response.status == 200 else "not-yet").inc()
        if response.status != 200:
            log.warning("work %s not carried out now (%s); tried again later", work.id, response.status)

    def _installed(self, work: WorkPublic) -> bool:
        """Whether costbot is still installed in the work's workspace (always, with one bot token)."""
        team = _team_of(work.body or {})
        return self.workspaces is None or team is None or self.workspaces.client_for(team) is not None

    def _drop_uninstalled(self, work: WorkPublic) -> None:
        """Work from a workspace that uninstalled costbot since: Bolt would answer it "not installed" at every
        round without running it, so it is given up once, with no one to tell."""
        if self.outbox.claim(work.id, attempts=work.attempts) is None:
            return
        log.warning("work %s (%s) given up: costbot isn't installed in its workspace any more", work.id, work.step)
        WORK_RECOVERED.labels(outcome="given-up").inc()
        self.outbox.finish(work.id, WorkState.GAVE_UP)

    def _give_up(self, work: WorkPublic, *, why: str) -> None:
        if self.outbox.claim(work.id, attempts=work.attempts) is None:
            return
        when = work.created_at.strftime("%H:%M UTC")
        team = _team_of(work.body or {})
        client = (self.workspaces.client_for(team) if self.workspaces and team else None) or self.client
        told = tell_user(
            work.body or {},
            client,
            f"I couldn't finish {what_was_asked(work.body or {})} (asked at {when}): {why}. "
            "Nothing more will be tried; check `/cost list` for what got saved, then ask again.",
        )
        log.error("work %s (%s) given up (%s); user told: %s", work.id, work.step, why, told)
        WORK_RECOVERED.labels(outcome="given-up").inc()
        self.outbox.finish(work.id, WorkState.GAVE_UP)


def _team_of(body: dict[str, Any]) -> str | None:
    """The workspace a request came from: a command's or event's `team_id`, an interaction's `team.id`."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    return str(team) if team else None
