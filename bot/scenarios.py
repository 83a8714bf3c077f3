"""Saved scenarios in Slack: `/cost save|list|show|compare|delete|value|budget` and what-ifs (the questions
costbot asks Slack, and the channel card, are in `bot.slack_lookups`).

Each function is one user action: it checks what the user may do, changes the database in one unit of work,
keeps the channel card in step (`chat.postMessage` / `chat.update`) and returns the reply for the user.
Problems a user can cause come back as replies, never as exceptions.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from slack_sdk import WebClient

from bot.blocks import error_message, problem_message
from bot.blocks.mrkdwn import escape
from bot.blocks.parts import context, section
from bot.blocks.scenarios import (
    comparison_message,
    deleted_card,
    scenario_card,
    scenario_detail,
    scenario_list,
    version_saved_note,
    what_if_message,
)
from bot.notes import EstimateNotes
from bot.replies import Reply, estimate_text
from bot.slack_lookups import is_workspace_admin, post_card, slack_user, update_card
from bot.slack_text import plain_text
from costing import (
    EXAMPLES,
    VALUE_WORDS,
    WORKLOAD_WORDS,
    CatalogError,
    Estimate,
    EstimateError,
    Subcommand,
    compare_estimates,
    current_catalog,
    parse_budget,
    parse_request,
    read_change,
)
from storage import (
    Database,
    NameTaken,
    ScenarioCreate,
    ScenarioGone,
    ScenarioPublic,
    VersionCreate,
    add_version,
    delete_scenario,
    get_scenario,
    get_scenario_by_id,
    last_estimate,
    latest_replies,
    list_scenarios,
    list_versions,
    save_scenario,
)
from storage.names import name_problem
from storage.types import utcnow

__all__ = [
    "SCENARIO_COMMANDS",
    "Where",
    "run_scenario_command",
    "save_named",
    "save_what_if",
    "what_if",
]

log = logging.getLogger(__name__)

SCENARIO_COMMANDS = frozenset({"save", "list", "show", "compare", "delete", "value", "budget"})
_NAME_TOKEN = re.compile(r'"([^"]*)"|“([^”]*)”|(\S+)')


@dataclass(frozen=True, slots=True)
class Where:
    """Who asked, in which channel of which workspace: every query is scoped by it."""

    team_id: str
    channel_id: str
    user_id: str


def _problem(text: str) -> Reply:
    return Reply(problem_message(text), private=True)


def _split_name(args: str) -> tuple[str, str]:
    """The first name in `args` (quoted if it has spaces) and the rest."""
    match = _NAME_TOKEN.match(args.strip())
    if not match:
        return "", ""
    name = next(g for g in match.groups() if g is not None)
    return name.strip(), args.strip()[match.end() :].strip()


def _not_found(db: Database, where: Where, name: str) -> Reply:
    with db.session(write=False) as session:
        names = [s.name for s in list_scenarios(session=session, team_id=where.team_id, channel_id=where.channel_id)]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    text = f"There's no scenario called '{name}' in this channel."
    if close:
        text += f" Did you mean '{close[0]}'?"
    return _problem(text + " /cost list shows the ones saved here.")


# --- save ----------------------------------------------------------------------------------------------------


def save_named(name: str, text: str, *, where: Where, db: Database, client: WebClient) -> Reply:
    """Save `text` as scenario `name` in the channel and post its card there."""
    try:
        estimate = estimate_text(text)
    except EstimateError as error:
        message = error_message(error, text)
        message["blocks"].append(
            context(f'Saving as *{escape(name)}*. A name with spaces needs quotes: `/cost save "{escape(name)} …" …`')
        )
        return Reply(message, private=True)
    except CatalogError as error:
        return _problem(f"costbot's price book has a problem, so I can't save anything: {error}")
    problem = name_problem(name)
    if problem:
        return _problem(
            f"'{name[:80]}' can't be a scenario name. {problem} "
            f'Quote a name with spaces: /cost save "launch plan" {EXAMPLES["video"]}'
        )
    try:
        create = ScenarioCreate(
            team_id=where.team_id, channel_id=where.channel_id, name=name, author_id=where.user_id,
            text=estimate.text, estimate=estimate,
        )  # fmt: skip
    except ValidationError:  # the name was checked above: Slack sent ids that aren't Slack's
        log.warning("save refused ids: team=%r channel=%r user=%r", where.team_id, where.channel_id, where.user_id)
        return _problem("Slack sent ids I don't recognise for this channel or user; nothing was saved.")
    try:
        with db.session() as session:
            scenario = save_scenario(session=session, scenario_create=create)
    except NameTaken as clash:
        old = clash.existing
        return _problem(
            f"This channel already has a scenario called '{old.name}' (saved by its author on "
            f"{old.created_at:%Y-%m-%d}, now at v{old.version}). Pick another name, or change that one: "
            f"reply 'what if …' in its thread, or /cost value|budget {old.name} …."
        )
    posted, why = post_card(scenario, db=db, client=client)
    saved = f":white_check_mark: Saved *{escape(scenario.name)}* (v1)"
    caveat = f"\n:information_source: {escape(why)}" if posted is not None and why else ""
    if posted is not None and posted.card_permalink:
        text_out = f"{saved}. <{posted.card_permalink}|Its card is in the channel>; its thread is the discussion."
    elif posted is not None:
        text_out = f"{saved}. Its card is in the channel; its thread is the discussion."
    else:
        text_out = (
            f"{saved}, but I couldn't post its card here ({why}). Invite me with `/invite @costbot`, then "
            f"`/cost show {escape(scenario.name)}` has a button to post it."
        )
    message = {"text": f"Saved {escape(scenario.name)}", "blocks": [section(text_out + caveat)]}
    return Reply(message, estimate, private=True)


def _save(args: str, where: Where, db: Database, client: WebClient, notes: EstimateNotes | None) -> Reply:
    name, text = _split_name(args)
    if not name:
        return _problem(
            "Give the scenario a name, and the estimate to save (or nothing, to save your last one here): "
            f"/cost save launch-video {EXAMPLES['video']}"
        )
    if not text:
        if notes is not None:
            text = notes.last(team_id=where.team_id, channel_id=where.channel_id, user_id=where.user_id) or ""
        else:
            with db.session(write=False) as session:
                text = last_estimate(
                    session=session, team_id=where.team_id, channel_id=where.channel_id, user_id=where.user_id
                ) or ""  # fmt: skip
        if not text:
            return _problem(
                f"You haven't costed anything in this channel yet, so there's nothing to save as '{name}'. "
                f"Add the estimate: /cost save {name} {EXAMPLES['video']}"
            )
    elif name.lower() in WORKLOAD_WORDS:
        # `/cost save video 10s x 1M users`: the name was forgotten, the workload taken for it.
        try:
            estimate_text(text)
        except (EstimateError, CatalogError):
            return _problem(
                f"Give the scenario a name before the estimate: /cost save launch-{name.lower()} {name} {text}"
            )
    return save_named(name, text, where=where, db=db, client=client)


# --- read ----------------------------------------------------------------------------------------------------


def _list(where: Where, db: Database) -> Reply:
    with db.session(write=False) as session:
        scenarios = list_scenarios(session=session, team_id=where.team_id, channel_id=where.channel_id)
    return Reply(scenario_list(scenarios, channel_id=where.channel_id), private=True)


def _show(args: str, where: Where, db: Database) -> Reply:
    name, _ = _split_name(args)
    if not name:
        return _problem("Which scenario? /cost show NAME (/cost list shows this channel's).")
    with db.session(write=False) as session:
        scenario = get_scenario(session=session, team_id=where.team_id, channel_id=where.channel_id, name=name)
        if scenario is not None:
            versions = list_versions(session=session, team_id=where.team_id, scenario_id=scenario.id)
            replies = latest_replies(session=session, team_id=where.team_id, scenario_id=scenario.id)
    if scenario is None:
        return _not_found(db, where, name)
    return Reply(scenario_detail(scenario, versions=versions, replies=replies), scenario.estimate, private=True)


def _compare(args: str, where: Where, db: Database) -> Reply:
    first, rest = _split_name(args)
    second, extra = _split_name(rest)
    if not first or not second or extra:
        return _problem('Compare two scenarios of this channel: /cost compare A B (quote names with spaces: "A b").')
    with db.session(write=False) as session:
        a = get_scenario(session=session, team_id=where.team_id, channel_id=where.channel_id, name=first)
        b = get_scenario(session=session, team_id=where.team_id, channel_id=where.channel_id, name=second)
    for name, found in ((first, a), (second, b)):
        if found is None:
            return _not_found(db, where, name)
    assert a is not None and b is not None
    return Reply(comparison_message(a, b, compare_estimates(a.estimate, b.estimate)), private=True)


# --- change --------------------------------------------------------------------------------------------------


def _may_change(scenario: ScenarioPublic, user_id: str, client: WebClient) -> bool | None:
    """The author or a workspace admin/owner may; None when Slack couldn't tell us who the user is."""
    if scenario.author_id == user_id:
        return True
    user = slack_user(client, user_id)
    return None if user is None else is_workspace_admin(user)


def _refusal(scenario: ScenarioPublic, allowed: bool | None, doing: str) -> Reply:
    if allowed is None:
        return _problem(f"I couldn't check with Slack whether you may {doing} '{scenario.name}'; try again shortly.")
    text = (
        f":no_entry: Only <@{scenario.author_id}>, who saved *{escape(scenario.name)}*, or a workspace admin may "
        f"{doing} it. You can still discuss it in its thread, or save your own version: `/cost save NEW-NAME …`"
    )
    return Reply({"text": f"Only the author or an admin may {doing} it", "blocks": [section(text)]}, private=True)


def _find_for_change(
    args: str, where: Where, db: Database, client: WebClient, *, command: str, doing: str, usage: str
) -> tuple[ScenarioPublic | Reply, str]:
    """The scenario named first in `args` if the user may change it (else the reply saying why), and the rest."""
    name, rest = _split_name(args)
    if not name:
        return _problem(f"Which scenario? /cost {command} NAME {usage}".rstrip()), rest
    with db.session(write=False) as session:
        scenario = get_scenario(session=session, team_id=where.team_id, channel_id=where.channel_id, name=name)
    if scenario is None:
        return _not_found(db, where, name), rest
    allowed = _may_change(scenario, where.user_id, client)
    if not allowed:
        return _refusal(scenario, allowed, doing), rest
    return scenario, rest


def _delete(args: str, where: Where, db: Database, client: WebClient) -> Reply:
    scenario, _ = _find_for_change(args, where, db, client, command="delete", doing="delete", usage="")
    if isinstance(scenario, Reply):
        return scenario
    with db.session() as session:
        gone = delete_scenario(session=session, team_id=where.team_id, scenario_id=scenario.id)
    if not gone:
        return _problem(f"'{scenario.name}' was deleted a moment ago by someone else.")
    update_card(scenario, deleted_card(scenario.name, deleted_by=where.user_id, when=utcnow()), client)
    return Reply(
        {"text": f"Deleted {escape(scenario.name)}",
         "blocks": [section(f":wastebasket: Deleted *{escape(scenario.name)}* with its {_versions(scenario.version)} "
                            "and the replies kept from its thread.")]},
        private=True,
    )  # fmt: skip


def _versions(count: int) -> str:
    return "only version" if count == 1 else f"{count} versions"


def _new_version(
    scenario: ScenarioPublic, *, text: str, where: Where, db: Database, client: WebClient, change: str,
    note: str | None = None, budget: tuple[bool, Any] = (False, None), estimate: Estimate | None = None,
) -> Reply | ScenarioPublic:  # fmt: skip
    if estimate is None:
        try:
            estimate = estimate_text(text)
        except EstimateError as error:
            return Reply(error_message(error, text), private=True)
        except CatalogError as error:
            return _problem(f"costbot's price book has a problem: {error}")
    set_budget, usd = budget
    version = VersionCreate(
        author_id=where.user_id, text=estimate.text, change=change, note=note, estimate=estimate,
        set_budget=set_budget, budget_usd_month=usd,
    )  # fmt: skip
    try:
        with db.session() as session:
            updated, _ = add_version(
                session=session, team_id=where.team_id, scenario_id=scenario.id, version_create=version
            )
    except ScenarioGone:
        return _problem(f"'{scenario.name}' was deleted meanwhile; nothing was changed.")
    update_card(updated, scenario_card(updated, changed_by=where.user_id), client)
    return updated


def _with_value(text: str, value: str, *, model_names: frozenset[str]) -> str:
    """`text` with its value section replaced by `value` (empty: none).

    Raises:
        EstimateError: The saved text no longer parses (a model left the price book).
    """
    request = parse_request(text, model_names=model_names)
    if isinstance(request, Subcommand):  # never saved as such; refuse rather than guess
        raise EstimateError(f"The saved text '{text}' is not an estimate.")
    sections = request.sections()
    sections["value"] = value
    return " ".join(part for part in sections.values() if part)


def _value(args: str, where: Where, db: Database, client: WebClient) -> Reply:
    scenario, value = _find_for_change(
        args, where, db, client, command="value", doing="change the value of", usage="$20/user/month"
    )
    if isinstance(scenario, Reply):
        return scenario
    if not value:
        return _problem(f"What is it worth? /cost value {scenario.name} $20/user/month (or 'off' to remove it).")
    if value.lower() in {"off", "none", "remove", "clear"}:
        if not scenario.value_text:
            return _problem(f"{scenario.name} has no value to remove; nothing changed.")
        value = ""
    elif not value.lower().startswith(tuple(VALUE_WORDS)):
        value = f"value {value}"
    try:
        text = _with_value(scenario.text, value, model_names=current_catalog().model_names)
    except EstimateError as error:
        return Reply(error_message(error, scenario.text), private=True)
    except CatalogError as error:
        return _problem(f"costbot's price book has a problem: {error}")
    outcome = _new_version(scenario, text=text, where=where, db=db, client=client, change="value")
    if isinstance(outcome, Reply):
        return outcome
    return _changed(outcome, "Value removed" if not value else f"Value set to `{escape(value)}`")


def _budget(args: str, where: Where, db: Database, client: WebClient) -> Reply:
    scenario, amount = _find_for_change(
        args, where, db, client, command="budget", doing="set the budget of", usage="$5,000/month"
    )
    if isinstance(scenario, Reply):
        return scenario
    if not amount:
        return _problem(f"How much a month? /cost budget {scenario.name} $5,000/month (or 'off' to remove it).")
    try:
        budget = parse_budget(amount)
    except EstimateError as error:
        return Reply(error_message(error, ""), private=True)
    if budget.usd_month == scenario.budget_usd_month:
        return _problem(f"{scenario.name} has that budget already ({budget.reading}); nothing changed.")
    # The figures stay as they are: a budget is not a reason to re-price the scenario.
    outcome = _new_version(
        scenario, text=scenario.text, where=where, db=db, client=client, change="budget", note=budget.reading,
        budget=(True, budget.usd_month), estimate=scenario.estimate,
    )  # fmt: skip
    if isinstance(outcome, Reply):
        return outcome
    return _changed(outcome, f"Budget set to {escape(budget.reading)}")


def _changed(scenario: ScenarioPublic, what: str) -> Reply:
    """The scenario's card, headed by what changed (`what` is mrkdwn, escaped by the caller)."""
    message = scenario_card(scenario)
    done = f":white_check_mark: {what}: *{escape(scenario.name)}* is now v{scenario.version}."
    message["blocks"].insert(0, section(done))
    return Reply(message, scenario.estimate, private=True)


def run_scenario_command(
    command: Subcommand, *, where: Where, db: Database, client: WebClient, notes: EstimateNotes | None = None
) -> Reply:
    """Answer one of `SCENARIO_COMMANDS` for the user in `where`.

    Args:
        notes: The users' last estimates (`save NAME` without a text); the database's record when None.
    """
    name, args = command.name, command.args
    if name == "save":
        return _save(args, where, db, client, notes)
    if name == "list":
        return _list(where, db)
    if name == "show":
        return _show(args, where, db)
    if name == "compare":
        return _compare(args, where, db)
    if name == "delete":
        return _delete(args, where, db, client)
    if name == "value":
        return _value(args, where, db, client)
    if name == "budget":
        return _budget(args, where, db, client)
    raise ValueError(f"not a scenario command: {name}")


# --- threads -------------------------------------------------------------------------------------------------


def what_if(scenario: ScenarioPublic, reply: str, *, asked_by: str) -> Reply | None:
    """The answer to a thread reply that reads as a change; None for conversation, which is only kept."""
    try:
        change = read_change(scenario.text, plain_text(reply), model_names=current_catalog().model_names)
        if change is None:
            return None
        estimate: Estimate = estimate_text(change.text)
    except EstimateError as error:  # only for a reply that clearly asked (what if …): the asker alone sees it
        return Reply(error_message(error, reply, typed_as=""), private=True)
    except CatalogError as error:
        return _problem(f"costbot's price book has a problem: {error}")
    comparison = compare_estimates(scenario.estimate, estimate)
    message = what_if_message(scenario, text=estimate.text, estimate=estimate, comparison=comparison, asked_by=asked_by)
    return Reply(message, estimate)


def save_what_if(
    scenario_id: int, text: str, *, where: Where, db: Database, client: WebClient, base: int | None = None
) -> Reply:
    """The what-if's Save button: `text` becomes the scenario's next version and the card shows it.

    Args:
        base: The version the what-if changed; if the scenario moved on since, saving would silently undo
            the newer version, so the user is asked to ask again instead.
    """
    with db.session(write=False) as session:
        scenario = get_scenario_by_id(session=session, team_id=where.team_id, scenario_id=scenario_id)
    if scenario is None:
        return _problem("That scenario was deleted; there's nothing to save the what-if into.")
    if scenario.text == text:
        return _problem(f"{scenario.name} says that already (v{scenario.version}); nothing to save.")
    if base is not None and scenario.version != base:
        return _problem(
            f"{scenario.name} changed since this what-if (it was v{base}, it is v{scenario.version} now), so "
            "saving it would undo that change. Ask again in the thread for figures against the new version."
        )
    outcome = _new_version(scenario, text=text, where=where, db=db, client=client, change="what-if")
    if isinstance(outcome, Reply):
        return outcome
    return Reply(version_saved_note(outcome, saved_by=where.user_id), outcome.estimate)
