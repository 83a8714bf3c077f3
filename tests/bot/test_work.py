"""bot.work: acknowledged work is written down before the ack, done once, carried out after a crash, and refused
(not acknowledged as done) while the database is down. The real Bolt app behind the gate answers signed
requests through the fake Slack; "a dead process" is work recorded under another process's name."""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from bot.app import create_app
from bot.config import Settings
from bot.posting import answer_mark
from bot.recovery import WorkRecovery
from bot.server import wsgi_app
from bot.slack_lookups import card_mark
from bot.work import MAX_ATTEMPTS, Outbox, work_key
from storage import (
    Database,
    ScenarioCreate,
    ThreadReplyCreate,
    add_reply,
    claim_work,
    get_scenario,
    open_work,
    record_work,
    save_scenario,
    upgrade,
)
from tests.bot.wsgi import JSON_TYPE, call
from tests.fakeslack import (
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    command_body,
    event_body,
    message_event,
    sign,
)
from tests.storage.factories import estimate
from tests.timing import until

CHANNEL = "C0GENERAL"
SAVE = "save plan video 10s x 1M users"
#: A process that died (its claims are never renewed).
DEAD = f"{socket.gethostname()[:60]}:999999:dead"


@pytest.fixture
def outbox(sqlite_db: Database) -> Outbox:
    return Outbox(sqlite_db)


@pytest.fixture
def bolt(http_settings: Settings, sqlite_db: Database, outbox: Outbox) -> App:
    return create_app(http_settings, db=sqlite_db, outbox=outbox)


def recovery(bolt: App, outbox: Outbox, *, lease: timedelta = timedelta(0)) -> WorkRecovery:
    """This process's recovery; with no lease, another process's claim counts as stale at once (it died)."""
    return WorkRecovery(bolt, outbox, client=bolt.client, lease=lease)


def parsed(raw: bytes) -> dict[str, Any]:
    """A command's body as Bolt parses it (and as it is written down)."""
    return dict(urllib.parse.parse_qsl(raw.decode()))


def left_by(
    db: Database, body: dict[str, Any], *, by: str = DEAD, step: str = "scenario_command", tries: int = 0
) -> int:
    """Work recorded (and tried `tries` times) by a process that then died."""
    with db.session() as session:
        work = record_work(session=session, key=work_key(body), step=step, body=body, team_id=TEAM, by=by)
        assert work is not None
        for attempt in range(tries):
            claim_work(session=session, work_id=work.id, attempts=attempt, by=by)
    return work.id


def still_open(db: Database) -> list[Any]:
    with db.session(write=False) as session:
        return open_work(session=session)


def answers(fake_slack: FakeSlack) -> str:
    return json.dumps([c.body for c in fake_slack.responses()])


def test_work_is_named_by_its_event_id_or_its_whole_body() -> None:
    assert work_key({"event_id": "Ev1", "event": {"text": "a"}}) == work_key({"event_id": "Ev1", "event": {}})
    one, other = parsed(command_body(SAVE, response_url="u")), parsed(command_body(SAVE, response_url="u"))
    assert work_key(one) != work_key(other)  # each command has its own trigger_id
    assert work_key(one) == work_key(dict(reversed(one.items())))


# --- the acknowledgement writes it down --------------------------------------------------------------------------


def test_a_command_is_written_down_done_and_closed(bolt: App, sqlite_db: Database, fake_slack: FakeSlack) -> None:
    body = command_body(SAVE, response_url=fake_slack.response_url("save"))
    status, _ = call(wsgi_app(bolt, signing_secret=SIGNING_SECRET), body, headers=sign(body))
    assert status == 200
    fake_slack.wait_for_responses(1)
    assert "Saved *plan* (v1)" in answers(fake_slack)
    until(lambda: not still_open(sqlite_db), what="the work is done")


def test_the_same_request_reaching_two_replicas_is_done_once(
    http_settings: Settings, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    """Each replica's gate remembers only what it saw: the work table is what they share."""
    replicas = [
        wsgi_app(
            create_app(http_settings, db=sqlite_db, outbox=Outbox(sqlite_db, me=me)), signing_secret=SIGNING_SECRET
        )
        for me in ("host-a:1:aa", "host-b:1:bb")
    ]
    body = command_body(SAVE, response_url=fake_slack.response_url("save"))
    headers = sign(body)
    assert [call(replica, body, headers=headers)[0] for replica in replicas] == [200, 200]
    fake_slack.wait_for_responses(1)
    until(lambda: not still_open(sqlite_db), what="the work is done")
    assert len(fake_slack.responses()) == 1
    assert len([m for m in fake_slack.posted(CHANNEL) if not m["thread_ts"]]) == 1


def test_while_the_database_is_down_a_command_is_told_and_an_event_is_not_acknowledged(
    http_settings: Settings, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    gone = Database(f"sqlite:///{tmp_path / 'missing' / 'costbot.db'}")
    app = wsgi_app(create_app(http_settings, db=gone), signing_secret=SIGNING_SECRET)
    body = command_body(SAVE, response_url=fake_slack.response_url("save"))
    status, answer = call(app, body, headers=sign(body))
    assert status == 200 and "The database is unavailable right now" in answer.decode()

    event = event_body(message_event("what if 2M users", ts="1700000050.000200", thread_ts="1700000001.000100"))
    status, _ = call(app, event, headers=sign(event), content_type=JSON_TYPE)
    assert status == 503  # Slack delivers it again later: it wasn't written down, so it isn't acknowledged
    assert fake_slack.api_calls("chat.postMessage") == []


def test_messages_that_are_not_thread_replies_are_not_written_down(
    bolt: App, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    event = event_body(message_event("hello all", ts="1700000050.000300"))
    assert (
        call(wsgi_app(bolt, signing_secret=SIGNING_SECRET), event, headers=sign(event), content_type=JSON_TYPE)[0]
        == 200
    )
    assert still_open(sqlite_db) == []
    with sqlite_db.session(write=False) as session:
        assert session.exec(_count_work()).one() == 0


def _count_work() -> Any:
    from sqlmodel import func, select

    from storage.models import Work

    return select(func.count()).select_from(Work)


# --- after a crash ------------------------------------------------------------------------------------------------


def test_work_a_dead_process_acknowledged_is_carried_out_once(
    bolt: App, outbox: Outbox, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    body = parsed(command_body(SAVE, response_url=fake_slack.response_url("save")))
    left_by(sqlite_db, body)

    assert recovery(bolt, outbox).run_once() == 1
    assert recovery(bolt, outbox).run_once() == 0  # done: nothing left

    assert "Saved *plan* (v1)" in answers(fake_slack) and len(fake_slack.responses()) == 1
    assert len(fake_slack.posted(CHANNEL)) == 1
    assert still_open(sqlite_db) == []


def _saved_by(db: Database, body: dict[str, Any]) -> Any:
    """The scenario the request saved before its process died (its card not posted, or not recorded)."""
    create = ScenarioCreate(
        team_id=TEAM, channel_id=CHANNEL, name="plan", author_id="U0ALICE", text="video 10s x 1M users",
        estimate=estimate("video 10s x 1M users"), origin=work_key(body),
    )  # fmt: skip
    with db.session() as session:
        return save_scenario(session=session, scenario_create=create)


@pytest.mark.parametrize("card_posted", [False, True], ids=["card not posted", "card posted, not recorded"])
def test_a_save_half_done_is_finished_not_refused_as_taken(
    bolt: App, outbox: Outbox, sqlite_db: Database, fake_slack: FakeSlack, card_posted: bool
) -> None:
    body = parsed(command_body(SAVE, response_url=fake_slack.response_url("save")))
    scenario = _saved_by(sqlite_db, body)
    if card_posted:
        bolt.client.chat_postMessage(channel=CHANNEL, text="card", metadata=card_mark(scenario).metadata())
    left_by(sqlite_db, body, tries=1)

    recovery(bolt, outbox).run_once()

    assert "Saved *plan* (v1)" in answers(fake_slack) and "already" not in answers(fake_slack)
    (card,) = [m for m in fake_slack.posted(CHANNEL) if not m["thread_ts"]]
    with sqlite_db.session(write=False) as session:
        stored = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="plan")
    assert stored is not None and stored.card_ts == card["ts"]


def test_work_that_keeps_stopping_its_process_is_given_up_and_its_user_told(
    bolt: App, outbox: Outbox, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    body = parsed(command_body(SAVE, response_url=fake_slack.response_url("save")))
    left_by(sqlite_db, body, tries=MAX_ATTEMPTS)

    recovery(bolt, outbox).run_once()

    assert "I couldn't finish `/cost save plan video 10s x 1M users`" in answers(fake_slack)
    assert f"it stopped costbot {MAX_ATTEMPTS} times" in answers(fake_slack)
    assert fake_slack.posted(CHANNEL) == [] and still_open(sqlite_db) == []
    with sqlite_db.session(write=False) as session:
        assert get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="plan") is None


def test_work_from_a_workspace_that_uninstalled_costbot_since_is_given_up_once_and_no_one_told(
    bolt: App, outbox: Outbox, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    from slack_sdk import WebClient

    from bot.installs import Installs
    from tests.fakeslack import CLIENT_ID, CLIENT_SECRET, STATE_SECRET

    installs = Installs(sqlite_db, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, state_secret=STATE_SECRET,
                        client=WebClient(base_url=fake_slack.api_url))  # fmt: skip
    body = parsed(command_body(SAVE, response_url=fake_slack.response_url("save")))  # from TEAM: not installed
    left_by(sqlite_db, body)

    taking = WorkRecovery(bolt, outbox, client=bolt.client, workspaces=installs, lease=timedelta(0))
    assert taking.run_once() == 1
    assert taking.run_once() == 0  # given up for good: not taken again every round

    assert still_open(sqlite_db) == [] and fake_slack.responses() == [] and fake_slack.posted(CHANNEL) == []
    with sqlite_db.session(write=False) as session:
        assert get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="plan") is None


def test_work_held_by_a_live_process_is_left_to_it(
    bolt: App, outbox: Outbox, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    body = parsed(command_body(SAVE, response_url=fake_slack.response_url("save")))
    left_by(sqlite_db, body, by=f"{socket.gethostname()[:60]}:1:live")  # same host and pid 1: another container
    left_by(sqlite_db, {**body, "trigger_id": "other"}, by="another-host:7:x")

    assert recovery(bolt, outbox, lease=timedelta(minutes=1)).run_once() == 0
    assert fake_slack.calls == [] and len(still_open(sqlite_db)) == 2


@pytest.mark.parametrize("answered", [False, True], ids=["kept, not answered", "kept and answered"])
def test_a_thread_reply_left_half_done_is_answered_once(
    bolt: App, outbox: Outbox, sqlite_db: Database, fake_slack: FakeSlack, answered: bool
) -> None:
    """Killed after the reply was kept (and perhaps answered), before the work was marked done: carried out
    again, it answers unless its answer is in the thread already (found by its mark): one answer either way."""
    save = parsed(command_body(SAVE, response_url=fake_slack.response_url("save")))
    left_by(sqlite_db, save)
    recovery(bolt, outbox).run_once()
    card = fake_slack.posted(CHANNEL)[0]["ts"]
    raw = event_body(message_event("what if 2M users", ts="1700000060.000100", thread_ts=card))
    event = json.loads(raw)
    left_by(sqlite_db, event, step="thread_message", tries=1)
    with sqlite_db.session() as session:
        scenario = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="plan")
        assert scenario is not None
        reply = ThreadReplyCreate(user_id="U0BOB", ts="1700000060.000100", text="what if 2M users", is_change=True)
        add_reply(session=session, team_id=TEAM, scenario_id=scenario.id, reply_create=reply)
    if answered:
        bolt.client.chat_postMessage(channel=CHANNEL, thread_ts=card, text="2M users: …",
                                     metadata=answer_mark(work_key(event)).metadata())  # fmt: skip

    status, _ = call(wsgi_app(bolt, signing_secret=SIGNING_SECRET), raw, headers=sign(raw), content_type=JSON_TYPE)
    assert status == 200  # Slack delivering it again: written down already, so acknowledged and not done here
    recovery(bolt, outbox).run_once()

    assert len([m for m in fake_slack.posted(CHANNEL) if m["thread_ts"] == card]) == 1
    assert still_open(sqlite_db) == []


def test_an_event_refused_while_the_database_was_down_is_done_when_slack_delivers_it_again(
    http_settings: Settings, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """The same process, the same event id: its first delivery was answered 503, so the second is no repeat."""
    path = tmp_path / "later" / "costbot.db"
    db = Database(f"sqlite:///{path}")
    app = wsgi_app(create_app(http_settings, db=db), signing_secret=SIGNING_SECRET)
    raw = event_body({"type": "app_mention", "user": "U0ALICE", "text": "<@U0BOT> video 10s", "ts": "1.5",
                      "channel": CHANNEL}, event_id="EvLATER")  # fmt: skip
    assert call(app, raw, headers=sign(raw), content_type=JSON_TYPE)[0] == 503
    path.parent.mkdir()
    upgrade(db)  # the database is back
    again = sign(raw, timestamp=int(time.time()) + 1)  # Slack's redelivery: the same body, signed anew
    assert call(app, raw, headers=again, content_type=JSON_TYPE)[0] == 200
    fake_slack.wait_for_api("chat.postMessage")
    until(lambda: not still_open(db), what="the mention's work is done")


def test_work_for_a_step_this_costbot_does_not_know_is_given_up_and_its_user_told(
    bolt: App, outbox: Outbox, sqlite_db: Database, fake_slack: FakeSlack
) -> None:
    body = parsed(command_body(SAVE, response_url=fake_slack.response_url("old")))
    left_by(sqlite_db, body, step="a_step_of_an_older_costbot")

    recovery(bolt, outbox).run_once()

    assert "this costbot no longer knows how" in answers(fake_slack) and still_open(sqlite_db) == []


# --- who may take what ------------------------------------------------------------------------------------------


def _one_open(db: Database) -> Any:
    (work,) = still_open(db)
    return work


def test_a_process_takes_its_own_work_only_when_it_left_it_for_the_database(
    bolt: App, outbox: Outbox, sqlite_db: Database
) -> None:
    recorded = outbox.record(parsed(command_body(SAVE, response_url="u")), step="scenario_command")
    assert not isinstance(recorded, str)
    rounds = recovery(bolt, outbox)
    assert not rounds.abandoned(_one_open(sqlite_db))  # held while it is being done
    outbox.leave(recorded.id)
    assert rounds.abandoned(_one_open(sqlite_db))  # left for the database: carried out again
    outbox.claim(recorded.id, attempts=1)
    assert not rounds.abandoned(_one_open(sqlite_db))


def test_another_process_s_work_is_taken_only_once_its_claim_goes_unrenewed(bolt: App, sqlite_db: Database) -> None:
    theirs, ours = Outbox(sqlite_db, me="other-host:1:aa"), Outbox(sqlite_db, me="this-host:1:bb")
    recorded = theirs.record(parsed(command_body(SAVE, response_url="u")), step="scenario_command")
    assert not isinstance(recorded, str)
    lease = timedelta(seconds=2)
    assert not recovery(bolt, ours, lease=lease).abandoned(_one_open(sqlite_db))
    time.sleep(1.2)
    theirs.renew()  # still at it: renewed
    time.sleep(1.2)
    assert not recovery(bolt, ours, lease=lease).abandoned(_one_open(sqlite_db))
    time.sleep(1.0)  # it died: no renewal for the whole lease
    assert recovery(bolt, ours, lease=lease).abandoned(_one_open(sqlite_db))


def test_work_done_while_the_database_is_away_is_marked_done_later_never_done_again(
    bolt: App, outbox: Outbox, sqlite_db: Database, tmp_path: Path
) -> None:
    recorded = outbox.record(parsed(command_body(SAVE, response_url="u")), step="scenario_command")
    assert not isinstance(recorded, str)
    outbox.db = Database(f"sqlite:///{tmp_path / 'gone' / 'costbot.db'}")  # the database goes away
    outbox.finish(recorded.id)
    assert outbox.holds(recorded.id) and not recovery(bolt, outbox).abandoned(_one_open(sqlite_db))
    outbox.db = sqlite_db  # and comes back
    recovery(bolt, outbox).run_once()
    assert still_open(sqlite_db) == [] and not outbox.holds(recorded.id)


def test_the_legacy_verification_token_is_not_written_down(outbox: Outbox, sqlite_db: Database) -> None:
    body = parsed(command_body(SAVE, response_url="u"))
    assert body["token"]
    outbox.record(body, step="scenario_command")
    assert "token" not in (_one_open(sqlite_db).body or {})
