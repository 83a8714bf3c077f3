from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

import costing
from storage import ScenarioCreate, ThreadReplyCreate
from storage.models import MAX_NAME_LENGTH, estimate_json, estimate_of, name_key, prices_of
from tests.storage.factories import CHAT, VIDEO, estimate, scenario_create, version_create


def test_a_valid_scenario_is_accepted() -> None:
    assert scenario_create("Video launch").name == "Video launch"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("team_id", "t0team1"),
        ("team_id", "X0TEAM1"),
        ("team_id", "T1"),
        ("team_id", "T0TEAM1; DROP TABLE scenario"),
        ("team_id", ""),
        ("channel_id", "c0chan1"),
        ("channel_id", "U0ALICE"),
        ("channel_id", "C" + "0" * 40),
        ("author_id", "C0CHAN1"),
        ("author_id", "u0alice"),
        ("author_id", "<@U0ALICE>"),
    ],
)
def test_a_scenario_with_a_bad_slack_id_is_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        scenario_create(**{field: value})


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "x" * (MAX_NAME_LENGTH + 1),
        "<script>",
        "cost > budget",
        "two\nlines",
        "two\r\nlines",
        "*bold*",
        "_italic_",
        "-dash first",
        "`code`",
        "<!channel>",
    ],
)
def test_a_bad_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="name"):
        scenario_create(name)


@pytest.mark.parametrize("name", ["Q3 video (draft) #2", "R&D / ops", "Café 2026", "x" * MAX_NAME_LENGTH, "7"])
def test_names_people_write_are_accepted(name: str) -> None:
    assert scenario_create(name).name == name


def test_runs_of_spaces_in_a_name_collapse_to_one() -> None:
    assert scenario_create("  Video \t  launch  ").name == "Video launch"


def test_name_key_ignores_case_and_runs_of_spaces() -> None:
    assert name_key("  VIDEO   Launch ") == name_key("video launch") == "video launch"


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(ValidationError, match="budget_usd_month"):
        scenario_create(budget_usd_month=Decimal("-0.01"))


def test_a_zero_budget_is_accepted() -> None:
    assert scenario_create(budget_usd_month=Decimal(0)).budget_usd_month == 0


def test_an_empty_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="text"):
        ScenarioCreate(
            team_id="T0TEAM1", channel_id="C0CHAN1", name="x", author_id="U0ALICE", text="", estimate=estimate(VIDEO)
        )


def test_a_version_with_a_negative_budget_is_refused() -> None:
    with pytest.raises(ValidationError, match="budget_usd_month"):
        version_create(budget_usd_month=Decimal(-1), set_budget=True)


def test_a_version_of_an_unknown_kind_of_change_is_refused() -> None:
    with pytest.raises(ValidationError, match="change"):
        version_create(change="renamed")


def test_a_version_by_a_bad_author_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="author_id"):
        version_create(author_id="someone")


def test_a_row_keeps_the_name_key_and_the_value_text() -> None:
    row = scenario_create("  Video   LAUNCH").row()
    assert (row.name, row.name_key, row.value_text) == ("Video LAUNCH", "video launch", "value $0.05 each")


def test_a_row_without_value_has_no_value_text() -> None:
    assert scenario_create(text=CHAT).row().value_text is None


def test_the_prices_kept_name_the_model_and_the_api_unit_price() -> None:
    prices = prices_of(estimate(VIDEO))
    assert (prices["model"], prices["api"]["unit_usd"]) == (estimate(VIDEO).model, str(estimate(VIDEO).api.unit_usd))


@pytest.mark.parametrize("text", sorted(costing.EXAMPLES.values()))
def test_an_estimate_read_back_from_its_json_equals_the_one_kept(text: str) -> None:
    assert estimate_of(estimate_json(estimate(text))) == estimate(text)


def test_an_estimate_is_kept_with_decimals_as_exact_text() -> None:
    assert estimate_json(estimate(VIDEO))["api"]["total_usd"] == str(estimate(VIDEO).api.total_usd)


def _reply(**fields: Any) -> ThreadReplyCreate:
    return ThreadReplyCreate(**{"user_id": "U0ALICE", "ts": "1764000000.000100", "text": "what if 2M users", **fields})


def test_a_reply_longer_than_4000_characters_is_clipped() -> None:
    assert _reply(text="x" * 5000).text == "x" * 4000


@pytest.mark.parametrize(("field", "value"), [("ts", "yesterday"), ("ts", "1764000000"), ("user_id", "C0CHAN1")])
def test_a_reply_with_a_bad_slack_id_or_ts_is_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        _reply(**{field: value})


def test_a_scenario_create_refuses_a_non_estimate() -> None:
    with pytest.raises(ValidationError, match="estimate"):
        ScenarioCreate(
            team_id="T0TEAM1", channel_id="C0CHAN1", name="x", author_id="U0ALICE", text="x", estimate={"oops": 1}
        )
