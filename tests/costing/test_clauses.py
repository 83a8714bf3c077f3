"""costing.clauses: a saved estimate's value replaced clause by clause, every other clause kept as typed."""

from __future__ import annotations

import pytest

from costing import NotAValue, current_catalog, parse_request, with_value
from costing.language import parse_estimate
from costing.request import Request

VIDEO = "video 10s sora-2 x 1M users per month"


def names() -> frozenset[str]:
    return current_catalog().model_names


@pytest.mark.parametrize(
    ("saved", "value", "expected"),
    [
        (VIDEO, "$2 each", f"{VIDEO} value $2 each"),
        (VIDEO, "value $2 each", f"{VIDEO} value $2 each"),
        (VIDEO, "save 10 min @ $70/h", f"{VIDEO} save 10 min @ $70/h"),
        (VIDEO, "revenue $9.99/user/month", f"{VIDEO} revenue $9.99/user/month"),
        (f"{VIDEO} value $2 each", "saves 5 min", f"{VIDEO} saves 5 min"),
        (f"{VIDEO} value $2 each", "", VIDEO),
        # the value typed in the middle stays out of the way of the clauses around it
        ("video 10s value $1 each x 1M users per month", "$3 each", "video 10s x 1M users per month value $3 each"),
        # a workload's parts keep the order that parses the same: `4k video` would count 4,000 videos
        ("4k at $1/s video 8s x 10 per day", "$5 each", "video 4k 8s x 10 per day at $1/s value $5 each"),
        # a count after `and` is a count wherever it goes: no x is added
        ("video 10s for 1M users and 2 per user", "$1 each", "video 10s for 1M users and 2 per user value $1 each"),
    ],
)
def test_the_value_clause_is_replaced_and_the_rest_kept(saved: str, value: str, expected: str) -> None:
    text = with_value(saved, value, model_names=names())
    assert text == expected
    before, after = parse_request(saved, model_names=names()), parse_request(text, model_names=names())
    assert isinstance(before, Request) and isinstance(after, Request)
    same = ("modality", "model", "seconds", "resolution", "counts", "period", "prices")
    assert [getattr(after, f) for f in same] == [getattr(before, f) for f in same]
    assert (after.value is None) == (value == "")


@pytest.mark.parametrize("value", ["x 2M users", "$2 each x 3", "with veo-3.1", "help"])
def test_anything_but_a_value_is_refused(value: str) -> None:
    with pytest.raises(NotAValue) as refused:
        with_value(VIDEO, value, model_names=names())
    assert refused.value.example == "$20/user/month"


def test_a_position_counts_in_the_value_as_the_user_gave_it() -> None:
    with pytest.raises(NotAValue) as refused:
        with_value(VIDEO, "$2 eech", model_names=names())
    error = refused.value
    assert error.fragment is not None and error.position is not None
    assert "$2 eech"[error.position - 1 :].startswith(error.fragment)


def test_parse_estimate_reads_a_text_that_starts_with_a_command_word() -> None:
    assert parse_request("save 10 min @ $70/h").__class__.__name__ == "Subcommand"
    request = parse_estimate("save 10 min @ $70/h")
    assert request.value is not None and request.value.kind == "saves"


def test_a_not_a_value_error_survives_pickling_as_itself() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(NotAValue("m", fragment="f", position=3, example="$1 each")))
    assert type(error) is NotAValue and (error.message, error.position, error.example) == ("m", 3, "$1 each")
