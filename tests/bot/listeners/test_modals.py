from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.blocks import adjust_modal, save_modal
from bot.listeners.modals import answer_adjusted, answer_save, check_adjusted, check_save
from bot.replies import estimate_text
from bot.scenarios import Where, save_named
from bot.seals import Seal
from bot.work import Outbox, durable
from storage import Database
from tests.bot.listeners.conftest import Recorder
from tests.fakeslack import SIGNING_SECRET, TEAM, FakeSlack

#: The app's seal on the forms it opens (keyed by the signing secret, as `create_app` keys it).
SEAL = Seal(SIGNING_SECRET)


def submitted(where: dict, **fields: str) -> tuple[dict, dict]:
    view = adjust_modal(estimate_text("video 10s x 1M users"), private_metadata=SEAL.seal(where))
    values = {f"adjust_{name}": {"text": {"value": value}} for name, value in fields.items()}
    values["adjust_period"] = {"choice": {"selected_option": {"value": "week"}}}
    return {"user": {"id": "U0ALICE"}}, {**view, "state": {"values": values}}


def test_a_valid_form_closes_and_answers_through_the_response_url(
    ack: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    where = {"channel": "C1", "response_url": fake_slack.response_url("x"), "replace": True}
    body, view = submitted(where, workload="image high", counts="x 7")
    check_adjusted(ack=ack, view=view)
    answer_adjusted(body=body, view=view, client=client, seal=SEAL, logger=logger)

    assert ack.calls == [{}]
    answer = fake_slack.responses()[0].body
    assert answer["replace_original"] is True and "7 × " in answer["text"] and "per week" in answer["text"]


def test_an_expired_response_url_falls_back_to_an_ephemeral_message(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    where = {"channel": "C1", "response_url": fake_slack.response_url("expired1"), "replace": False}
    body, view = submitted(where, workload="video 10s")
    answer_adjusted(body=body, view=view, client=client, seal=SEAL, logger=logger)

    ephemeral = fake_slack.api_calls("chat.postEphemeral")[0].body
    assert ephemeral["channel"] == "C1" and ephemeral["user"] == "U0ALICE"
    assert "per week" in ephemeral["text"]


def test_a_new_estimate_from_app_home_is_answered_in_the_users_messages_with_costbot(
    ack: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    view = adjust_modal(None, private_metadata=SEAL.seal({"dm": True}))
    assert view["title"]["text"] == "New estimate"
    assert all("initial_value" not in b["element"] for b in view["blocks"] if b["element"]["type"] != "static_select")
    values = {"adjust_workload": {"text": {"value": "image high"}}, "adjust_counts": {"text": {"value": "x 7"}},
              "adjust_period": {"choice": {"selected_option": {"value": "week"}}}}  # fmt: skip
    filled = {**view, "state": {"values": values}}
    check_adjusted(ack=ack, view=filled)
    answer_adjusted(body={"user": {"id": "U0ALICE"}}, view=filled, client=client, seal=SEAL, logger=logger)
    assert ack.calls == [{}]
    (posted,) = fake_slack.api_calls("chat.postMessage")
    assert posted.body["channel"] == "U0ALICE" and "7 × " in posted.body["text"]  # the app's messages with Alice
    assert fake_slack.api_calls("chat.postEphemeral") == []


def test_a_field_that_does_not_parse_gets_the_error_and_the_modal_stays(
    ack: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    body, view = submitted({"channel": "C1"}, workload="video 10s", model="veo-3.1-fsat")
    check_adjusted(ack=ack, view=view)
    answer_adjusted(body=body, view=view, client=client, seal=SEAL, logger=logger)  # runs anyway; must not answer

    answer = ack.only
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["adjust_model"]
    assert "veo-3.1-fast" in answer["errors"]["adjust_model"]
    assert fake_slack.calls == []


def save_submitted(name: str, fake_slack: FakeSlack) -> tuple[dict, dict]:
    where = {"text": "video 10s x 1M users", "channel": "C0GENERAL", "response_url": fake_slack.response_url("sv"),
             "replace": False}  # fmt: skip
    view = save_modal(where["text"], private_metadata=SEAL.seal(where))
    body = {"user": {"id": "U0ALICE"}, "team": {"id": TEAM}}
    return body, {**view, "state": {"values": {"scenario_name": {"name": {"value": name}}}}}


@pytest.mark.parametrize(
    ("name", "problem"), [("", "Give the scenario a name."), ("-x", "starts with a letter"), ("Plan", "already")]
)
def test_the_save_form_stays_open_with_the_problem_on_the_name(
    name: str, problem: str, ack: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger,
    sqlite_db: Database, outbox: Outbox,
) -> None:  # fmt: skip
    save_named("plan", "image", where=Where(TEAM, "C0GENERAL", "U0BOB"), db=sqlite_db, client=client)
    body, view = save_submitted(name, fake_slack)
    context = BoltContext()
    check_save(ack=ack, body=body, view=view, context=context, db=sqlite_db, seal=SEAL, outbox=outbox)
    assert ack.only["response_action"] == "errors" and problem in ack.only["errors"]["scenario_name"]
    save_carried_out(body, view, context, client, sqlite_db, logger, outbox)
    assert fake_slack.responses() == []  # the form said it; nothing more is sent


def save_carried_out(body: dict, view: dict, context: BoltContext, client: WebClient, db: Database,
              logger: logging.Logger, outbox: Outbox) -> None:  # fmt: skip
    """The Save form's deferred half, as Bolt runs it after `check_save`."""
    durable(answer_save)(body=body, view=view, context=context, client=client, db=db, seal=SEAL, logger=logger,
                         outbox=outbox)  # fmt: skip


def test_a_good_name_closes_the_form_and_saves(
    ack: Recorder, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database,
    outbox: Outbox,
) -> None:  # fmt: skip
    body, view = save_submitted("launch", fake_slack)
    context = BoltContext()
    check_save(ack=ack, body=body, view=view, context=context, db=sqlite_db, seal=SEAL, outbox=outbox)
    assert ack.only == {}
    save_carried_out(body, view, context, client, sqlite_db, logger, outbox)
    assert "Saved *launch* (v1)" in json.dumps(fake_slack.responses()[0].body)


def test_a_submission_received_twice_saves_once_and_answers_once(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database, outbox: Outbox
) -> None:
    body, view = save_submitted("launch", fake_slack)
    acks = []
    for _ in range(2):  # a replay: the same signed submission again (or on another replica)
        context, ack = BoltContext(), Recorder()
        check_save(ack=ack, body=body, view=view, context=context, db=sqlite_db, seal=SEAL, outbox=outbox)
        save_carried_out(body, view, context, client, sqlite_db, logger, outbox)
        acks.append(ack.only)
    assert acks[0] == {}
    assert len(fake_slack.responses()) == 1 and len(fake_slack.api_calls("chat.postMessage")) == 1


def test_a_submission_the_database_cannot_take_keeps_the_form_open_and_says_so(
    ack: Recorder, fake_slack: FakeSlack, sqlite_db: Database, tmp_path: Path
) -> None:
    gone = Database(f"sqlite:///{tmp_path / 'missing' / 'costbot.db'}")  # a directory that isn't there
    body, view = save_submitted("launch", fake_slack)
    check_save(ack=ack, body=body, view=view, context=BoltContext(), db=sqlite_db, seal=SEAL, outbox=Outbox(gone))
    assert ack.only["response_action"] == "errors"
    assert "database is unavailable" in ack.only["errors"]["scenario_name"]
    assert fake_slack.calls == []
