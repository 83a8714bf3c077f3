"""bot.scenarios.problems: every problem a use case can raise is worded, privately, in the one place."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import bot.scenarios.problems as problems
from bot.scenarios.problems import ScenarioProblem, problem_reply
from costing import CatalogError, EstimateError
from storage import NameTaken, ScenarioPublic
from tests.storage.factories import AUTHOR, CHANNEL, TEAM, estimate

TEXT = "video 10s x 1M users per month"
PLAN = ScenarioPublic(
    id=7, team_id=TEAM, channel_id=CHANNEL, name="plan", author_id=AUTHOR, text=TEXT, estimate=estimate(TEXT),
    version=3, value_text=None, budget_usd_month=None, channel_private=False, card_ts=None, card_permalink=None,
    created_at=datetime(2026, 11, 2, tzinfo=UTC), updated_at=datetime(2026, 11, 3, tzinfo=UTC),
)  # fmt: skip

EXAMPLES: list[tuple[ScenarioProblem | NameTaken, str]] = [
    (problems.Incomplete("Which scenario? /cost show NAME"), "Which scenario? /cost show NAME"),
    (problems.NotFound("plna", "plan"), "There's no scenario called 'plna' in this channel. Did you mean 'plan'?"),
    (problems.NotFound("zzz"), "There's no scenario called 'zzz' in this channel. /cost list shows"),
    (problems.NotAllowed(PLAN, "delete"), "Only <@U0ALICE>, who saved *plan*, or a workspace admin may delete it."),
    (problems.CannotCheck(PLAN, "delete"), "I couldn't check with Slack whether you may delete 'plan'"),
    (problems.BadName("a\\nb", "Names are one line."), "can't be a scenario name. Names are one line. Quote a name"),
    (problems.BadIds(), "Slack sent ids I don't recognise for this channel or user; nothing was saved."),
    (problems.Gone("plan", "deleting"), "'plan' was deleted a moment ago by someone else."),
    (problems.Gone("plan", "changing"), "'plan' was deleted meanwhile; nothing was changed."),
    (problems.Gone(None, "saving-what-if"), "That scenario was deleted; there's nothing to save the what-if into."),
    (problems.NotHere(), "That scenario isn't one of this channel's; nothing was changed."),
    (problems.Gone(None, "deleting"), "That scenario was deleted a moment ago by someone else."),
    (problems.CannotUndo(None, "expired"), "can't be undone any more: deletes can be undone for an hour, once."),
    (problems.CannotUndo("plan", "taken"), "A new 'plan' was saved in this channel since, so the deleted one can't"),
    (problems.CannotUndo("plan", "not-yours"), "Only whoever deleted 'plan' can undo it; nothing was restored."),
    (problems.Stale(PLAN, 2), "plan changed since this what-if (it was v2, it is v3 now)"),
    (problems.Stale(PLAN, 2, by="U0BOB"), "saving it would undo that change. <@U0BOB> saved v3 first."),
    (problems.Stale(PLAN, 2, by="U0BOB", what_if=False), "plan changed while you were at it (it was v2, it is v3"),
    (problems.Unchanged(PLAN, "value"), "plan has no value to remove; nothing changed."),
    (problems.Unchanged(PLAN, "same-value"), "plan is worth that already"),
    (problems.Unchanged(PLAN, "budget", "$5,000/month"), "plan has that budget already ($5,000/month)"),
    (problems.Unchanged(PLAN, "text"), "plan says that already (v3); nothing to save."),
    (problems.NothingToSave("plan"), "You haven't costed anything in this channel yet, so there's nothing to save"),
    (problems.NotCostable(EstimateError("No bananas."), "video bananas"), "No bananas."),
    (problems.NotCostable(EstimateError("No."), "x", saving_as="launch"), "Saving as *launch*. A name with spaces"),
    (problems.PriceBookBroken(CatalogError("bad row 3")), "costbot's price book has a problem: bad row 3"),
    (problems.PriceBookBroken(CatalogError("bad"), saving=True), "price book has a problem, so I can't save anything"),
    (NameTaken(PLAN), "already has a scenario called 'plan' (saved by its author on 2026-11-02, now at v3)"),
]


@pytest.mark.parametrize(("problem", "wording"), EXAMPLES, ids=lambda p: type(p).__name__)
def test_each_problem_is_worded_for_the_asker_alone(problem: ScenarioProblem | NameTaken, wording: str) -> None:
    reply = problem_reply(problem)
    assert reply.private and reply.estimate is None
    assert wording in json.dumps(reply.message, ensure_ascii=False).replace("\\n", "\n")


def test_every_kind_of_problem_has_an_example() -> None:
    kinds = {cls for name in problems.__all__ if isinstance(cls := getattr(problems, name), type)}
    kinds -= {ScenarioProblem}
    assert kinds == {type(p) for p, _ in EXAMPLES} - {NameTaken}
