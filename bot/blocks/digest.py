"""The weekly digest as Slack messages: a summary posted in the channel, every scenario in its thread.

`digest_messages` turns a `costing.digest.Digest` into the messages to post: the first goes in the channel (totals,
top spenders, over budget, scenarios without a value, what changed, one-off costs), the rest continue in its
thread (one line per scenario, then the one-off costs). Nothing here calls Slack.

Slack rejects a message outright when a limit is passed, so every message stays inside them by construction:
at most `MAX_BLOCKS` blocks, section texts packed line by line under `SECTION_BUDGET` characters (a line is never
cut in half; a single over-long line is shortened with "…" outside any link or entity), a header of at most
150 characters, and at most `MESSAGE_TEXT_BUDGET` characters of text per message (Slack also refuses a message
whose blocks carry too much text in all, `msg_blocks_too_long`, at an undocumented ~12,000 characters).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.blocks.mrkdwn import clip, escape
from bot.blocks.parts import context, section, sections, split_messages
from bot.blocks.words import and_more, move, pays_back, plural, share
from costing import (
    Cause,
    Digest,
    DigestLine,
    OneOff,
    Period,
    Totals,
    format_count,
    format_ratio,
    format_usd,
    in_period,
)

__all__ = ["MAX_BLOCKS", "MESSAGE_TEXT_BUDGET", "SECTION_BUDGET", "THREAD_LIMIT", "digest_messages"]

#: Blocks per message (Slack allows 50; the margin keeps a later added block from tipping it over).
MAX_BLOCKS = 45
#: Characters per section text (Slack allows 3,000).
SECTION_BUDGET = 2900
#: Characters of block text per message, all blocks together (Slack refuses ~12,000 and more).
MESSAGE_TEXT_BUDGET = 9000
#: Scenario lines the thread lists by default before "…and N more".
THREAD_LIMIT = 300
HEADER_LIMIT = 150

#: How much of a name, a link or a note a line shows: long enough to recognise, short enough to fit.
_NAME_SHORT = 60  # in the channel summary
_NAME_LONG = 150  # in the thread's list
_LINK_LIMIT = 300  # a Slack permalink is under 100 characters; a longer "link" is shown unlinked
_NOTE_LIMIT = 300
#: Items the summary names before saying how many more there are.
_TOP = 3
_SHOWN = 5
#: A move smaller than this (dollars a week) is rounding, not news.
_NOISE = Decimal("0.005")

SAVE_EXAMPLE = "/cost save NAME video 10s x 1M users per day"
VALUE_EXAMPLE = "/cost value NAME saves 10 min @ $70/h"


# --- text pieces ---------------------------------------------------------------------------------------------


def _flat(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis (before escaping: no entity is cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _safe_link(url: str | None) -> str | None:
    """The URL as it goes inside `<…|name>`, or None when it isn't a plain http(s) link."""
    if not url or len(url) > _LINK_LIMIT or not url.startswith(("https://", "http://")):
        return None
    if any(c in url for c in "<>|") or any(c.isspace() or not c.isprintable() for c in url):
        return None
    return url.replace("&", "&amp;")


def _name(item: DigestLine | OneOff, limit: int = _NAME_LONG) -> str:
    """The scenario's name, linked to its thread when it has a link, bold otherwise; always escaped."""
    name = escape(_flat(item.name, limit))
    url = _safe_link(item.link)
    return f"<{url}|{name}>" if url else f"*{name}*"


def _plain(name: str, limit: int = _NAME_SHORT) -> str:
    return f"*{escape(_flat(name, limit))}*"


# --- blocks --------------------------------------------------------------------------------------------------


# Digest sections keep a margin under Slack's 3,000 characters.
_section = functools.partial(section, limit=SECTION_BUDGET)
_context = functools.partial(context, limit=SECTION_BUDGET)


def _header(text: str) -> dict[str, Any]:
    flat = _flat(text, HEADER_LIMIT) or "Weekly digest"
    return {"type": "header", "text": {"type": "plain_text", "text": flat}}


_sections = functools.partial(sections, limit=SECTION_BUDGET)
_split = functools.partial(split_messages, max_blocks=MAX_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)


# --- the summary in the channel ------------------------------------------------------------------------------


def _since_last(digest: Digest) -> str:
    previous = digest.previous_totals
    if previous is None:
        return "first digest — changes show from next week"
    delta = digest.totals.api_week - previous.api_week
    if abs(delta) < _NOISE:
        return f"unchanged ({format_usd(previous.api_week)}/week)"
    return f"{move(delta, previous.api_week, '/week')}, from {format_usd(previous.api_week)}/week"


def _compute_week(totals: Totals) -> str:
    """`$9,861,047/week` or its range, `$6,100,000–$19,700,000/week` (batched at scale ↔ one at a time)."""
    low, high = totals.compute_low_week, totals.compute_high_week
    if low is None or high is None or low == high:
        return f"{format_usd(totals.compute_week)}/week"
    return f"{format_usd(low)}–{format_usd(high)}/week"


def _verdict(digest: Digest) -> str | None:
    """`pays back: value 2.00× API spend` (`bot.blocks.words.pays_back`), over the scenarios that state a
    value; None without."""
    ratio = digest.totals.ratio
    if ratio is None:
        return None
    said = pays_back(ratio)
    valued = len(digest.lines) - len(digest.unvalued)
    return said if valued == len(digest.lines) else f"{said} where a value is stated"


def _headline_line(digest: Digest) -> str:
    """The digest's first line: the week's API spend, its compute range, and the verdict."""
    totals = digest.totals
    line = (
        f"*{format_usd(totals.api_week)}/week* API spend · {_compute_week(totals)} GPU compute · "
        f"{plural(len(digest.lines), 'recurring scenario')}"
    )
    verdict = _verdict(digest)
    return f"{line} · {verdict}" if verdict else line


def _totals(digest: Digest) -> dict[str, Any]:
    totals: Totals = digest.totals
    valued = len(digest.lines) - len(digest.unvalued)
    if valued:
        value = (
            f"{format_usd(totals.value_week)}/week\n_stated for {valued:,} of {plural(len(digest.lines), 'scenario')}_"
        )
        ratio = f"{format_ratio(totals.ratio)}\n_over the scenarios with a value_" if totals.ratio is not None else "—"
    else:
        value, ratio = "none stated", "—"
    fields = [
        f"*API spend*\n{format_usd(totals.api_week)}/week",
        f"*GPU compute, typical*\n{format_usd(totals.compute_week)}/week",
        f"*Value*\n{value}",
        f"*Value ÷ API spend*\n{ratio}",
        f"*API spend with no stated value*\n{format_usd(totals.unvalued_api_week)}/week",
        f"*Since the last digest*\n{_since_last(digest)}",
    ]
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(_headline_line(digest))},
        "fields": [{"type": "mrkdwn", "text": clip(text, 2000)} for text in fields],
    }


def _top_spenders(digest: Digest) -> list[str]:
    top = digest.top_spenders(_TOP)
    if not top:
        return []
    lines = ["*Top spenders*"]
    for rank, line in enumerate(top, 1):
        pct = line.api_week / digest.totals.api_week * 100  # top spenders spend more than $0: the total does too
        portion = f" · {pct:.0f}% of the total" if pct >= Decimal("0.5") else " · under 1% of the total"
        lines.append(f"{rank}. {_name(line, _NAME_SHORT)} — *{format_usd(line.api_week)}*/week API{portion}")
    return lines


def _over_budget(digest: Digest) -> list[str]:
    over = digest.over_budget
    if not over:
        return []
    lines = [f":rotating_light: *Over budget* ({len(over):,})"]
    for line in over[:_SHOWN]:
        lines.append(f"• {_name(line, _NAME_SHORT)} — {_against_budget(line)}")
    if len(over) > _SHOWN:
        lines.append(f"…and {len(over) - _SHOWN:,} more over budget")
    return lines


def _unvalued(digest: Digest) -> list[str]:
    unvalued = digest.unvalued
    if not unvalued:
        return []
    names = [_name(line, _NAME_SHORT) for line in unvalued[:_TOP]]
    return [
        f":grey_question: *{plural(len(unvalued), 'scenario')} without a stated value* — "
        f"{format_usd(digest.totals.unvalued_api_week)}/week API with nothing to weigh it against: "
        f"{and_more(names, len(unvalued))}",
        f"Add one: `{VALUE_EXAMPLE}`",
    ]


def _causes(causes: Sequence[Cause]) -> str:
    return "; ".join(escape(_flat(str(cause), 200)) for cause in causes[:3])


def _changes(digest: Digest) -> list[str]:
    lines = ["*Since the last digest*"]
    if digest.previous_totals is None:  # the totals say it is the first digest; only saved prices can have moved
        noted = [line for line in digest.lines if line.price_note]
        if not noted:
            return []
        lines = [":label: *Prices changed since these were saved*"]
        for line in noted[:_SHOWN]:
            lines.append(f"• {_name(line, _NAME_SHORT)}: {escape(_flat(line.price_note or '', _NOTE_LIMIT))}")
        if len(noted) > _SHOWN:
            lines.append(f"…and {len(noted) - _SHOWN:,} more")
        return lines
    changed = digest.changed
    for line in changed[:_SHOWN]:
        change = line.change
        assert change is not None
        why = f" — {_causes(change.causes)}" if change.causes else ""
        lines.append(f"• {_name(line, _NAME_SHORT)}: {move(change.delta_usd, change.previous_api_week, '/week')}{why}")
    if len(changed) > _SHOWN:
        lines.append(f"…and {plural(len(changed) - _SHOWN, 'more move')}")
    if digest.price_changes:
        shown = [escape(_flat(change, 200)) for change in digest.price_changes[:_SHOWN]]
        lines.append(f":label: Prices: {and_more(shown, len(digest.price_changes))}")
    new = digest.new
    if new:
        lines.append(f":new: New: {and_more([_name(line, _NAME_SHORT) for line in new[:_SHOWN]], len(new))}")
    if digest.removed:
        gone = [_plain(name) for name in digest.removed[:_SHOWN]]
        lines.append(f":wastebasket: Removed: {and_more(gone, len(digest.removed))}")
    if len(lines) == 1:
        lines.append("Nothing moved: same scenarios, same prices, same figures.")
    return lines


def _one_offs_summary(digest: Digest) -> list[str]:
    if not digest.one_offs:
        return []
    api = sum((item.api_usd for item in digest.one_offs), Decimal(0))
    compute = sum((item.compute_usd for item in digest.one_offs), Decimal(0))
    lines = [
        f":receipt: *{plural(len(digest.one_offs), 'one-off cost')}*: {format_usd(api)} API in all "
        f"({format_usd(compute)} GPU compute), paid once and not in the weekly figures; listed in the thread."
    ]
    if not digest.lines:  # they are all there is: name the biggest here
        lines += [f"• {_name(item, _NAME_SHORT)} — {format_usd(item.api_usd)} API" for item in digest.one_offs[:_TOP]]
    return lines


def _about(digest: Digest) -> str:
    stale = sum(1 for line in digest.lines if line.not_recosted) + sum(1 for o in digest.one_offs if o.not_recosted)
    kept = f" (but {plural(stale, 'scenario')}: shown as saved, see the thread)" if stale else ""
    return (
        f"Figures re-costed with today's prices{kept} · a week is 7 days, a month 365/12 days · compute is raw GPU "
        "time · the full list and a chart are in the thread"
    )


def _headline(digest: Digest, heading: str) -> str:
    totals = digest.totals
    if not digest.lines:
        api = sum((item.api_usd for item in digest.one_offs), Decimal(0))
        return (
            f"{escape(_flat(heading, HEADER_LIMIT))}: no recurring spend; "
            f"{plural(len(digest.one_offs), 'one-off cost')}, {format_usd(api)} API in all"
        )
    text = (
        f"{escape(_flat(heading, HEADER_LIMIT))}: {format_usd(totals.api_week)}/week API spend, "
        f"{_compute_week(totals)} GPU compute"
    )
    if totals.ratio is not None:
        text += f", value {format_usd(totals.value_week)}/week ({format_ratio(totals.ratio)} of the spend that has one)"
    if digest.previous_totals is not None:
        text += f"; since the last digest {_since_last(digest)}"
    if digest.over_budget:
        text += f"; {len(digest.over_budget):,} over budget"
    return text


def _summary(digest: Digest, heading: str) -> list[dict[str, Any]]:
    blocks = [_header(heading)]
    if digest.lines:
        blocks.append(_totals(digest))
    else:
        blocks.append(_section("*No recurring spend*: every scenario saved in this channel is a one-off cost."))
    for part in (_top_spenders(digest), _over_budget(digest), _changes(digest), _unvalued(digest)):
        blocks += _sections(part)
    blocks += _sections(_one_offs_summary(digest))
    blocks.append(_context(_about(digest)))
    return blocks


# --- the list in the thread ----------------------------------------------------------------------------------


def _against_budget(line: DigestLine) -> str:
    """A week's spend against the monthly budget made weekly, as every figure of a digest is weekly:
    `$28,000,000/week vs $23,013,699/week (its $100,000,000/month budget, 122%)`."""
    budget = line.budget_usd_month or Decimal(0)
    weekly = in_period(budget, Period.MONTH, Period.WEEK)
    used = f", {share(line.api_month, budget)}" if budget else ""
    return (
        f"{format_usd(line.api_week)}/week vs {format_usd(weekly)}/week (its {format_usd(budget)}/month budget{used})"
    )


def _budget(line: DigestLine) -> str | None:
    budget = line.budget_usd_month
    if budget is None:
        return None
    if line.over_budget:
        return f":rotating_light: over budget: {_against_budget(line)}"
    if not budget:
        return ":white_check_mark: within its $0/month budget"
    weekly = in_period(budget, Period.MONTH, Period.WEEK)
    return (
        f":white_check_mark: {share(line.api_month, budget)} of its {format_usd(weekly)}/week budget "
        f"({format_usd(budget)}/month)"
    )


def _scenario_line(rank: int, line: DigestLine, *, has_previous: bool) -> str:
    parts = [
        f"{rank:,}. {_name(line)}",
        f"*{format_usd(line.api_week)}/week API*",
        f"{format_usd(line.compute_week)} compute",
    ]
    if line.value_week is None:
        parts.append(":grey_question: no value stated")
    else:
        ratio = f" ({format_ratio(line.ratio)})" if line.ratio is not None else ""
        parts.append(f"value {format_usd(line.value_week)}/week{ratio}")
    budget = _budget(line)
    if budget:
        parts.append(budget)
    change = line.change
    if line.is_new:
        parts.append(":new: new")
    elif change is not None and (abs(change.delta_usd) >= _NOISE or change.causes):
        moved = move(change.delta_usd, change.previous_api_week) if abs(change.delta_usd) >= _NOISE else "no change"
        parts.append(f"{moved} — {_causes(change.causes)}" if change.causes else moved)
    elif has_previous and change is not None:
        parts.append("unchanged")
    for note in (line.not_recosted, line.price_note):
        if note:
            parts.append(f"_{escape(_flat(note, _NOTE_LIMIT))}_")
    return " · ".join(parts)


def _payback(days: Decimal) -> str:
    if days < 1:
        return "pays back within a day"
    return f"pays back in {format_count(days.quantize(Decimal(1)))} days"


def _one_off_line(item: OneOff) -> str:
    parts = [
        f"• {_name(item)}",
        f"*{format_usd(item.api_usd)} API* in all",
        f"{format_usd(item.compute_usd)} compute",
    ]
    if item.value_description:  # it names itself: "value: $50.00 per month", "time saved: …"
        parts.append(escape(_flat(item.value_description, _NOTE_LIMIT)))
    else:
        parts.append(":grey_question: no value stated")
    if item.payback_days is not None:
        parts.append(_payback(item.payback_days))
    if item.not_recosted:
        parts.append(f"_{escape(_flat(item.not_recosted, _NOTE_LIMIT))}_")
    return " · ".join(parts)


def _thread_lines(digest: Digest, limit: int) -> list[str]:
    lines: list[str] = []
    has_previous = digest.previous_totals is not None
    if digest.lines:
        lines.append(
            f"*Every recurring scenario* by weekly API spend ({len(digest.lines):,}) · API and compute a week, "
            "value ÷ API spend, budget, change since the last digest"
        )
        shown = digest.lines[:limit]
        lines += [_scenario_line(rank, line, has_previous=has_previous) for rank, line in enumerate(shown, 1)]
        rest = digest.lines[len(shown) :]
        if rest:
            api = sum((line.api_week for line in rest), Decimal(0))
            lines.append(
                f"…and {plural(len(rest), 'more scenario')} ({format_usd(api)} a week API in all); "
                "`/cost list` shows every one"
            )
    if digest.one_offs:
        lines.append(f"*One-off costs* ({len(digest.one_offs):,}) · paid once, not in the weekly figures")
        shown_once = digest.one_offs[:limit]
        lines += [_one_off_line(item) for item in shown_once]
        rest_once = digest.one_offs[len(shown_once) :]
        if rest_once:
            api = sum((item.api_usd for item in rest_once), Decimal(0))
            lines.append(
                f"…and {plural(len(rest_once), 'more one-off cost')} ({format_usd(api)} API in all); "
                "`/cost list` shows every one"
            )
    return lines


# --- the entry point -----------------------------------------------------------------------------------------


def _empty(channel_id: str, heading: str) -> list[dict[str, Any]]:
    channel = f"<#{escape(channel_id)}>"
    text = (
        f"There are no saved scenarios in {channel} yet, so there is nothing to add up this week.\n"
        f"Save one with `{SAVE_EXAMPLE}`; the digest will include it from next week."
    )
    fallback = f"{escape(_flat(heading, HEADER_LIMIT))}: no saved scenarios in {channel} yet"
    return [{"text": fallback, "blocks": [_header(heading), _section(text)]}]


def digest_messages(
    digest: Digest, *, channel_id: str, heading: str, thread_limit: int = THREAD_LIMIT
) -> list[dict[str, Any]]:
    """The Slack messages of one digest, each `{"text": fallback, "blocks": [...]}`.

    The first is posted in the channel: totals, top spenders, over budget, scenarios without a value, what
    changed and why, one-off costs. The rest go into its thread: every recurring scenario on one line (up to
    `thread_limit`, then how many more and their spend), then the one-off costs.

    Args:
        digest: The channel's digest (`costing.digest.build_digest`).
        channel_id: The channel it is for (named in the empty digest).
        heading: The first message's header, e.g. "Weekly AI spend vs value · week 48" (cut to 150 characters).
        thread_limit: The most scenario lines the thread lists (recurring and one-off each).
    """
    if digest.is_empty:
        return _empty(channel_id, heading)
    limit = max(thread_limit, 0)
    summary = _split(_summary(digest, heading))
    thread = _split(_sections(_thread_lines(digest, limit)))
    label = escape(_flat(heading, HEADER_LIMIT))
    messages = [{"text": clip(_headline(digest, heading), 1000), "blocks": summary[0]}]
    rest = summary[1:] + thread
    for number, blocks in enumerate(rest, 1):
        part = f" ({number} of {len(rest)})" if len(rest) > 1 else ""
        messages.append({"text": f"{label} — every scenario{part}", "blocks": blocks})
    return messages
