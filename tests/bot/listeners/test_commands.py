from __future__ import annotations

import json
import logging

import pytest
from slack_sdk import WebClient

from bot.listeners.commands import cost_command, is_scenario_command, scenario_command
from bot.notes import EstimateNotes
from bot.slack_pace import ChannelPace
from costing import use_price_book
from storage import Database, last_estimate
from tests.bot.listeners.conftest import Recorder
from tests.fakeslack import FakeSlack


@pytest.fixture
def notes(sqlite_db: Database) -> EstimateNotes:
    return EstimateNotes(sqlite_db)


def command(text: str) -> dict[str, str]:
    return {"command": "/cost", "text": text, "team_id": "T0TEAM1", "channel_id": "C0GENERAL", "user_id": "U0ALICE"}


def test_an_estimate_is_sent_with_the_ack_for_the_asker_only(
    ack: Recorder, logger: logging.Logger, notes: EstimateNotes
) -> None:
    cost_command(ack=ack, command=command("image x 50k per day"), estimate_notes=notes, logger=logger)
    answer = ack.only
    assert answer["response_type"] == "ephemeral"
    assert "per day" in answer["text"] and answer["blocks"][0]["type"] == "section"


def test_a_bare_cost_teaches_the_language(ack: Recorder, logger: logging.Logger, notes: EstimateNotes) -> None:
    cost_command(ack=ack, command=command(""), estimate_notes=notes, logger=logger)
    assert ack.only["response_type"] == "ephemeral"
    assert "`/cost video 10s x 1M users`" in json.dumps(ack.only["blocks"])


def test_a_broken_price_book_is_reported_not_raised(
    ack: Recorder, logger: logging.Logger, tmp_path, monkeypatch, notes: EstimateNotes
) -> None:
    book = tmp_path / "prices.yaml"
    book.write_text("- id: [unclosed\n")
    use_price_book(str(book))
    cost_command(ack=ack, command=command("video 10s"), estimate_notes=notes, logger=logger)
    assert "price book has a problem" in ack.only["text"]


def test_an_estimate_becomes_the_users_last_one_in_the_channel(
    ack: Recorder, logger: logging.Logger, notes: EstimateNotes, sqlite_db: Database
) -> None:
    for text in ("image   x 3", "x banana", "help"):  # neither an error nor a subcommand is noted
        cost_command(ack=ack, command=command(text), estimate_notes=notes, logger=logger)
    assert notes.last(team_id="T0TEAM1", channel_id="C0GENERAL", user_id="U0ALICE") == "image   x 3"
    notes.flush()  # and in the database, for other replicas and restarts
    with sqlite_db.session(write=False) as session:
        text = last_estimate(session=session, team_id="T0TEAM1", channel_id="C0GENERAL", user_id="U0ALICE")
    assert text == "image   x 3"


def test_scenario_commands_are_told_apart_from_estimates() -> None:
    assert is_scenario_command(command("save launch video 10s"))
    assert is_scenario_command(command("LIST"))
    assert not is_scenario_command(command("video 10s"))
    assert not is_scenario_command(command("value $0.05 each video 10s"))  # an estimate that starts with its value
    assert is_scenario_command(command("digest on"))  # answered after the ack too: it reads the database


def _list_command(fake_slack: FakeSlack, url: str) -> dict[str, str]:
    return {**command("list"), "response_url": url}


def _run(body: dict[str, str], client: WebClient, logger: logging.Logger, db: Database) -> None:
    scenario_command(command=body, client=client, db=db, estimate_notes=EstimateNotes(db), digest_pace=ChannelPace(),
                     logger=logger)  # fmt: skip


def test_a_scenario_command_answers_through_the_response_url(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    _run(_list_command(fake_slack, fake_slack.response_url("r1")), client, logger, sqlite_db)
    (answer,) = fake_slack.responses()
    assert answer.body["response_type"] == "ephemeral" and "No saved scenarios" in answer.body["text"]


def test_a_response_url_that_answers_500_is_tried_again(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    fake_slack.fail_next("r2", status=500)
    _run(_list_command(fake_slack, fake_slack.response_url("r2")), client, logger, sqlite_db)
    assert len(fake_slack.responses()) == 2 and fake_slack.api_calls("chat.postEphemeral") == []


def test_a_response_url_that_keeps_failing_leaves_the_answer_as_an_ephemeral_message(
    client: WebClient, fake_slack: FakeSlack, logger: logging.Logger, sqlite_db: Database
) -> None:
    for _ in range(3):
        fake_slack.fail_next("r3", status=503)
    _run(_list_command(fake_slack, fake_slack.response_url("r3")), client, logger, sqlite_db)
    (ephemeral,) = fake_slack.api_calls("chat.postEphemeral")
    assert ephemeral.body["user"] == "U0ALICE" and "No saved scenarios" in ephemeral.body["text"]
    assert len(fake_slack.responses()) == 3  # the first try and two more


@pytest.mark.parametrize("text", ["list", "show plan", "save plan video 10s", "digest status"])
def test_with_the_database_down_a_command_says_so_and_what_to_do(
    text: str, client: WebClient, fake_slack: FakeSlack, logger: logging.Logger
) -> None:
    """A PostgreSQL server that isn't there (nothing listens on port 1): the command is refused in words."""
    down = Database("postgresql+psycopg://postgres@127.0.0.1:1/costbot")
    try:
        body = {**command(text), "response_url": fake_slack.response_url("down")}
        scenario_command(command=body, client=client, db=down, estimate_notes=EstimateNotes(down),
                         digest_pace=ChannelPace(), logger=logger)  # fmt: skip
    finally:
        down.dispose()
    (answer,) = fake_slack.responses()
    assert (
        "The database is unavailable right now" in answer.body["text"]
        and "Try again in a minute" in answer.body["text"]
    )


def test_is_unavailable_tells_an_outage_from_a_mistake() -> None:
    from sqlalchemy import text as sql
    from sqlalchemy.exc import ProgrammingError

    from storage import is_unavailable

    down = Database("postgresql+psycopg://postgres@127.0.0.1:1/costbot")
    try:
        with pytest.raises(Exception) as outage, down.session(write=False) as session:
            session.exec(sql("SELECT 1"))  # type: ignore[call-overload]
    finally:
        down.dispose()
    assert is_unavailable(outage.value)
    assert not is_unavailable(ProgrammingError("SELECT nonsense", {}, Exception("syntax error")))
    assert not is_unavailable(ValueError("not a database error"))
