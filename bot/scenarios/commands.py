"""`/cost save|list|show|compare|delete|value|budget`, thread what-ifs and the what-if's Save button, as replies.

Each function reads the command's arguments, runs the use case (`bot.scenarios.cases`) and words what it did;
whatever stopped it is worded in one place, `bot.scenarios.problems.problem_reply`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from slack_sdk import WebClient

from bot.blocks.mrkdwn import escape
from bot.blocks.scenarios import (
    LIST_LIMIT,
    changed_message,
    comparison_message,
    delete_confirm_message,
    deleted_message,
    period_question_message,
    restored_message,
    same_figures_message,
    saved_message,
    scenario_detail,
    scenario_list,
    version_saved_note,
    what_if_message,
)
from bot.notes import EstimateNotes
from bot.replies import Reply
from bot.scenarios import cases
from bot.scenarios.cases import Where
from bot.scenarios.problems import Incomplete, NotCostable, ScenarioProblem, problem_reply
from costing import EXAMPLES, WORKLOAD_WORDS, EstimateError, Subcommand, compare_estimates, parse_budget
from storage import Database, NameTaken, ScenarioPublic, count_channel_scenarios, list_scenarios

__all__ = [
    "SCENARIO_COMMANDS",
    "delete_confirmed",
    "run_scenario_command",
    "save_named",
    "save_what_if",
    "undo_delete",
    "what_if",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_NAME_TOKEN = re.compile(r'"([^"]*)"|“([^”]*)”|(\S+)')
_OFF = frozenset({"off", "none", "remove", "clear"})


def _answering(function: Callable[_P, _R]) -> Callable[_P, _R | Reply]:
    """`function`'s reply, or the reply to the problem that stopped it."""

    @wraps(function)
    def answered(*args: _P.args, **kwargs: _P.kwargs) -> _R | Reply:
        try:
            return function(*args, **kwargs)
        except (ScenarioProblem, NameTaken) as problem:
            return problem_reply(problem)

    return answered


def _split_name(args: str) -> tuple[str, str]:
    """The first name in `args` (quoted if it has spaces) and the rest."""
    match = _NAME_TOKEN.match(args.strip())
    if not match:
        return "", ""
    name = next(g for g in match.groups() if g is not None)
    return name.strip(), args.strip()[match.end() :].strip()


def _named(args: str, usage: str) -> tuple[str, str]:
    """The scenario name that starts `args`, and the rest (raises `Incomplete` with `usage` without one)."""
    name, rest = _split_name(args)
    if not name:
        raise Incomplete(usage)
    return name, rest


# --- save ----------------------------------------------------------------------------------------------------


@_answering
def save_named(name: str, text: str, *, where: Where, db: Database, client: WebClient) -> Reply:
    """Save `text` as scenario `name` in the channel and post its card there."""
    saved = cases.save(name, text, where=where, db=db, client=client)
    message = saved_message(saved.scenario, card=saved.card, caveat=saved.caveat, refusal=saved.refusal)
    return Reply(message, saved.scenario.estimate, private=True)


def _save(args: str, where: Where, db: Database, client: WebClient, notes: EstimateNotes | None) -> Reply:
    name, text = _named(
        args,
        "Give the scenario a name, and the estimate to save (or nothing, to save your last one here): "
        f"/cost save launch-video {EXAMPLES['video']}",
    )
    if not text:
        text = cases.last_text(name, where=where, notes=notes, db=db)
    elif name.lower() in WORKLOAD_WORDS:
        # `/cost save video 10s x 1M users`: the name was forgotten, the workload taken for it.
        try:
            cases.cost(text)
        except ScenarioProblem:
            raise Incomplete(
                f"Give the scenario a name before the estimate: /cost save launch-{name.lower()} {name} {text}"
            ) from None
    return save_named(name, text, where=where, db=db, client=client)


# --- read ----------------------------------------------------------------------------------------------------


def _list(args: str, where: Where, db: Database) -> Reply:
    with db.session(write=False) as session:  # a count and one page: what is shown, however many there are
        total = count_channel_scenarios(session=session, team_id=where.team_id, channel_id=where.channel_id)
        shown = list_scenarios(session=session, team_id=where.team_id, channel_id=where.channel_id, limit=LIST_LIMIT)
    return Reply(scenario_list(shown, total=total, channel_id=where.channel_id), private=True)


def _show(args: str, where: Where, db: Database) -> Reply:
    name, _ = _named(args, "Which scenario? /cost show NAME (/cost list shows this channel's).")
    scenario, versions, replies = cases.history(name, where=where, db=db)
    return Reply(scenario_detail(scenario, versions=versions, replies=replies), scenario.estimate, private=True)


def _compare(args: str, where: Where, db: Database) -> Reply:
    first, rest = _split_name(args)
    second, extra = _split_name(rest)
    if not first or not second or extra:
        raise Incomplete('Compare two scenarios of this channel: /cost compare A B (quote names with spaces: "A b").')
    a = cases.find(first, where=where, db=db)
    b = cases.find(second, where=where, db=db)
    return Reply(comparison_message(a, b, compare_estimates(a.estimate, b.estimate)), private=True)


# --- change --------------------------------------------------------------------------------------------------


def _delete(args: str, where: Where, db: Database, client: WebClient) -> Reply:
    name, _ = _named(args, "Which scenario? /cost delete NAME")
    scenario = cases.changeable(name, doing="delete", where=where, db=db, client=client)
    return Reply(delete_confirm_message(scenario), private=True)  # deleted when its Delete button is pressed


@_answering
def delete_confirmed(scenario_id: int, *, where: Where, db: Database, client: WebClient) -> Reply:
    """The confirmation's Delete button: deleted, with Undo for a while."""
    deleted = cases.delete_confirmed(scenario_id, where=where, db=db, client=client)
    return Reply(deleted_message(deleted), private=True)


@_answering
def undo_delete(deleted_id: int, scenario_id: int, *, where: Where, db: Database, client: WebClient) -> Reply:
    """Undo, after a delete: the scenario back as it was."""
    restored = cases.undo_delete(deleted_id, scenario_id, where=where, db=db, client=client)
    return Reply(restored_message(restored), restored.estimate, private=True)


def _value(args: str, where: Where, db: Database, client: WebClient) -> Reply:
    name, value = _named(args, "Which scenario? /cost value NAME $20/user/month")
    scenario = cases.changeable(name, doing="change the value of", where=where, db=db, client=client)
    if not value:
        raise Incomplete(f"What is it worth? /cost value {scenario.name} $20/user/month (or 'off' to remove it).")
    removing = value.lower() in _OFF
    changed = cases.set_value(scenario, "" if removing else value, where=where, db=db, client=client)
    written = changed.value_text or ""
    return _changed(changed, "Value removed" if removing else f"Value set to `{escape(written)}`")


def _budget(args: str, where: Where, db: Database, client: WebClient) -> Reply:
    name, amount = _named(args, "Which scenario? /cost budget NAME $5,000/month")
    scenario = cases.changeable(name, doing="set the budget of", where=where, db=db, client=client)
    if not amount:
        raise Incomplete(f"How much a month? /cost budget {scenario.name} $5,000/month (or 'off' to remove it).")
    try:
        budget = parse_budget(amount)
    except EstimateError as error:
        raise NotCostable(error, "") from None
    changed = cases.set_budget(scenario, budget, where=where, db=db, client=client)
    return _changed(changed, f"Budget set to {escape(budget.reading)}")


def _changed(scenario: ScenarioPublic, what: str) -> Reply:
    return Reply(changed_message(scenario, what), scenario.estimate, private=True)


_Handler = Callable[[str, Where, Database, WebClient, EstimateNotes | None], Reply]
_COMMANDS: dict[str, _Handler] = {
    "save": _save,
    "list": lambda args, where, db, client, notes: _list(args, where, db),
    "show": lambda args, where, db, client, notes: _show(args, where, db),
    "compare": lambda args, where, db, client, notes: _compare(args, where, db),
    "delete": lambda args, where, db, client, notes: _delete(args, where, db, client),
    "value": lambda args, where, db, client, notes: _value(args, where, db, client),
    "budget": lambda args, where, db, client, notes: _budget(args, where, db, client),
}
#: The subcommands answered here.
SCENARIO_COMMANDS = frozenset(_COMMANDS)


@_answering
def run_scenario_command(
    command: Subcommand, *, where: Where, db: Database, client: WebClient, notes: EstimateNotes | None = None
) -> Reply:
    """Answer one of `SCENARIO_COMMANDS` for the user in `where`.

    Args:
        notes: The users' last estimates (`save NAME` without a text); the database's record when None.
    """
    handler = _COMMANDS.get(command.name)
    if handler is None:
        raise ValueError(f"not a scenario command: {command.name}")
    return handler(command.args, where, db, client, notes)


# --- threads -------------------------------------------------------------------------------------------------


@_answering
def what_if(scenario: ScenarioPublic, reply: str, *, asked_by: str) -> Reply | None:
    """The answer to a thread reply that reads as a change; None for conversation, which is only kept.

    A what-if that can't be applied, or that gives the same figures, is for the asker alone; new figures are for
    the thread.
    """
    answer = cases.what_if(scenario, reply)
    if answer is None:
        return None
    estimate = answer.estimate
    if answer.comparison.same:  # nothing for the thread, and nothing to save: for the asker alone
        return Reply(same_figures_message(scenario, text=estimate.text), estimate, private=True)
    if answer.same_volume is not None:  # `what if per week`: the same volume weekly, or as many a week?
        same, same_comparison = answer.same_volume
        question = period_question_message(
            scenario, per_period=(estimate, answer.comparison), same_volume=(same, same_comparison)
        )
        return Reply(question, private=True)
    message = what_if_message(
        scenario, text=estimate.text, estimate=estimate, comparison=answer.comparison, asked_by=asked_by
    )
    return Reply(message, estimate)


@_answering
def save_what_if(
    scenario_id: int, text: str, *, where: Where, db: Database, client: WebClient, base: int | None = None
) -> Reply:
    """The what-if's Save button: `text` becomes the scenario's next version and the card shows it.

    Args:
        base: The version the what-if changed (see `cases.save_what_if`).
    """
    saved = cases.save_what_if(scenario_id, text, where=where, db=db, client=client, base=base)
    return Reply(version_saved_note(saved, saved_by=where.user_id), saved.estimate)
