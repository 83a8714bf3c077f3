"""What can stop a scenario use case, as exceptions, and the one place they become replies.

The use cases in `bot.scenarios.cases` raise these (and storage's `NameTaken`); `problem_reply` words each for
the person who asked. Nothing here talks to Slack or the database: a close name for a typo is found by the use
case and carried by the exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.blocks import error_message, problem_message
from bot.blocks.scenarios import UNDO_WINDOW, refusal_message, saving_as_hint, stale_message
from bot.replies import Reply
from costing import EXAMPLES, CatalogError, EstimateError
from storage import NameTaken, ScenarioPublic

__all__ = [
    "BadIds",
    "BadName",
    "CannotCheck",
    "CannotUndo",
    "Gone",
    "Incomplete",
    "NotAllowed",
    "NotCostable",
    "NotFound",
    "NotHere",
    "NothingToSave",
    "PriceBookBroken",
    "ScenarioProblem",
    "Stale",
    "Unchanged",
    "problem_reply",
]


class ScenarioProblem(Exception):
    """Something in a scenario request the user can fix or should know about; never a fault of costbot's."""


@dataclass
class Incomplete(ScenarioProblem):
    """The command lacks what it needs (a name, an amount); `usage` says what a whole one looks like."""

    usage: str


@dataclass
class NotFound(ScenarioProblem):
    """No scenario of that name in the channel; `close` is a saved name it may be a typo of."""

    name: str
    close: str | None = None
    #: Met by a request carried out again after a crash or an outage (it may have deleted it itself).
    retried: bool = False


@dataclass
class NotAllowed(ScenarioProblem):
    """Only the author or a workspace admin may `doing` (e.g. "delete") the scenario."""

    scenario: ScenarioPublic
    doing: str


@dataclass
class CannotCheck(ScenarioProblem):
    """Slack couldn't say who the user is, so whether they may `doing` the scenario is unknown."""

    scenario: ScenarioPublic
    doing: str


@dataclass
class BadName(ScenarioProblem):
    """`name` can't name a scenario, for the reason `why`."""

    name: str
    why: str


@dataclass
class BadIds(ScenarioProblem):
    """Slack sent team, channel or user ids that aren't shaped like Slack's."""


@dataclass
class Gone(ScenarioProblem):
    """The scenario was deleted, before (`during`) the user's change could be made."""

    name: str | None
    during: Literal["deleting", "changing", "saving-what-if"]


@dataclass
class CannotUndo(ScenarioProblem):
    """A delete that can't be undone: too old (or undone already), its name taken by a scenario saved since,
    or someone else's."""

    name: str | None
    why: Literal["expired", "taken", "not-yours"]


@dataclass
class NotHere(ScenarioProblem):
    """A button or form names a scenario of another channel (or one that doesn't exist): nothing is said of it."""


@dataclass
class Stale(ScenarioProblem):
    """A change made against version `base` would undo the newer version the scenario has now (saved by `by`,
    when known: the other of two clicks at once)."""

    scenario: ScenarioPublic
    base: int
    by: str | None = None
    what_if: bool = True


@dataclass
class Unchanged(ScenarioProblem):
    """The change asked for is what the scenario says already."""

    scenario: ScenarioPublic
    what: Literal["value", "same-value", "budget", "text"]
    reading: str = ""


@dataclass
class NothingToSave(ScenarioProblem):
    """`save NAME` without a text, from a user who hasn't costed anything in the channel."""

    name: str


@dataclass
class NotCostable(ScenarioProblem):
    """The text isn't an estimate costbot can cost.

    Attributes:
        typed_as: How the text is shown in the reply: after `/cost ` or, for a thread reply, as it is.
        saving_as: The name it was being saved as, for the hint about quoting names with spaces.
    """

    error: EstimateError
    text: str
    typed_as: str = "/cost "
    saving_as: str | None = None


@dataclass
class PriceBookBroken(ScenarioProblem):
    """The operator's price book is broken, so nothing can be costed (`saving`: a save was refused for it)."""

    error: CatalogError
    saving: bool = False


def _problem(text: str) -> Reply:
    return Reply(problem_message(text), private=True, problem=True)


def problem_reply(problem: ScenarioProblem | NameTaken) -> Reply:
    """The private reply that tells the user what stopped their request, and what would work."""
    match problem:
        case Incomplete(usage):
            return _problem(usage)
        case NotFound(name, close, retried):
            hint = f" Did you mean '{close}'?" if close else ""
            if retried:
                hint += " Your request was cut short by a restart: if it was a delete, it went through."
            return _problem(
                f"There's no scenario called '{name}' in this channel.{hint} /cost list shows the ones saved here."
            )
        case NotAllowed(scenario, doing):
            return Reply(refusal_message(scenario, doing), private=True, problem=True)
        case CannotCheck(scenario, doing):
            return _problem(
                f"I couldn't check with Slack whether you may {doing} '{scenario.name}'; try again shortly."
            )
        case BadName(name, why):
            return _problem(
                f"'{name[:80]}' can't be a scenario name. {why} "
                f'Quote a name with spaces: /cost save "launch plan" {EXAMPLES["video"]}'
            )
        case BadIds():
            return _problem("Slack sent ids I don't recognise for this channel or user; nothing was saved.")
        case Gone(name, "deleting"):
            which = f"'{name}'" if name else "That scenario"
            return _problem(f"{which} was deleted a moment ago by someone else.")
        case Gone(name, "changing"):
            return _problem(f"'{name}' was deleted meanwhile; nothing was changed.")
        case Gone():
            return _problem("That scenario was deleted; there's nothing to save the what-if into.")
        case NotHere():
            return _problem("That scenario isn't one of this channel's; nothing was changed.")
        case CannotUndo(_, "expired"):
            return _problem(f"That delete can't be undone any more: deletes can be undone for {UNDO_WINDOW}, once.")
        case CannotUndo(name, "taken"):
            return _problem(
                f"A new '{name}' was saved in this channel since, so the deleted one can't come back under its "
                f"name. Delete the new one (/cost delete {name}), then press Undo again."
            )
        case CannotUndo(name, _):
            return _problem(f"Only whoever deleted '{name}' can undo it; nothing was restored.")
        case Stale(scenario, base, by, what_if):
            if what_if:
                said = (
                    f"{scenario.name} changed since this what-if (it was v{base}, it is v{scenario.version} now), "
                    "so saving it would undo that change."
                )
                then = "Ask again in the thread for figures against the new version."
            else:
                said = f"{scenario.name} changed while you were at it (it was v{base}, it is v{scenario.version} now)."
                then = "Nothing was saved; try again."
            return Reply(stale_message(said, then, by=by, version=scenario.version), private=True, problem=True)
        case Unchanged(scenario, "value"):
            return _problem(f"{scenario.name} has no value to remove; nothing changed.")
        case Unchanged(scenario, "same-value"):
            return _problem(f"{scenario.name} is worth that already ({scenario.value_text}); nothing changed.")
        case Unchanged(scenario, "budget", reading):
            return _problem(f"{scenario.name} has that budget already ({reading}); nothing changed.")
        case Unchanged(scenario):
            return _problem(f"{scenario.name} says that already (v{scenario.version}); nothing to save.")
        case NothingToSave(name):
            return _problem(
                f"You haven't costed anything in this channel yet, so there's nothing to save as '{name}'. "
                f"Add the estimate: /cost save {name} {EXAMPLES['video']}"
            )
        case NotCostable(error, text, typed_as, saving_as):
            return Reply(_not_costable(error, text, typed_as, saving_as), private=True, problem=True)
        case PriceBookBroken(error, saving):
            so = ", so I can't save anything" if saving else ""
            return _problem(f"costbot's price book has a problem{so}: {error}")
        case NameTaken(existing=old):
            return _problem(
                f"This channel already has a scenario called '{old.name}' (saved by its author on "
                f"{old.created_at:%Y-%m-%d}, now at v{old.version}). Pick another name, or change that one: "
                f"reply 'what if …' in its thread, or /cost value|budget {old.name} …."
            )
    raise TypeError(f"not a scenario problem: {problem!r}")  # pragma: no cover - every kind is matched above


def _not_costable(error: EstimateError, text: str, typed_as: str, saving_as: str | None) -> dict[str, Any]:
    message = error_message(error, text, typed_as=typed_as)
    if saving_as is not None:
        message["blocks"].append(saving_as_hint(saving_as))
    return message
