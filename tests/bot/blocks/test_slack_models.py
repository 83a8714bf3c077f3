"""Every view costbot builds, read back through slack_sdk's own Block Kit and view models: each block parses to
the very dict we built (nothing unknown or misplaced), and each passes the SDK's checks of Slack's limits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import adjust_modal, error_message, help_message, prices_message, problem_message, save_modal
from bot.blocks.estimate import details_modal, estimate_message
from bot.blocks.home import home_view
from bot.blocks.scenarios import (
    comparison_message,
    delete_confirm_message,
    scenario_card,
    scenario_detail,
    scenario_details_modal,
    scenario_list,
    what_if_message,
)
from costing import EstimateError, compare_estimates, estimate, list_prices
from costing.help import HELP_SECTIONS
from tests.bot.blocks.factories import AT, scenario_public
from tests.bot.blocks.test_digest import channel, digest, messages

COMMANDS = ("prices", "save", "compare", "digest")
EXAMPLES = [e for section in HELP_SECTIONS for e in section.examples if not e.startswith(COMMANDS)]
LONG = "video 8s veo-3.1 1080p with audio x 3 per user per day x 50k users at $0.40/s gpu $3/h value $1 each"


def _what_if() -> dict[str, Any]:
    saved = scenario_public(at=AT)
    new = estimate("video 10s veo-3.1-fast x 2M users per month value $2 each", at=AT)
    return what_if_message(
        saved, text=new.text, estimate=new, comparison=compare_estimates(saved.estimate, new), asked_by="U0BOB"
    )


def _compare() -> dict[str, Any]:
    a, b = scenario_public(at=AT), scenario_public(LONG, name="b", at=AT)
    return comparison_message(a, b, compare_estimates(a.estimate, b.estimate))


def _error() -> dict[str, Any]:
    try:
        estimate("video 10s x", at=AT)
    except EstimateError as error:
        return error_message(error, "video 10s x")
    raise AssertionError("not an error")


MESSAGES: dict[str, Callable[[], dict[str, Any]]] = {
    **{f"estimate {t}": (lambda t=t: estimate_message(estimate(t, at=AT))) for t in [*EXAMPLES, LONG]},
    "shared estimate": lambda: estimate_message(estimate(LONG, at=AT), shared_by="U0ALICE"),
    "card": lambda: scenario_card(scenario_public(LONG, budget=Decimal(5000), version=2, at=AT), changed_by="U0BOB"),
    "what-if": _what_if,
    "show": lambda: scenario_detail(scenario_public(LONG, at=AT), versions=[], replies=[]),
    "list": lambda: scenario_list([scenario_public(at=AT)], channel_id="C0GENERAL"),
    "compare": lambda: comparison_message(
        a := scenario_public(at=AT),
        b := scenario_public(LONG, name="b", at=AT),
        compare_estimates(a.estimate, b.estimate),
    ),
    "delete": lambda: delete_confirm_message(scenario_public(at=AT)),
    "help": help_message,
    "prices": lambda: prices_message(list_prices("veo", at=AT)),
    "error": _error,
    "problem": lambda: problem_message("Slack refused the post (is_archived); nothing was shared."),
    **{f"digest {n}": (lambda n=n: messages(digest(channel()))[n]) for n in range(2)},
}
VIEWS: dict[str, Callable[[], dict[str, Any]]] = {
    "details": lambda: details_modal(estimate(LONG, at=AT), footer=":warning: Prices have changed since …"),
    "card details": lambda: scenario_details_modal(scenario_public(LONG, budget=Decimal(5000), at=AT)),
    "adjust": lambda: adjust_modal(estimate(LONG, at=AT), private_metadata="sealed"),
    "new estimate": lambda: adjust_modal(None, private_metadata="sealed"),
    "save": lambda: save_modal(LONG, private_metadata="sealed"),
    "home": lambda: home_view([scenario_public(at=AT), scenario_public(LONG, name="b", private=True, at=AT)], []),
}


def _parses_as_built(blocks: list[dict[str, Any]]) -> None:
    parsed = Block.parse_all(blocks)
    for built, block in zip(blocks, parsed, strict=True):
        assert block is not None, built
        block.validate_json()  # raises on a limit passed (text length, fields, elements)
        assert block.to_dict() == built


@pytest.mark.parametrize("name", MESSAGES)
def test_every_message_parses_with_slacks_models(name: str) -> None:
    message = MESSAGES[name]()
    assert message["text"] and len(message["blocks"]) <= 50
    _parses_as_built(message["blocks"])


@pytest.mark.parametrize("name", VIEWS)
def test_every_view_parses_with_slacks_models(name: str) -> None:
    built = VIEWS[name]()
    view = View(**built)
    view.validate_json()
    _parses_as_built(built["blocks"])
    assert view.to_dict()["type"] == built["type"]
