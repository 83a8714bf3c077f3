"""Acknowledged work is written down first, so that nothing Slack was told "got it" for dies with the process.

Every deferred listener that changes something or owes the user an answer is registered in two halves:

- its acknowledgement (`acknowledge_work`) records the request in the `work` table, then acks. A request
  recorded already (a replay, or Slack delivering an event again, to any replica) is acknowledged and not done
  again. When the database can't take it, an event is answered 503 (Slack delivers it again later) and a
  command or a click is told "the database is unavailable", so nothing is acknowledged that isn't written down;
- its deferred function (`durable`) claims the recorded work, does it, and marks it done.

A process that dies in between leaves the work open; `bot.recovery.WorkRecovery` (every replica, at start-up
and every third of the lease) claims what a dead process left and carries it out through the same listener,
as Bolt runs a lazy function on its own. The steps are written to be carried out again: a save finds the
scenario its request saved, a change the version it made, a post looks for its own message (`bot.posting`)
before posting. What can't be done after a few tries is given up, and its user told so.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.blocks import problem_message
from bot.respond import answer_privately
from storage import (
    Database,
    WorkPublic,
    WorkState,
    claim_work,
    finish_work,
    is_unavailable,
    record_work,
    renew_work,
)

__all__ = [
    "DATABASE_DOWN",
    "PROCESS",
    "RESUMING",
    "Outbox",
    "Unrecorded",
    "acknowledge_work",
    "durable",
    "tell_user",
    "what_was_asked",
    "work_key",
    "write_down",
]

log = logging.getLogger(__name__)

#: This process, as it signs the work it records and claims: host, pid, and a token new at each start (a
#: restarted container has the same host name and pid 1).
PROCESS = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"

#: What the user hears when their request couldn't be written down (it recovers by itself).
DATABASE_DOWN = (
    "The database is unavailable right now, so I couldn't do that (a change, if there was one, wasn't saved). "
    "Try again in a minute."
)
#: What the user hears when the database goes away while their recorded request is being carried out: it is
#: finished when the database is back (the steps can be carried out again), and then answered.
RESUMING = (
    "The database went away while I was doing that. Nothing is lost: I'll finish it as soon as the database is "
    "back, and tell you here."
)
#: Work claimed by another process is taken over when its claim hasn't been renewed for this long: a
#: process renews its claims every third of it (`COSTBOT_WORK_LEASE_SECONDS` sets it).
LEASE = timedelta(seconds=60)
#: After this many tries by processes that died doing it, the work is given up and its user told.
MAX_ATTEMPTS = 3
#: The steps `durable` made: work naming another (left by an older costbot) is given up, not tried forever.
STEPS: set[str] = set()


class Unrecorded(StrEnum):
    """Why a request wasn't written down: it was already (a replay, a redelivery), or the database is down."""

    REPEAT = "repeat"
    DATABASE_DOWN = "database-down"


def work_key(body: dict[str, Any]) -> str:
    """What names a request, whichever replica receives it: an event's id, else a digest of the body (a
    command or a click carries its own `trigger_id`, so two real requests never share a body)."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return f"event:{event_id[:90]}"
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"body:{digest}"


class Outbox:
    """The process's handle on the `work` table (Bolt copies what lazy listeners get: a copy of this is this).

    It keeps, in memory, the work it is doing now (`doing`: its claims are renewed, see `renew`), the work it
    did but couldn't mark done because the database went away (`undone`: marked at the next chance, never
    carried out again), and the work it stopped so that it is carried out again once the database is back
    (`left`): of its own work, only that is open for its recovery to take.
    """

    def __init__(self, db: Database, *, me: str = PROCESS) -> None:
        self.db = db
        self.me = me
        self.doing: set[int] = set()
        self.undone: set[int] = set()
        self.left: set[int] = set()
        #: Set when work is left for the database to come back: wakes the recovery.
        self.waiting = threading.Event()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> Outbox:
        return self

    def record(self, body: dict[str, Any], *, step: str) -> WorkPublic | Unrecorded:
        """Write the request down, taken by this process at once (one write less than recording, then
        claiming: the acknowledgement waits on it). Held in memory before it is committed, so that no
        recovery round can see it unheld."""
        key = work_key(body)
        team = body.get("team_id") or (body.get("team") or {}).get("id")
        kept = {k: v for k, v in body.items() if k != "token"}  # Slack's legacy verification token: not kept
        work = None
        try:
            with self.db.session() as session:
                work = record_work(
                    session=session,
                    key=key,
                    step=step,
                    body=kept,
                    team_id=str(team)[:32] if team else None,
                    by=self.me,
                    claim=True,
                )
                if work is not None:
                    self._add(self.doing, work.id)
        except Exception as error:
            if work is not None:
                self._drop(self.doing, work.id)
            if not is_unavailable(error):
                raise
            log.error("couldn't write down a request (%s): the database is unavailable", step)
            return Unrecorded.DATABASE_DOWN
        if work is None:
            log.info("a request was received again (%s); acknowledged, not done twice", step)
            return Unrecorded.REPEAT
        return work

    def claim(self, work_id: int, *, attempts: int) -> WorkPublic | None:
        """Take recorded work (None: someone else has it, or did it)."""
        with self._lock:
            self.doing.add(work_id)
            self.left.discard(work_id)
        try:
            with self.db.session() as session:
                work = claim_work(session=session, work_id=work_id, attempts=attempts, by=self.me)
        except BaseException:
            self.leave(work_id)
            raise
        if work is None:
            self._drop(self.doing, work_id)
        return work

    def leave(self, work_id: int) -> None:
        """Stop doing the work, leaving it open to be carried out again (the database went away)."""
        with self._lock:
            self.doing.discard(work_id)
            self.left.add(work_id)
        self.waiting.set()

    def finish(self, work_id: int, state: WorkState = WorkState.DONE) -> None:
        """Mark the work done, then let it go; while the database can't take that, it is remembered as done
        (and so never carried out again)."""
        try:
            with self.db.session() as session:
                finish_work(session=session, work_id=work_id, state=state)
        except Exception as error:
            with self._lock:
                self.undone.add(work_id)
                self.doing.discard(work_id)
            if is_unavailable(error):
                log.error("work %s done, but the database couldn't record it; marked done when it is back", work_id)
            else:
                log.exception("work %s done, but marking it done failed; tried again later", work_id)
            return
        with self._lock:
            self.undone.discard(work_id)
            self.doing.discard(work_id)

    def finish_undone(self) -> None:
        """Mark done what was done while the database was away."""
        with self._lock:
            undone = sorted(self.undone)
        for work_id in undone:
            self.finish(work_id)

    def renew(self) -> None:
        """Renew this process's claims on the work it is doing (or did), so no one takes it over."""
        with self._lock:
            held = sorted(self.doing | self.undone)
        if held:
            with self.db.session() as session:
                renew_work(session=session, work_ids=held, by=self.me)

    def left_now(self) -> frozenset[int]:
        """The work left for the database, as it is now."""
        with self._lock:
            return frozenset(self.left)

    def holds(self, work_id: int) -> bool:
        """Whether this process is doing the work, or did it."""
        with self._lock:
            return work_id in self.doing or work_id in self.undone

    def _add(self, ids: set[int], work_id: int) -> None:
        with self._lock:
            ids.add(work_id)

    def _drop(self, ids: set[int], work_id: int) -> None:
        with self._lock:
            ids.discard(work_id)


def _is_event(body: dict[str, Any]) -> bool:
    return body.get("type") == "event_callback"


def write_down(body: dict[str, Any], *, step: str, context: BoltContext, outbox: Outbox) -> Unrecorded | None:
    """Record the request for `durable(step)`, and tell it (through `context`) which work to claim; why not,
    when it wasn't recorded (then the deferred half does nothing, or says the database is down)."""
    recorded = outbox.record(body, step=step)
    if isinstance(recorded, Unrecorded):
        return recorded
    context["work_id"], context["work_key"], context["work_claimed"] = recorded.id, recorded.key, True
    return None


def acknowledge_work(
    step: Callable[..., None], *, worth: Callable[[dict[str, Any], BoltContext], bool] | None = None
) -> Callable[..., BoltResponse | None]:
    """The acknowledgement of a listener whose deferred function is `durable(step)`: write the request down,
    then ack.

    Args:
        worth: For events, which ones are worth writing down (`worth(event, context)`); the rest are acked only.
    """
    name = step.__name__

    def acknowledge_durably(
        ack: Ack, body: dict[str, Any], context: BoltContext, outbox: Outbox
    ) -> BoltResponse | None:
        if worth is not None and not worth(body.get("event") or {}, context):
            ack()
            return None
        if write_down(body, step=name, context=context, outbox=outbox) is Unrecorded.DATABASE_DOWN:
            if _is_event(body):  # not acknowledged as done: Slack delivers it again in a while
                recent = context.get("recent_events")
                if recent is not None and body.get("event_id"):
                    recent.forget(body["event_id"])  # and that delivery is not a repeat to skip
                return BoltResponse(status=503, body="", headers={"Retry-After": "30"})
            if "command" in body:
                ack(response_type="ephemeral", **problem_message(DATABASE_DOWN))
                return None
            context["work_unrecorded"] = True  # the deferred half tells the user
        ack()
        return None

    acknowledge_durably.__name__ = acknowledge_durably.__qualname__ = f"acknowledge_{name}"
    return acknowledge_durably


def durable(step: Callable[..., None]) -> Callable[..., None]:
    """`step` as a deferred listener that does recorded work once: claim it, do it, mark it done.

    The returned function asks Bolt for what `step` asks for, and for `context`, `outbox` and `body` besides.
    """
    wanted = inspect.signature(step).parameters
    extra = [name for name in ("context", "outbox", "body", "client") if name not in wanted]
    plain = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter(name, plain) for name in extra]
    parameters += [p.replace(kind=plain) for p in wanted.values()]

    def carry_out(**kwargs: Any) -> None:
        context: BoltContext = kwargs["context"]
        outbox: Outbox = kwargs["outbox"]
        own = {k: v for k, v in kwargs.items() if k in wanted}
        work_id = context.get("work_id")
        if work_id is None:
            if context.get("work_unrecorded"):
                tell_user(kwargs["body"], kwargs["client"], DATABASE_DOWN)
            return
        try:  # taken when it was written down; carried out again, taken now
            taken = bool(context.get("work_claimed")) or (
                outbox.claim(work_id, attempts=context["work_attempts"]) is not None
            )
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.error("work %s couldn't be claimed: the database is unavailable; it stays for later", work_id)
            return
        if not taken:
            return  # another process took it (or did it) in between
        try:
            step(**own)
        except Exception as error:
            if is_unavailable(error):  # left open: carried out again when the database is back
                log.error("%s stopped: the database is unavailable (work %s is tried again)", step.__name__, work_id)
                outbox.leave(work_id)
                return
            log.exception("%s failed (work %s); not carried out again", step.__name__, work_id)
        except BaseException:
            outbox.leave(work_id)
            raise
        outbox.finish(work_id)  # marked done before it is let go: no round can see it open and unheld

    carry_out.__name__ = step.__name__  # Bolt finds a lazy function by its name (see WorkRecovery)
    carry_out.__qualname__ = step.__qualname__
    carry_out.__doc__ = step.__doc__
    carry_out.__module__ = step.__module__
    carry_out.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    STEPS.add(step.__name__)
    return carry_out


def _where(body: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    """(channel, user, response URL, thread) of a request, as far as its body says."""
    if "command" in body:
        return body.get("channel_id"), body.get("user_id"), body.get("response_url"), None
    if _is_event(body):
        event = body.get("event") or {}
        return event.get("channel"), event.get("user"), None, event.get("thread_ts") or event.get("ts")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    urls = body.get("response_urls") or [{}]
    url = body.get("response_url") or (urls[0] or {}).get("response_url")
    return channel, (body.get("user") or {}).get("id"), url, None


def tell_user(body: dict[str, Any], client: WebClient, words: str) -> bool:
    """Say `words` privately to whoever sent the request, where they sent it; whether it got there."""
    channel, user, url, thread_ts = _where(body)
    if not user:
        return False
    return answer_privately(
        problem_message(words), response_url=url, client=client, channel=channel, user=user, thread_ts=thread_ts
    )


def what_was_asked(body: dict[str, Any]) -> str:
    """The request, as its user would recognise it (the command as typed, "your message", "what you clicked")."""
    if "command" in body:
        return f"`{body.get('command')} {body.get('text') or ''}`".replace("``", "")
    if _is_event(body):
        return "your message"
    return "what you clicked"
