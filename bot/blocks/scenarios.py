"""Saved scenarios as Slack messages: the channel card, list, show, compare, the what-if answer in a thread."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from bot.blocks.estimate import (
    DETAILS_ACTION,
    details_blocks,
    details_button,
    details_modal,
    details_value,
    estimate_blocks,
    headline,
    warnings_block,
)
from bot.blocks.mrkdwn import clip, escape, escape_slack_text
from bot.blocks.parts import context, section
from bot.blocks.words import share
from costing import Comparison, Estimate, format_usd
from storage import KEEP_DELETED, DeletedScenarioPublic, ScenarioPublic, ThreadReplyPublic, VersionPublic

#: What became of a card's post (`bot.posting.Outcome`'s values).
CardPost = Literal["posted", "refused", "unknown"]

__all__ = [
    "CARD_DETAILS_ACTION",
    "DELETE_ACTION",
    "KEEP_ACTION",
    "LIST_LIMIT",
    "POST_CARD_ACTION",
    "SAVE_VERSION_ACTION",
    "UNDO_DELETE_ACTION",
    "UNDO_WINDOW",
    "budget_status",
    "changed_message",
    "comparison_message",
    "delete_confirm_message",
    "deleted_card",
    "deleted_message",
    "figures_line",
    "is_over_budget",
    "kept_message",
    "period_question_message",
    "refusal_message",
    "restored_message",
    "same_figures_message",
    "saved_message",
    "saving_as_hint",
    "scenario_card",
    "scenario_detail",
    "scenario_details_modal",
    "scenario_link",
    "scenario_list",
    "stale_message",
    "version_saved_note",
    "what_if_message",
]

SAVE_VERSION_ACTION = "save_scenario_version"
POST_CARD_ACTION = "post_scenario_card"
DELETE_ACTION = "delete_scenario"
KEEP_ACTION = "keep_scenario"
UNDO_DELETE_ACTION = "undo_delete"
CARD_DETAILS_ACTION = "scenario_details"


def _how_long(span: timedelta) -> str:
    """`an hour`, `2 hours`, `30 minutes`: a span in words."""
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return "an hour" if hours == 1 else f"{hours} hours"
    return "a minute" if minutes == 1 else f"{minutes} minutes"


#: How long a delete can be undone, in words (`an hour`).
UNDO_WINDOW = _how_long(KEEP_DELETED)

#: How many scenarios a list shows before saying how many more there are (Slack allows 50 blocks).
LIST_LIMIT = 40
_CHANGES = {
    "saved": "saved",
    "what-if": "what-if from the thread",
    "value": "value changed",
    "budget": "budget changed",
    "re-costed": "re-costed",
}


def _time(when: datetime) -> str:
    # The reader's own time of day; the fallback text is UTC.
    return f"<!date^{int(when.timestamp())}^{{time}}|{when:%H:%M} UTC>"


def _day(when: datetime) -> str:
    # Slack shows a date token in each reader's own time zone; the fallback text is UTC.
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}}|{when:%Y-%m-%d}>"


def monthly_spend(estimate: Estimate) -> Decimal | None:
    """API spend per month, or None for a one-off cost (no period: a monthly budget doesn't apply)."""
    return (estimate.projections or {}).get("month")


def budget_status(scenario: ScenarioPublic) -> str | None:
    """`:white_check_mark: within its $5,000/month budget (62%)`, an over-budget alarm, or None without one."""
    budget = scenario.budget_usd_month
    if budget is None:
        return None
    spend = monthly_spend(scenario.estimate)
    if spend is None:
        return f"Budget {format_usd(budget)}/month — this is a one-off cost, so it is shown beside it, not against it"
    if budget == 0:
        return f":rotating_light: over its $0/month budget by {format_usd(spend)}" if spend else "Budget $0/month: met"
    used = share(spend, budget)  # `40,000%`: grouped as every percentage is
    if spend > budget:
        return f":rotating_light: *over budget*: {format_usd(spend)}/month against {format_usd(budget)}/month ({used})"
    return f":white_check_mark: within its {format_usd(budget)}/month budget ({used})"


def _title(scenario: ScenarioPublic) -> str:
    return f":pushpin: *{escape(scenario.name)}* · v{scenario.version}"


def _budget_lines(scenario: ScenarioPublic) -> list[str]:
    status = budget_status(scenario)
    return [status] if status else []


def scenario_card(scenario: ScenarioPublic, *, changed_by: str | None = None) -> dict[str, Any]:
    """The scenario's message in the channel, headline first; its thread is where people discuss it, its
    Details button opens every figure."""
    who = f"Saved by <@{scenario.author_id}>"
    if changed_by and scenario.version > 1:
        who += f" · v{scenario.version}" + ("" if changed_by == scenario.author_id else f" by <@{changed_by}>")
    footer = (
        f"{who} · `/cost {escape(scenario.text)}`\nReply in this thread to discuss it; a reply like "
        "`what if 2M users`, `with veo-3.1-fast` or `at $0.2/s` gets the new figures and the difference."
    )
    blocks = [
        *estimate_blocks(
            scenario.estimate,
            lead=f"{_title(scenario)} — ",
            extra=[f"*Budget*\n{line}" for line in _budget_lines(scenario)],
            footer=[footer],
        ),
        {
            "type": "actions",
            "block_id": "card_actions",
            "elements": [details_button(str(scenario.id), action_id=CARD_DETAILS_ACTION)],
        },
    ]
    return {"text": f"Scenario {escape(scenario.name)}: {escape(scenario.estimate.headline())}", "blocks": blocks}


def scenario_details_modal(scenario: ScenarioPublic) -> dict[str, Any]:
    """A card's Details: every figure of the scenario's current version as saved, its budget among them."""
    version = f" v{scenario.version}"
    title = f"{clip(scenario.name, 24 - len(version))}{version}"  # the version survives a long name
    footer = (
        f"Figures of v{scenario.version} as saved on {_day(scenario.updated_at)}; the weekly digest re-costs "
        "them with current prices."
    )
    return details_modal(scenario.estimate, title=title, extra=_budget_lines(scenario), footer=footer)


def deleted_card(name: str, *, deleted_by: str, when: datetime) -> dict[str, Any]:
    """What the channel card becomes when its scenario is deleted (the thread stays, the figures go)."""
    text = f":wastebasket: Scenario *{escape(name)}* was deleted by <@{deleted_by}> on {_day(when)}."
    return {"text": f"Scenario {escape(name)} was deleted", "blocks": [section(text)]}


def scenario_link(scenario: ScenarioPublic) -> str:
    """The scenario's name, linked to its card's thread when it has one."""
    if scenario.card_permalink:
        return f"<{scenario.card_permalink}|{escape(scenario.name)}>"
    return f"*{escape(scenario.name)}*"


def is_over_budget(scenario: ScenarioPublic) -> bool:
    """Its monthly API spend passes its budget (never for a one-off cost or without a budget)."""
    spend = monthly_spend(scenario.estimate)
    return scenario.budget_usd_month is not None and spend is not None and spend > scenario.budget_usd_month


def figures_line(scenario: ScenarioPublic) -> str:
    """`*$1,000,000*/month API · $1,430,556/month compute · value ÷ spend 0.50×`: the figures in one line."""
    estimate = scenario.estimate
    when = f"/{estimate.period}" if estimate.period else " one-off"
    line = f"*{format_usd(estimate.api.total_usd)}*{when} API · {format_usd(estimate.compute.total_usd)}{when} compute"
    if estimate.value is not None and estimate.value.ratio is not None:
        line += f" · value ÷ spend {estimate.value.ratio:,.2f}×"
    return line


def _summary(scenario: ScenarioPublic) -> str:
    line = f"{scenario_link(scenario)} · v{scenario.version} · {figures_line(scenario)}"
    if is_over_budget(scenario):
        line += " · :rotating_light: over budget"
    return line + f"\n`/cost {escape(scenario.text)}`"


def scenario_list(scenarios: Sequence[ScenarioPublic], *, channel_id: str, total: int | None = None) -> dict[str, Any]:
    """`/cost list`: the channel's scenarios with their headline figures and links to their threads.

    Args:
        scenarios: The first of them by name (`LIST_LIMIT` are shown), or all of them.
        total: How many the channel has (`len(scenarios)` by default).
    """
    total = len(scenarios) if total is None else total
    if not scenarios:
        text = (
            f"No saved scenarios in <#{channel_id}> yet. Save one with `/cost save NAME video 10s x 1M users`, "
            "or press *Save* under an estimate."
        )
        return {"text": "No saved scenarios in this channel yet", "blocks": [section(text)]}
    shown = scenarios[:LIST_LIMIT]
    plural = "s" if total != 1 else ""
    blocks = [section(f"*{total} saved scenario{plural}* in <#{channel_id}>")]
    blocks += [section(_summary(s)) for s in shown]
    if total > len(shown):
        blocks.append(context(f"…and {total - len(shown)} more; `/cost show NAME` shows any of them."))
    else:
        blocks.append(context("`/cost show NAME` for versions and discussion · `/cost compare A B` side by side"))
    return {"text": f"{total} saved scenario{plural} in this channel", "blocks": blocks}


def _version_line(version: VersionPublic) -> str:
    change = _CHANGES.get(version.change, version.change)
    line = (
        f"v{version.number} · {_day(version.created_at)} · <@{version.author_id}> · {change} · "
        f"{format_usd(version.estimate.api.total_usd)}"
        f"{'/' + version.estimate.period if version.estimate.period else ''} · `{escape(_one_line(version.text, 120))}`"
    )
    if version.change == "budget":
        budget = version.budget_usd_month
        line += f" · budget {format_usd(budget)}/month" if budget is not None else " · no budget"
    return line


def scenario_detail(
    scenario: ScenarioPublic, *, versions: Sequence[VersionPublic], replies: Sequence[ThreadReplyPublic]
) -> dict[str, Any]:
    """`/cost show NAME`: the figures, every version, the latest replies from its thread."""
    blocks = [
        section(f"{_title(scenario)} — saved by <@{scenario.author_id}> on {_day(scenario.created_at)}"),
        *details_blocks(scenario.estimate, extra=_budget_lines(scenario), asked=False),
    ]
    recent = list(versions)[-10:]
    history = "\n".join(_version_line(v) for v in reversed(recent))
    more = f"\n…and {len(versions) - len(recent)} earlier" if len(versions) > len(recent) else ""
    blocks.append(section(f"*Versions*\n{history}{more}"))
    if replies:
        said = "\n".join(f"<@{r.user_id}>: {escape_slack_text(_one_line(r.text))}" for r in replies)
        blocks.append(section(f"*Latest in the thread*\n{said}"))
    elif scenario.card_ts:
        blocks.append(context("No replies in its thread yet."))
    thread = f"<{scenario.card_permalink}|Open its thread>" if scenario.card_permalink else "Its card isn't posted."
    blocks.append(context(f"{thread} · `/cost {escape(scenario.text)}`"))
    if not scenario.card_ts:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": POST_CARD_ACTION,
                        "text": {"type": "plain_text", "text": "Post its card in the channel"},
                        "value": str(scenario.id),
                    }
                ],
            }
        )
    return {"text": f"Scenario {escape(scenario.name)}: {escape(scenario.estimate.headline())}", "blocks": blocks}


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _differences(comparison: Comparison) -> list[str]:
    """What changed, one line each, then what didn't in one line: the changes are the news."""
    lines = [f"*{escape(label)}*: {escape(old)} → {escape(new)}" for label, old, new in comparison.changes]
    lines += [f"*{escape(d.label)}*: {d.describe()}" for d in comparison.differences if not d.unchanged]
    same = [d.label for d in comparison.differences if d.unchanged]
    if not lines:
        return []  # nothing differs: the caller says so in words
    if same:
        lines.append(f"_Unchanged: {escape(', '.join(same))}_")
    lines += [f"_{escape(note)}_" for note in comparison.notes]
    return lines


def comparison_message(a: ScenarioPublic, b: ScenarioPublic, comparison: Comparison) -> dict[str, Any]:
    """`/cost compare A B`: both side by side, then what changes from A to B (±$, ±%)."""

    def column(s: ScenarioPublic) -> dict[str, str]:
        e = s.estimate
        when = f"/{e.period}" if e.period else " in all"
        text = (
            f"*{escape(s.name)}* (v{s.version})\n{escape(e.model_name)} · {escape(e.workload)}\n"
            f"API *{format_usd(e.api.total_usd)}*{when}\nCompute {format_usd(e.compute.total_usd)}{when}"
        )
        if e.value is not None:
            text += f"\nValue {format_usd(e.value.total_usd)}"
        return {"type": "mrkdwn", "text": clip(text, 2000)}

    lines = _differences(comparison)
    blocks = [
        section(f"*{escape(a.name)}* → *{escape(b.name)}*, {escape(comparison.basis)}"),
        {"type": "section", "fields": [column(a), column(b)]},
        section("\n".join(lines) if lines else "Their figures are the same."),
        context(f"{scenario_link(a)}: `/cost {escape(a.text)}`\n{scenario_link(b)}: `/cost {escape(b.text)}`"),
    ]
    return {"text": f"{escape(a.name)} compared with {escape(b.name)}", "blocks": blocks}


def what_if_message(
    scenario: ScenarioPublic, *, text: str, estimate: Estimate, comparison: Comparison, asked_by: str
) -> dict[str, Any]:
    """The answer in a scenario's thread to `what if …`: the new headline, only what changed (old → new, ±%),
    its warnings, a button to keep it and one to open the full figures."""
    lines = _differences(comparison)
    blocks = [
        # In reply to the asker's own message: no mention (Slack tells thread followers of replies anyway).
        section(f":crystal_ball: *What if* · *{escape(scenario.name)}* v{scenario.version} → {headline(estimate)}"),
        section("\n".join(lines) if lines else "Same figures as the saved version."),
        warnings_block(estimate),  # all of them: a retired model still is one in the what-if
        context(f"`/cost {escape(text)}`"),
        {
            "type": "actions",
            "block_id": "what_if_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": SAVE_VERSION_ACTION,
                    "text": {"type": "plain_text", "text": f"Save as v{scenario.version + 1}"},
                    "style": "primary",
                    "value": json.dumps({"scenario": scenario.id, "text": text, "base": scenario.version}),
                },
                details_button(details_value(estimate), action_id=DETAILS_ACTION),
            ],
        },
    ]
    headline_said = f"What if: {escape(scenario.name)} → {escape(estimate.headline())}"
    return {"text": clip(headline_said), "blocks": [b for b in blocks if b is not None]}


def same_figures_message(scenario: ScenarioPublic, *, text: str) -> dict[str, Any]:
    """The private answer to a what-if that changes none of the figures: nothing to post, nothing to save."""
    said = (
        f":information_source: `{escape(text)}` gives the same figures as *{escape(scenario.name)}* "
        f"v{scenario.version}, so there is nothing new to show the thread or to save. "
        "Change a count, the model, the period or a price to see a difference."
    )
    return {"text": f"Same figures as {escape(scenario.name)} v{scenario.version}", "blocks": [section(said)]}


def period_question_message(
    scenario: ScenarioPublic, *, per_period: tuple[Estimate, Comparison], same_volume: tuple[Estimate, Comparison]
) -> dict[str, Any]:
    """The private answer to a what-if that only names another period (`what if per week` on `x 2M per month`):
    it may mean the same volume counted per week, or as many per week; both, with their API spend, and the reply
    that gets each one's figures for the thread."""
    per_estimate = per_period[0]
    period = per_estimate.period
    saved = scenario.estimate

    def option(title: str, meant: tuple[Estimate, Comparison]) -> str:
        estimate, comparison = meant
        change = " ".join(p for p in (estimate.sections.get("counts"), estimate.sections.get("period")) if p)
        spend = next((d for d in comparison.differences if d.label.startswith("API spend per")), None)
        said = f" — {escape(spend.label)}: {spend.describe()}" if spend is not None else ""
        return f"• *{title}*: `{escape(estimate.text)}`{said}. Reply `what if {escape(change)}`."

    counts = escape(saved.sections.get("counts") or "")
    text = "\n".join(
        [
            f":thinking_face: *per {period}* can mean two things for *{escape(scenario.name)}* "
            f"({counts} {escape(saved.sections.get('period') or '')}):",
            option(f"the same volume, counted per {period}", same_volume),
            option(f"as many per {period} as now per {saved.period}", per_period),
        ]
    )
    return {"text": f"per {period}: the same volume, or as many per {period}?", "blocks": [section(text)]}


def version_saved_note(scenario: ScenarioPublic, *, saved_by: str) -> dict[str, Any]:
    """In the thread, after a what-if became the scenario's new version (replaces the what-if's button)."""
    text = (
        f":white_check_mark: <@{saved_by}> saved this as *{escape(scenario.name)}* v{scenario.version}; "
        "the card above shows the new figures."
    )
    return {"text": f"Saved as {escape(scenario.name)} v{scenario.version}", "blocks": [section(text)]}


def saving_as_hint(name: str) -> dict[str, Any]:
    """Under an estimate error met while saving: the first word was taken as the name, and how to quote one."""
    return context(f'Saving as *{escape(name)}*. A name with spaces needs quotes: `/cost save "{escape(name)} …" …`')


def saved_message(
    scenario: ScenarioPublic, *, card: CardPost, caveat: str, refusal: str | None = None
) -> dict[str, Any]:
    """The private answer to `/cost save`: saved, where its card is, or why it isn't there (yet).

    Args:
        card: What became of the card: posted, refused, or unconfirmed (Slack's answer was lost).
        caveat: With a card, what the user should know (the bot can't hear its thread); without, why not.
        refusal: Slack's error code when it refused the card: the advice fits the channel.
    """
    saved = f":white_check_mark: Saved *{escape(scenario.name)}* (v1)"
    show = f"`/cost show {escape(scenario.name)}`"
    if card == "posted" and scenario.card_permalink:
        text = f"{saved}. <{scenario.card_permalink}|Its card is in the channel>; its thread is the discussion."
    elif card == "posted":
        text = f"{saved}. Its card is in the channel; its thread is the discussion."
    elif card == "unknown":
        text = (
            f"{saved}. Slack didn't confirm its card ({escape(caveat)}): it may show up in a moment. If it "
            f"doesn't, {show} has a button to post it (it won't post a second one)."
        )
    else:
        text = f"{saved}, but I couldn't post its card here ({escape(caveat)}). {_card_advice(scenario, refusal, show)}"
    if card == "posted" and caveat:
        text += f"\n:information_source: {escape(caveat)}"
    return {"text": f"Saved {escape(scenario.name)}", "blocks": [section(text)]}


#: What Slack answers a post in a conversation the bot isn't part of (a direct message between people).
_NOT_A_PARTY = frozenset({"channel_not_found", "not_in_channel"})


def _card_advice(scenario: ScenarioPublic, refusal: str | None, show: str) -> str:
    """What to do about a card Slack refused, for the kind of channel it is: no /invite where it can't help."""
    if refusal == "is_archived":
        return "The channel is archived, so nothing can be posted in it; the scenario is saved all the same."
    direct = scenario.channel_id.startswith("D")
    if refusal == "messages_tab_disabled":  # the user's own messages with costbot, with its Messages tab off
        return (
            "costbot's Messages tab is off in this workspace, so it can't post in your messages with it; the "
            f"scenario is saved all the same ({show} shows it). Save scenarios in a channel to get a card and thread."
        )
    if direct and refusal not in _NOT_A_PARTY:  # the user's own messages with costbot, refused for another reason
        return f"Slack refused it in this conversation; the scenario is saved all the same, and {show} shows it."
    if direct:  # a direct message between people: an app can't be invited into one
        return (
            "I can't post in a direct message between people: save scenarios in a channel, or in your own "
            "messages with costbot."
        )
    if refusal is not None and refusal.startswith("restricted_action"):
        return f"Posting is restricted in this channel; once an admin lets apps post, {show} has a button to post it."
    return f"Invite me with `/invite @costbot`, then {show} has a button to post it."


def _versions(count: int) -> str:
    return "only version" if count == 1 else f"{count} versions"


def delete_confirm_message(scenario: ScenarioPublic) -> dict[str, Any]:
    """The private answer to `/cost delete NAME`: what would go, and a Delete button that asks once more
    (Slack's confirm dialog); nothing is deleted until it is pressed."""
    name = escape(scenario.name)
    versions = _versions(scenario.version)
    card = "Its card in this channel will say it was deleted; its" if scenario.card_ts else "Its"
    text = (
        f":wastebasket: Delete *{name}*? {card} {versions} and the replies kept from its thread go with it. "
        f"You can undo it for {UNDO_WINDOW} after."
    )
    confirm = {
        "title": {"type": "plain_text", "text": "Delete this scenario?"},
        "text": {"type": "plain_text", "text": clip(f"{scenario.name} and its {versions} will be deleted.", 300)},
        "confirm": {"type": "plain_text", "text": "Delete"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    buttons = [
        {
            "type": "button",
            "action_id": DELETE_ACTION,
            "style": "danger",
            "text": {"type": "plain_text", "text": clip(f"Delete {scenario.name}", 75)},
            "value": str(scenario.id),
            "confirm": confirm,
        },
        {
            "type": "button",
            "action_id": KEEP_ACTION,
            "text": {"type": "plain_text", "text": "Keep it"},
            "value": str(scenario.id),
        },
    ]
    return {
        "text": f"Delete {escape(scenario.name)}?",
        "blocks": [section(text), {"type": "actions", "block_id": "delete_actions", "elements": buttons}],
    }


def kept_message(name: str | None) -> dict[str, Any]:
    """What the confirmation becomes when the user keeps the scenario."""
    what = f"*{escape(name)}*" if name else "the scenario"
    return {"text": "Nothing was deleted", "blocks": [section(f"Kept {what}; nothing was deleted.")]}


def deleted_message(deleted: DeletedScenarioPublic) -> dict[str, Any]:
    """What the confirmation becomes once the scenario is deleted: what went, and Undo while it lasts."""
    name = escape(deleted.name)
    versions = _versions(deleted.versions)
    text = f":wastebasket: Deleted *{name}* with its {versions} and the replies kept from its thread."
    until = deleted.deleted_at + KEEP_DELETED
    undo = {
        "type": "button",
        "action_id": UNDO_DELETE_ACTION,
        "text": {"type": "plain_text", "text": "Undo"},
        "value": json.dumps({"deleted": deleted.id, "scenario": deleted.scenario_id}, separators=(",", ":")),
    }
    return {
        "text": f"Deleted {name}",
        "blocks": [
            section(text),
            {"type": "actions", "block_id": "undo_actions", "elements": [undo]},
            context(f"Undo works until {_time(until)} ({UNDO_WINDOW} after the delete)."),
        ],
    }


def restored_message(scenario: ScenarioPublic) -> dict[str, Any]:
    """The answer to Undo: the scenario is back as it was."""
    card = " Its card shows its figures again." if scenario.card_ts else ""
    text = (
        f":leftwards_arrow_with_hook: Restored {scenario_link(scenario)} as it was: v{scenario.version}, with the "
        f"replies kept from its thread.{card}"
    )
    return {"text": f"Restored {escape(scenario.name)}", "blocks": [section(text)]}


def refusal_message(scenario: ScenarioPublic, doing: str) -> dict[str, Any]:
    """Why the user may not `doing` (e.g. "delete") the scenario, and what they can do instead."""
    text = (
        f":no_entry: Only <@{scenario.author_id}>, who saved *{escape(scenario.name)}*, or a workspace admin may "
        f"{doing} it. You can still discuss it in its thread, or save your own version: `/cost save NEW-NAME …`"
    )
    return {"text": f"Only the author or an admin may {doing} it", "blocks": [section(text)]}


def changed_message(scenario: ScenarioPublic, what: str) -> dict[str, Any]:
    """The scenario's card, headed by what changed (`what` is mrkdwn, escaped by the caller)."""
    message = scenario_card(scenario)
    done = f":white_check_mark: {what}: *{escape(scenario.name)}* is now v{scenario.version}."
    message["blocks"].insert(0, section(done))
    return message


def stale_message(said: str, then: str, *, by: str | None, version: int) -> dict[str, Any]:
    """A change refused because the scenario moved on: what happened, who saved first (a mention), what to do."""
    who = f" <@{by}> saved v{version} first." if by else ""
    return {
        "text": clip(escape(f"{said} {then}")),
        "blocks": [section(f":warning: {escape(said)}{who} {escape(then)}")],
    }
