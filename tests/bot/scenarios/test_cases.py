"""bot.scenarios.cases: each use case returns what it did or raises the problem that stopped it, with nothing
changed — on a real database (SQLite, then PostgreSQL) and the fake Slack Web API."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.scenarios import cases
from bot.scenarios.cases import Where
from bot.scenarios.problems import (
    BadIds,
    BadName,
    CannotCheck,
    Gone,
    NotAllowed,
    NotCostable,
    NotFound,
    NothingToSave,
    Stale,
    Unchanged,
    problem_reply,
)
from costing import parse_budget
from storage import Database, NameTaken, ScenarioPublic
from tests.fakeslack import BOT_TOKEN, FakeSlack
from tests.storage.factories import AUTHOR, CHANNEL, OTHER_AUTHOR, TEAM, all_at_once

ALICE = Where(team_id=TEAM, channel_id=CHANNEL, user_id=AUTHOR)
BOB = Where(team_id=TEAM, channel_id=CHANNEL, user_id=OTHER_AUTHOR)
VIDEO = "video 10s x 1M users per month"


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


@pytest.fixture
def plan(db: Database, client: WebClient) -> ScenarioPublic:
    return cases.save("plan", VIDEO, where=ALICE, db=db, client=client).scenario


def test_save_returns_the_stored_scenario_with_its_card(db: Database, client: WebClient) -> None:
    saved = cases.save("plan", VIDEO, where=ALICE, db=db, client=client)
    assert saved.card == "posted" and saved.caveat == ""
    assert saved.scenario.card_ts is not None and saved.scenario.version == 1
    assert cases.find("PLAN", where=ALICE, db=db) == saved.scenario


def test_save_raises_name_taken_and_keeps_the_first(db: Database, client: WebClient, plan: ScenarioPublic) -> None:
    with pytest.raises(NameTaken) as taken:
        cases.save("Plan", "chat 1k in x 10 per day", where=BOB, db=db, client=client)
    assert taken.value.existing.id == plan.id
    assert cases.find("plan", where=ALICE, db=db).text == VIDEO


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("plan", "video 1000 tokens", NotCostable),
        ("x" * 300, VIDEO, BadName),
    ],
)
def test_save_refuses_what_cannot_be_saved(
    db: Database, client: WebClient, name: str, text: str, problem: type[Exception]
) -> None:
    with pytest.raises(problem):
        cases.save(name, text, where=ALICE, db=db, client=client)
    with pytest.raises(NotFound):
        cases.find(name, where=ALICE, db=db)


def test_save_refuses_ids_that_are_not_slacks(db: Database, client: WebClient) -> None:
    with pytest.raises(BadIds):
        cases.save("plan", VIDEO, where=Where(team_id="nope", channel_id=CHANNEL, user_id=AUTHOR), db=db, client=client)


def test_a_saving_error_carries_the_name_it_was_saving_as(db: Database, client: WebClient) -> None:
    with pytest.raises(NotCostable) as problem:
        cases.save("launch", "video 1000 tokens", where=ALICE, db=db, client=client)
    assert problem.value.saving_as == "launch" and problem.value.text == "video 1000 tokens"


def test_find_carries_the_closest_name(db: Database, plan: ScenarioPublic) -> None:
    with pytest.raises(NotFound) as missing:
        cases.find("plna", where=ALICE, db=db)
    assert (missing.value.name, missing.value.close) == ("plna", "plan")
    with pytest.raises(NotFound) as far:
        cases.find("budget-2027", where=ALICE, db=db)
    assert far.value.close is None


def test_last_text_without_anything_costed_raises(db: Database) -> None:
    with pytest.raises(NothingToSave) as nothing:
        cases.last_text("plan", where=ALICE, db=db, notes=None)
    assert nothing.value.name == "plan"


def test_only_the_author_or_an_admin_may_change(
    db: Database, client: WebClient, fake_slack: FakeSlack, plan: ScenarioPublic
) -> None:
    assert cases.changeable("plan", doing="delete", where=ALICE, db=db, client=client) == plan
    with pytest.raises(NotAllowed) as refused:
        cases.changeable("plan", doing="delete", where=BOB, db=db, client=client)
    assert refused.value.scenario == plan and refused.value.doing == "delete"
    fake_slack.fail_next("users.info", error="ratelimited")
    with pytest.raises(CannotCheck):
        cases.changeable("plan", doing="delete", where=BOB, db=db, client=client)
    fake_slack.admins.add(OTHER_AUTHOR)
    assert cases.changeable("plan", doing="delete", where=BOB, db=db, client=client) == plan


def test_deleting_twice_raises_gone(db: Database, client: WebClient, plan: ScenarioPublic) -> None:
    cases.delete(plan, where=ALICE, db=db, client=client)
    with pytest.raises(Gone) as gone:
        cases.delete(plan, where=ALICE, db=db, client=client)
    assert gone.value.during == "deleting"


def test_set_value_makes_a_version_and_refuses_what_changes_nothing(
    db: Database, client: WebClient, plan: ScenarioPublic
) -> None:
    with pytest.raises(Unchanged):
        cases.set_value(plan, "", where=ALICE, db=db, client=client)
    valued = cases.set_value(plan, "$2 each", where=ALICE, db=db, client=client)
    assert valued.version == 2 and valued.text == f"{VIDEO} value $2 each" and valued.estimate.value is not None
    with pytest.raises(NotCostable) as bad:
        cases.set_value(valued, "x 2M users", where=ALICE, db=db, client=client)
    assert bad.value.typed_as == "/cost value plan " and bad.value.text == "x 2M users"
    assert cases.find("plan", where=ALICE, db=db).version == 2


def test_set_budget_twice_raises_unchanged(db: Database, client: WebClient, plan: ScenarioPublic) -> None:
    budgeted = cases.set_budget(plan, parse_budget("$5k/month"), where=ALICE, db=db, client=client)
    assert budgeted.version == 2 and budgeted.estimate == plan.estimate
    with pytest.raises(Unchanged) as same:
        cases.set_budget(budgeted, parse_budget("$5,000"), where=ALICE, db=db, client=client)
    assert same.value.what == "budget"


def test_a_change_to_a_deleted_scenario_raises_gone(db: Database, client: WebClient, plan: ScenarioPublic) -> None:
    cases.delete(plan, where=ALICE, db=db, client=client)
    with pytest.raises(Gone) as gone:
        cases.set_budget(plan, parse_budget("$5k/month"), where=ALICE, db=db, client=client)
    assert gone.value.during == "changing"
    with pytest.raises(Gone):
        cases.save_what_if(plan.id, "video 20s x 1M users per month", where=ALICE, db=db, client=client)


def test_what_if_reads_a_change_and_leaves_conversation(plan: ScenarioPublic) -> None:
    answer = cases.what_if(plan, "what if 2M users?")
    assert answer is not None and answer.estimate.text == "video 10s x 2M users per month"
    assert cases.what_if(plan, "looks expensive to me") is None
    with pytest.raises(NotCostable) as unclear:
        cases.what_if(plan, "what if bananas")
    assert unclear.value.text == "what if bananas" and unclear.value.typed_as == ""


def test_save_what_if_refuses_a_stale_or_empty_change(db: Database, client: WebClient, plan: ScenarioPublic) -> None:
    with pytest.raises(Unchanged):
        cases.save_what_if(plan.id, plan.text, where=BOB, db=db, client=client, base=1)
    cases.set_budget(plan, parse_budget("$5k/month"), where=ALICE, db=db, client=client)
    with pytest.raises(Stale) as stale:
        cases.save_what_if(plan.id, "video 20s x 1M users per month", where=BOB, db=db, client=client, base=1)
    assert stale.value.base == 1 and stale.value.scenario.version == 2
    saved = cases.save_what_if(plan.id, "video 20s x 1M users per month", where=BOB, db=db, client=client, base=2)
    assert saved.version == 3 and saved.text == "video 20s x 1M users per month"


def test_a_value_error_shows_the_command_to_retype_with_the_name_quoted(db: Database, client: WebClient) -> None:
    spaced = cases.save("launch plan", VIDEO, where=ALICE, db=db, client=client).scenario
    with pytest.raises(NotCostable) as bad:
        cases.set_value(spaced, "$2 eech", where=ALICE, db=db, client=client)
    assert bad.value.typed_as == '/cost value "launch plan" ' and bad.value.error.example == "$20/user/month"


def test_the_same_value_twice_makes_no_version(db: Database, client: WebClient, plan: ScenarioPublic) -> None:
    valued = cases.set_value(plan, "$2 each", where=ALICE, db=db, client=client)
    with pytest.raises(Unchanged) as same:
        cases.set_value(valued, "$2 each", where=ALICE, db=db, client=client)
    assert same.value.what == "same-value"
    assert cases.find("plan", where=ALICE, db=db).version == 2


@pytest.mark.parametrize("trial", range(5))
def test_two_clicks_on_one_save_button_at_once_make_one_version(
    db: Database, client: WebClient, plan: ScenarioPublic, trial: int
) -> None:
    """The double click of issue 13: both see v1; the check is made under the row's lock, so one saves v2 and
    the other is told who did."""
    people = [Where(team_id=TEAM, channel_id=CHANNEL, user_id=f"U0CLICK{n}") for n in range(4)]

    def click(n: int) -> object:
        try:
            return cases.save_what_if(plan.id, f"video {20 + n}s x 1M users per month", where=people[n], db=db,
                                      client=client, base=1)  # fmt: skip
        except Stale as stale:
            return stale

    outcomes = all_at_once(len(people), click)
    saved = [o for o in outcomes if isinstance(o, ScenarioPublic)]
    refused = [o for o in outcomes if isinstance(o, Stale)]
    assert len(saved) == 1 and len(refused) == len(people) - 1 and saved[0].version == 2
    winner = next(w.user_id for w in people if saved[0].text == f"video {20 + people.index(w)}s x 1M users per month")
    assert all(r.by == winner and r.scenario.version == 2 for r in refused)
    assert cases.find("plan", where=ALICE, db=db).version == 2


# --- carried out again (a crash, or the database back) --------------------------------------------------------

AGAIN = Where(team_id=TEAM, channel_id=CHANNEL, user_id=AUTHOR, request="body:again", retried=True)


def test_a_value_carried_out_again_is_reported_made_not_unchanged(
    db: Database, client: WebClient, plan: ScenarioPublic, fake_slack: FakeSlack
) -> None:
    first = cases.set_value(plan, "$20/user/month", where=AGAIN, db=db, client=client)
    updates = len(fake_slack.api_calls("chat.update"))
    again = cases.set_value(first, "$20/user/month", where=AGAIN, db=db, client=client)
    assert (again.version, again.value_text) == (2, first.value_text)  # no second version, no "unchanged"
    assert len(fake_slack.api_calls("chat.update")) == updates + 1  # the card brought up to date, in case


def test_a_what_if_saved_then_carried_out_again_is_not_stale(
    db: Database, client: WebClient, plan: ScenarioPublic
) -> None:
    text = "video 10s x 2M users per month"
    cases.save_what_if(plan.id, text, base=1, where=AGAIN, db=db, client=client)
    again = cases.save_what_if(plan.id, text, base=1, where=AGAIN, db=db, client=client)  # base 1, now at v2
    assert again.version == 2


def test_a_delete_carried_out_again_says_it_may_have_gone_through(
    db: Database, client: WebClient, plan: ScenarioPublic
) -> None:
    cases.delete(plan, where=AGAIN, db=db, client=client)
    with pytest.raises(NotFound) as missing:
        cases.changeable("plan", doing="delete", where=AGAIN, db=db, client=client)
    assert missing.value.retried
    assert "if it was a delete, it went through" in problem_reply(missing.value).message["blocks"][0]["text"]["text"]
