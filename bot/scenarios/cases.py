"""Scenario use cases: each is one thing a user does to a channel's saved scenarios.

Each checks what the user may do, changes the database in one unit of work, keeps the channel card in step and
returns what it did, or raises a `bot.scenarios.problems` exception (or storage's `NameTaken`) saying what
stopped it. None of them words a reply: `bot.scenarios.commands` does, from what they return or raise.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from decimal import Decimal

from pydantic import ValidationError
from slack_sdk import WebClient

from bot.blocks.scenarios import deleted_card, scenario_card
from bot.notes import EstimateNotes
from bot.posting import Outcome
from bot.replies import estimate_text
from bot.scenarios.problems import (
    BadIds,
    BadName,
    CannotCheck,
    CannotUndo,
    Gone,
    NotAllowed,
    NotCostable,
    NotFound,
    NotHere,
    NothingToSave,
    PriceBookBroken,
    Stale,
    Unchanged,
)
from bot.slack_lookups import is_workspace_admin, post_card, slack_user, update_card
from bot.slack_text import plain_text
from costing import (
    Budget,
    CatalogError,
    Comparison,
    Estimate,
    EstimateError,
    NotAValue,
    compare_estimates,
    current_catalog,
    read_change,
    with_value,
)
from storage import (
    Database,
    DeletedScenarioPublic,
    NameTaken,
    NothingToRestore,
    ScenarioCreate,
    ScenarioGone,
    ScenarioPublic,
    ThreadReplyPublic,
    VersionCreate,
    VersionMoved,
    VersionPublic,
    add_version,
    delete_scenario,
    deleted_scenario,
    get_scenario,
    get_scenario_by_id,
    last_estimate,
    latest_replies,
    list_versions,
    restore_scenario,
    save_scenario,
    scenario_names,
    version_made_by,
)
from storage.names import name_problem
from storage.types import utcnow

__all__ = [
    "Saved",
    "WhatIfAnswer",
    "Where",
    "changeable",
    "cost",
    "delete",
    "delete_confirmed",
    "find",
    "history",
    "last_text",
    "save",
    "save_what_if",
    "set_budget",
    "set_value",
    "undo_delete",
    "what_if",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Where:
    """Who asked, in which channel of which workspace: every query is scoped by it."""

    team_id: str
    channel_id: str
    user_id: str
    #: The request being answered, when it was written down (`bot.work`): what a change carried out again
    #: after a crash recognises its own scenario or version by.
    request: str | None = None
    #: This request is being carried out again (after a crash, or once the database is back).
    retried: bool = False


@dataclass(frozen=True, slots=True)
class Saved:
    """A new scenario: as stored (with its card when it was posted), and what the user should know."""

    scenario: ScenarioPublic
    #: What became of its card: posted, refused by Slack, or not confirmed either way.
    card: Outcome
    #: With a card, a caveat (the bot isn't in the channel); without one, why it couldn't be posted.
    caveat: str
    #: Slack's error code when it refused the card (`is_archived`, `not_in_channel`): what to advise.
    refusal: str | None = None


@dataclass(frozen=True, slots=True)
class WhatIfAnswer:
    """A thread reply read as a change: the new figures and how they differ from the saved ones."""

    estimate: Estimate
    comparison: Comparison
    #: The reply only named another period (`what if per week`): the same volume counted per that period, the
    #: other thing it may mean (`costing.WhatIf.same_volume`), with its comparison.
    same_volume: tuple[Estimate, Comparison] | None = None


def cost(text: str, *, typed_as: str = "/cost ", saving_as: str | None = None) -> Estimate:
    """The estimate for `text`.

    Raises:
        NotCostable: The text isn't an estimate.
        PriceBookBroken: The operator's price book is broken.
    """
    try:
        return estimate_text(text)
    except EstimateError as error:
        raise NotCostable(error, text, typed_as=typed_as, saving_as=saving_as) from None
    except CatalogError as error:
        raise PriceBookBroken(error, saving=saving_as is not None) from None


# --- read ----------------------------------------------------------------------------------------------------


def find(name: str, *, where: Where, db: Database) -> ScenarioPublic:
    """The channel's scenario called `name` (any case).

    Raises:
        NotFound: There's none, with the closest saved name when one is close.
    """
    with db.session(write=False) as session:
        scenario = get_scenario(session=session, team_id=where.team_id, channel_id=where.channel_id, name=name)
        if scenario is not None:
            return scenario
        names = scenario_names(session=session, team_id=where.team_id, channel_id=where.channel_id)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    raise NotFound(name, close[0] if close else None, retried=where.retried)


def history(
    name: str, *, where: Where, db: Database
) -> tuple[ScenarioPublic, list[VersionPublic], list[ThreadReplyPublic]]:
    """The scenario with its versions and the latest replies kept from its thread (raises `NotFound`)."""
    scenario = find(name, where=where, db=db)
    with db.session(write=False) as session:
        versions = list_versions(session=session, team_id=where.team_id, scenario_id=scenario.id)
        replies = latest_replies(session=session, team_id=where.team_id, scenario_id=scenario.id)
    return scenario, versions, replies


def last_text(name: str, *, where: Where, db: Database, notes: EstimateNotes | None) -> str:
    """The user's last estimate in the channel, to save as `name`.

    Args:
        notes: The users' last estimates; the database's record when None.

    Raises:
        NothingToSave: They haven't costed anything here.
    """
    if notes is not None:
        text = notes.last(team_id=where.team_id, channel_id=where.channel_id, user_id=where.user_id)
    else:
        with db.session(write=False) as session:
            text = last_estimate(
                session=session, team_id=where.team_id, channel_id=where.channel_id, user_id=where.user_id
            )
    if not text:
        raise NothingToSave(name)
    return text


# --- save ----------------------------------------------------------------------------------------------------


def save(name: str, text: str, *, where: Where, db: Database, client: WebClient) -> Saved:
    """Save `text` as scenario `name` in the channel and post its card there.

    Raises:
        NotCostable, PriceBookBroken: `text` can't be costed.
        BadName: `name` can't be a scenario's name.
        BadIds: Slack sent ids that aren't Slack's.
        NameTaken: The channel has a scenario of that name (not one this same request saved before a crash:
            that one is finished instead).
    """
    estimate = cost(text, saving_as=name)
    problem = name_problem(name)
    if problem:
        raise BadName(name, problem)
    try:
        create = ScenarioCreate(
            team_id=where.team_id,
            channel_id=where.channel_id,
            name=name,
            author_id=where.user_id,
            text=estimate.text,
            estimate=estimate,
            origin=where.request,
        )
    except ValidationError:  # the name was checked above: Slack sent ids that aren't Slack's
        log.warning("save refused ids: team=%r channel=%r user=%r", where.team_id, where.channel_id, where.user_id)
        raise BadIds() from None
    resumed = False
    try:
        with db.session() as session:
            scenario = save_scenario(session=session, scenario_create=create)
    except NameTaken as taken:
        if where.request is None or taken.existing.origin != where.request:
            raise
        # This very request saved it before the process died: finish the job instead of saying "taken".
        scenario, resumed = taken.existing, True
        log.info("save carried out again: scenario=%s was saved by this request already", scenario.id)
        if scenario.card_ts:
            return Saved(scenario, Outcome.POSTED, "")
    stored, post, caveat = post_card(scenario, db=db, client=client, look_first=resumed)
    if post.outcome is Outcome.POSTED:
        return Saved(stored, post.outcome, caveat)
    return Saved(stored, post.outcome, post.error, refusal=post.code)


# --- change --------------------------------------------------------------------------------------------------


def changeable(name: str, *, doing: str, where: Where, db: Database, client: WebClient) -> ScenarioPublic:
    """The channel's scenario called `name`, which the user may `doing` (e.g. "delete").

    The author may, and so may a workspace admin or owner.

    Raises:
        NotFound: There's no such scenario.
        NotAllowed: The user is neither its author nor an admin.
        CannotCheck: Slack couldn't say who the user is.
    """
    return _allowed(find(name, where=where, db=db), doing=doing, where=where, client=client)


def _allowed(scenario: ScenarioPublic, *, doing: str, where: Where, client: WebClient) -> ScenarioPublic:
    if scenario.author_id == where.user_id:
        return scenario
    user = slack_user(client, where.user_id)
    if user is None:
        raise CannotCheck(scenario, doing)
    if not is_workspace_admin(user):
        raise NotAllowed(scenario, doing)
    return scenario


def delete(scenario: ScenarioPublic, *, where: Where, db: Database, client: WebClient) -> DeletedScenarioPublic:
    """Delete the scenario with its versions and kept replies (kept a while for `undo_delete`); its card says
    who deleted it, and when.

    Raises:
        Gone: Someone else deleted it a moment ago.
    """
    # The card first: a delete cut short after it is finished by carrying it out again (the row still there).
    update_card(scenario, deleted_card(scenario.name, deleted_by=where.user_id, when=utcnow()), client)
    with db.session() as session:
        deleted = delete_scenario(
            session=session,
            team_id=where.team_id,
            scenario_id=scenario.id,
            deleted_by=where.user_id,
            origin=where.request,
        )
    if deleted is None:
        raise Gone(scenario.name, "deleting")
    return deleted


def delete_confirmed(scenario_id: int, *, where: Where, db: Database, client: WebClient) -> DeletedScenarioPublic:
    """The Delete button under `/cost delete NAME`'s confirmation: the scenario it names, deleted, if it is this
    channel's and the user may (they might have lost the right since they asked).

    Raises:
        Gone: Deleted meanwhile, by someone else.
        NotHere: The button names another channel's scenario.
        NotAllowed, CannotCheck: As for `changeable`.
    """
    with db.session(write=False) as session:
        if where.request is not None:  # carried out again after a crash: this request may have deleted it
            done = deleted_scenario(session=session, team_id=where.team_id, origin=where.request)
            if done is not None:  # deleted (and perhaps undone since): not deleted a second time
                return done
        scenario = get_scenario_by_id(session=session, team_id=where.team_id, scenario_id=scenario_id)
    if scenario is None:
        raise Gone(None, "deleting")
    if scenario.channel_id != where.channel_id:
        raise NotHere()
    return delete(_allowed(scenario, doing="delete", where=where, client=client), where=where, db=db, client=client)


def undo_delete(deleted_id: int, scenario_id: int, *, where: Where, db: Database, client: WebClient) -> ScenarioPublic:
    """Undo: the deleted scenario back as it was (id, versions, replies), and its card showing it again.

    Raises:
        CannotUndo: Undone already or too old, its name taken since, or someone else's delete.
        NotHere: The button names another channel's delete.
    """
    with db.session(write=False) as session:
        deleted = deleted_scenario(session=session, team_id=where.team_id, deleted_id=deleted_id)
    if deleted is None or deleted.scenario_id != scenario_id:  # forgotten, or not the delete the button made
        raise CannotUndo(None, "expired")
    if deleted.channel_id != where.channel_id:
        raise NotHere()
    if deleted.deleted_by != where.user_id:
        raise CannotUndo(deleted.name, "not-yours")
    if deleted.restored_at is not None:  # undone already: this click carried out again, or pressed twice
        with db.session(write=False) as session:
            back = get_scenario_by_id(session=session, team_id=where.team_id, scenario_id=scenario_id)
        if back is None:  # deleted again since
            raise CannotUndo(deleted.name, "expired")
        if back.card_ts:  # a run cut short after the restore, before the card: the card follows now
            update_card(back, scenario_card(back), client)
        return back
    try:
        with db.session() as session:
            restored = restore_scenario(session=session, team_id=where.team_id, deleted_id=deleted_id)
    except NothingToRestore:
        raise CannotUndo(deleted.name, "expired") from None
    except NameTaken:
        raise CannotUndo(deleted.name, "taken") from None
    if restored.card_ts:
        update_card(restored, scenario_card(restored), client)
    log.info("delete undone: scenario=%s by %s", restored.id, where.user_id)
    return restored


def _made_already(scenario: ScenarioPublic, *, where: Where, db: Database, client: WebClient) -> bool:
    """Whether this request made one of the scenario's versions already (it is carried out again after a
    crash): then its card is brought up to date, and the change is reported as made."""
    if where.request is None:
        return False
    with db.session(write=False) as session:
        made = version_made_by(session=session, team_id=where.team_id, scenario_id=scenario.id, origin=where.request)
    if made is None:
        return False
    log.info("change carried out again: scenario=%s v%s was made by this request already", scenario.id, made)
    update_card(scenario, scenario_card(scenario, changed_by=where.user_id), client)
    return True


def set_value(scenario: ScenarioPublic, value: str, *, where: Where, db: Database, client: WebClient) -> ScenarioPublic:
    """The scenario's next version, worth `value` (`value $20/user/month`; "" removes the value).

    Raises:
        Unchanged: There is no value to remove, or it is worth `value` already.
        NotCostable, PriceBookBroken: The saved text no longer costs (a model left the price book), or the new
            value can't be read.
    """
    if _made_already(scenario, where=where, db=db, client=client):
        return scenario
    if not value and not scenario.value_text:
        raise Unchanged(scenario, "value")
    try:
        text = with_value(scenario.text, value, model_names=current_catalog().model_names)
    except NotAValue as error:  # shown as typed, after its command
        name = f'"{scenario.name}"' if " " in scenario.name else scenario.name
        raise NotCostable(error, value, typed_as=f"/cost value {name} ") from None
    except EstimateError as error:
        raise NotCostable(error, scenario.text) from None
    except CatalogError as error:
        raise PriceBookBroken(error) from None
    if text == scenario.text:  # the same value again: no version that changes nothing
        raise Unchanged(scenario, "same-value")
    return _new_version(scenario, cost(text), where=where, db=db, client=client, change="value")


def set_budget(
    scenario: ScenarioPublic, budget: Budget, *, where: Where, db: Database, client: WebClient
) -> ScenarioPublic:
    """The scenario's next version, with `budget` (its figures stay: a budget is no reason to re-price it).

    Raises:
        Unchanged: It has that budget already.
    """
    if _made_already(scenario, where=where, db=db, client=client):
        return scenario
    if budget.usd_month == scenario.budget_usd_month:
        raise Unchanged(scenario, "budget", budget.reading)
    return _new_version(
        scenario,
        scenario.estimate,
        where=where,
        db=db,
        client=client,
        change="budget",
        note=budget.reading,
        budget=(True, budget.usd_month),
    )


def _new_version(
    scenario: ScenarioPublic,
    estimate: Estimate,
    *,
    where: Where,
    db: Database,
    client: WebClient,
    change: str,
    note: str | None = None,
    budget: tuple[bool, Decimal | None] = (False, None),
    base: int | None = None,
) -> ScenarioPublic:
    """The scenario's next version, saved only if it is still at `base` (its version as read, by default)."""
    set_budget, usd = budget
    against = scenario.version if base is None else base
    version = VersionCreate(
        author_id=where.user_id,
        text=estimate.text,
        change=change,
        note=note,
        estimate=estimate,
        set_budget=set_budget,
        budget_usd_month=usd,
        origin=where.request,
    )
    try:
        with db.session() as session:
            updated, _ = add_version(
                session=session,
                team_id=where.team_id,
                scenario_id=scenario.id,
                version_create=version,
                expect_version=against,
            )
    except ScenarioGone:
        raise Gone(scenario.name, "changing") from None
    except VersionMoved as moved:
        raise Stale(moved.current, against, by=moved.by, what_if=change == "what-if") from None
    update_card(updated, scenario_card(updated, changed_by=where.user_id), client)
    return updated


# --- threads -------------------------------------------------------------------------------------------------


def what_if(scenario: ScenarioPublic, reply: str) -> WhatIfAnswer | None:
    """A thread reply read as a change to the scenario; None for conversation (which is only kept).

    Raises:
        NotCostable: The reply clearly asked (what if …) but can't be applied; shown as the reply was typed.
        PriceBookBroken: The operator's price book is broken.
    """
    try:
        change = read_change(scenario.text, plain_text(reply), model_names=current_catalog().model_names)
        if change is None:
            return None
        estimate = estimate_text(change.text)
        same = estimate_text(change.same_volume) if change.same_volume else None
    except EstimateError as error:
        raise NotCostable(error, reply, typed_as="") from None
    except CatalogError as error:
        raise PriceBookBroken(error) from None
    same_volume = None if same is None else (same, compare_estimates(scenario.estimate, same))
    return WhatIfAnswer(estimate, compare_estimates(scenario.estimate, estimate), same_volume)


def save_what_if(
    scenario_id: int, text: str, *, where: Where, db: Database, client: WebClient, base: int | None = None
) -> ScenarioPublic:
    """The what-if's Save button: `text` becomes the scenario's next version and its card shows it.

    Args:
        base: The version the what-if changed; if the scenario moved on since, saving would silently undo the
            newer version.

    Raises:
        Gone: The scenario was deleted.
        NotHere: The button names another channel's scenario (a click comes from where its message is).
        Unchanged: It says `text` already.
        Stale: It moved on from `base`.
    """
    with db.session(write=False) as session:
        scenario = get_scenario_by_id(session=session, team_id=where.team_id, scenario_id=scenario_id)
    if scenario is None:
        raise Gone(None, "saving-what-if")
    if scenario.channel_id != where.channel_id:
        raise NotHere()
    if _made_already(scenario, where=where, db=db, client=client):
        return scenario
    if scenario.text == text:
        raise Unchanged(scenario, "text")
    return _new_version(scenario, cost(text), where=where, db=db, client=client, change="what-if", base=base)
