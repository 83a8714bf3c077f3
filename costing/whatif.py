"""Thread replies as what-ifs: `what if 2M users` on a saved `video 10s x 1M users` gives `video 10s x 2M users`.

A saved scenario has an estimate text; people reply to it in its thread. `read_change` decides whether a reply
reads as a change to that estimate and, if so, writes the complete new estimate text. The reply is parsed with
the /cost language itself (`x 2M users` on its own is a request with only counts), cut into clauses by
`Request.spans`, and each clause replaces the saved clause it says the same thing as:

* model, period and value: the reply's replaces the saved one;
* price: an override (`at $0.2/s`), a discount and a GPU rate each replace their own kind;
* counts, count by count: people replace the people count, a noun the count with that noun, a bare count the
  bare count; anything else is one more count;
* workload: a reply naming a workload (`image`, `video 20s`) replaces the whole workload, while parts alone
  (`20s`, `4k`, `with audio`) replace the saved parts of the same kind and keep the rest.

Everything else — "looks expensive to me", "lgtm 👍" — is conversation, and `read_change` returns None. Only a
reply that plainly asks a what-if ("what if …", "how about …", "… instead") and can't be understood is an
`EstimateError`, worded for the person who asked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from costing import lexicon as lx
from costing.clauses import COUNT_WORDS, Clause, clauses_of, count_key, deduplicated, meaning, merge, parse_saved
from costing.errors import EstimateError
from costing.language import parse_request, subcommand_of
from costing.money import format_count
from costing.request import SECTIONS, Request, Subcommand, check_fit
from costing.value import in_period

__all__ = ["WHATIF_EXAMPLES", "WhatIf", "read_change"]
#: Replies that read as changes, offered whenever a what-if isn't understood.
WHATIF_EXAMPLES = ("what if 2M users", "with veo-3.1-fast", "at $0.20/s", "what if per week")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A reply read as a change: the complete new estimate text, and which of `SECTIONS` it changed.

    Attributes:
        same_volume: When the reply only names another period (`what if per week` on `x 2M per month`), it can
            mean the same volume counted per week as well as `text`'s 2M a week: this is the text for the
            former (`x 460,274 per week`: whole units, rescaled as `costing.value.in_period` does), for the
            caller to ask which was meant. None otherwise.
    """

    text: str
    changed: tuple[str, ...]
    same_volume: str | None = None


def read_change(saved_text: str, reply: str, *, model_names: frozenset[str] = frozenset()) -> WhatIf | None:
    """Read a thread reply as a change to a saved estimate.

    Args:
        saved_text: The saved scenario's estimate text, e.g. `video 10s x 1M users x 3 per user per day`.
        reply: The reply as plain text (`bot.slack_text.plain_text` takes Slack's markup out); emoji, quotes
            and trailing punctuation are ignored.
        model_names: Model ids and aliases the caller knows (`current_catalog().model_names`).

    Returns:
        The new estimate text (which parses with `parse_request` and differs from the saved one) and the
        sections that changed, or None when the reply is conversation rather than a change.

    Raises:
        EstimateError: The reply plainly asks a what-if ("what if …", "how about …", "try …", "… instead") but
            can't be read as a change, or changes nothing. The message says what wasn't understood and gives a
            change that works. Also raised when `saved_text` itself is not an estimate.
    """
    saved = parse_saved(saved_text, model_names)
    cleaned = _clean(reply)
    if not cleaned or subcommand_of(cleaned) is not None:
        return None
    body, asked = _strip_asking(cleaned)
    try:
        change = _read(saved, body, asked=asked, model_names=model_names)
    except EstimateError as error:
        if not asked:
            return None
        raise _for_the_asker(error) from None
    if change is None and asked:
        raise EstimateError(
            f"That's what the scenario already says ({saved.text}), so there is nothing to recompute. "
            f"Say what should change, like {_examples()}.",
            example=WHATIF_EXAMPLES[0],
        )
    return change


# --- reading the reply ----------------------------------------------------------------------------------------

_QUOTES_RE = re.compile(r"(?<!\S)['\"]+(?=\S)|(?<=\S)['\"]+(?!\S)")  # 'quoted', "quoted"
_SMART = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})
_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Mn", "Me", "Cf", "Co", "Cs", "Cn"})

_INTERJECTIONS = r"(?:ok(?:ay)?|k|so|hmm*|hm+|well|but|also|and|alright|right|oh|ah|hey|cool)"
# "How much …" asks a what-if only before what it would be for: "how much for 2M users", not "how much is that".
_TRIGGERS = (
    r"what\s+if|how\s+about|what\s+about|and\s+if|suppose|supposing|instead|try"
    r"|(?:how\s+much(?:\s+(?:would|will|does)\s+it\s+(?:be|cost))?|what\s+(?:would|will|does)\s+it\s+(?:be|cost))"
    r"(?:\s+(?:with|for|if|on)\b|(?=\s+at\b))"
)
_ASKING_RE = re.compile(rf"^(?:{_INTERJECTIONS}\b[\s,]*)*?(?:{_TRIGGERS})\b[\s,:\-]*", re.IGNORECASE)
_INTERJECTIONS_RE = re.compile(rf"^(?:{_INTERJECTIONS}\b[\s,]*)+", re.IGNORECASE)
# After "what if": the English around the change ("what if we had 2M users", "how about switching to sora-2").
_LEAD_RE = re.compile(
    r"^(?:(?:we|you|they|i)\s+(?:had|have|get|got|use|used|switch(?:ed)?\s+to|go\s+with|went\s+with|pick(?:ed)?"
    r"|chose|choose|ran|run|do|did|made|make|charged?|pay|paid)|we'd\s+(?:have|use|get)|we\s+were\s+at"
    r"|it(?:'s|\s+is|\s+was|\s+were|\s+had)|there(?:'s|\s+are|\s+were|\s+is|\s+was)"
    r"|switch(?:ing)?\s+to|go(?:ing)?\s+with|use|if|we|i|it)\b[\s,]*",
    re.IGNORECASE,
)
_TRAILING_WORDS = frozenset({"instead", "then", "please", "pls", "plz", "maybe", "perhaps", "now", "thanks", "thx"})
_TRAILING_PUNCTUATION = " ?!.,;:…"  # never leading: `.5M users`


def _clean(reply: str) -> str:
    """The reply without emoji, quotes around words and trailing punctuation; `&` read as `and`."""
    text = reply.translate(_SMART).replace("&", " and ")
    text = "".join(
        " " if ord(c) > 127 and unicodedata.category(c) in _EMOJI_CATEGORIES else c for c in text
    )  # 👍, ✅, skin tones, variation selectors, joiners
    text = _QUOTES_RE.sub(" ", text)
    return " ".join(text.split()).rstrip(_TRAILING_PUNCTUATION).lstrip(" ,;:")


def _strip_asking(text: str) -> tuple[str, bool]:
    """Cut the asking phrase off: ("2M users", True) for "what if we had 2M users instead"."""
    asked = False
    match = _ASKING_RE.match(text)
    if match:
        asked = True
        text = text[match.end() :]
        while (lead := _LEAD_RE.match(text)) and lead.end() > 0:
            text = text[lead.end() :]
    else:
        text = _INTERJECTIONS_RE.sub("", text)
    while True:  # "… instead?", "… then please"
        text = text.rstrip(_TRAILING_PUNCTUATION)
        head, _, last = text.rpartition(" ")
        if last.lower() not in _TRAILING_WORDS:
            break
        asked = asked or last.lower() == "instead"
        text = head
    return text, asked


class _NothingToChange(EstimateError):
    """A what-if with no change in it: "what if?", "how about it"."""


def _for_the_asker(error: EstimateError) -> EstimateError:
    """An error reworded for a what-if: no column numbers (they count in a text the user never typed)."""
    if isinstance(error, _NothingToChange):
        message = f"I read that as a what-if, but found nothing in it to change. A change looks like {_examples()}."
    else:
        message = f"I read that as a what-if, but couldn't apply it: {error.message} A change looks like {_examples()}."
    return EstimateError(message, fragment=error.fragment, suggestion=error.suggestion, example=WHATIF_EXAMPLES[0])


def _examples() -> str:
    return ", ".join(f"'{e}'" for e in WHATIF_EXAMPLES[:-1]) + f" or '{WHATIF_EXAMPLES[-1]}'"


# --- reading the change ---------------------------------------------------------------------------------------


def _read(saved: Request, body: str, *, asked: bool, model_names: frozenset[str]) -> WhatIf | None:
    """The change `body` makes to `saved`, or None when it changes nothing.

    Raises:
        EstimateError: `body` doesn't parse, sets nothing, or makes an estimate that doesn't hold together; or,
            unless `asked`, it reads more like a remark than a change (`2 cents`).
    """
    if not body:
        raise _NothingToChange("nothing to change")
    reply = parse_request(body, model_names=model_names)
    if isinstance(reply, Subcommand):
        raise EstimateError(f"'{reply.name}' is a command, not a change to the estimate.", fragment=reply.name)
    if not (reply.where or reply.counts):
        raise _NothingToChange("nothing to change")
    _check_people_typos(reply)
    _check_model(reply, model_names)
    old = clauses_of(saved, model_names)
    new = deduplicated([replace(c, fresh=True) for c in clauses_of(reply, model_names, trim=True)])
    if not asked:
        _check_stray_counts(old, new)
    text = merge(saved, reply, old, new)
    merged = parse_request(text, model_names=model_names)
    if isinstance(merged, Subcommand):  # a merged text starts with its workload, model or counts; never a command
        raise EstimateError(f"'{merged.name}' is a command, not a change to the estimate.", fragment=merged.name)
    if merged.modality is not None:
        check_fit(merged, merged.modality)  # `what if 1000 tokens` on a video
    before, after = meaning(saved), meaning(merged)
    changed = tuple(section for section in SECTIONS if before[section] != after[section])
    if not changed:
        return None
    same_volume = None
    if changed == ("period",) and not reply.counts:
        same_volume = _same_volume(saved, merged, model_names)
    return WhatIf(text=text, changed=changed, same_volume=same_volume)


def _same_volume(saved: Request, merged: Request, model_names: frozenset[str]) -> str | None:
    """`saved` with its period changed to `merged`'s and its rate rescaled to keep the volume: the last count
    that isn't people (`x 1M users x 3 per user per day` → `x 21 per user` a week), or, with only people, a
    rate per user (`x 1M users per month` → `x 1M users x 12 per user` a year), as `_counted` writes counts.
    None when there is nothing to rescale (no counts, or a period missing)."""
    if saved.period is None or merged.period is None or not saved.counts:
        return None
    rates = [count for count in saved.counts if not count.is_people]
    per_user = " per user" if saved.users is not None else ""
    if rates:
        rate = rates[-1]
        noun = f" {rate.noun}" if rate.noun else per_user
        scaled = in_period(rate.value, saved.period, merged.period)
    else:  # `x 1M users per month`: one each a month, so 12 each a year
        noun = per_user
        scaled = in_period(Decimal(1), saved.period, merged.period)
    body = f"x {format_count(_counted(scaled))}{noun} per {merged.period}"
    change = _read(saved, body, asked=True, model_names=model_names)
    return None if change is None else change.text


def _counted(amount: Decimal) -> Decimal:
    """A rescaled count as people write one: whole when that is within 1% (`460,274`, `91` for 91.25), else
    three significant digits (`1.43` a day for 10 a week, not 1)."""
    whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if whole > 0 and abs(whole - amount) <= amount / 100:
        return whole
    return amount.quantize(Decimal(1).scaleb(amount.adjusted() - 2), rounding=ROUND_HALF_UP).normalize()


def _check_stray_counts(old: list[Clause], new: list[Clause]) -> None:
    """Unasked, `2 cents` or `3 questions` is a remark: a count of something new needs its x (`x 20 tickets`)."""
    saved = {count_key(c.count) for c in old if c.count is not None}
    for clause in new:
        count = clause.count
        if count is None or count.noun is None or count.is_people or count.noun in lx.WORKLOAD_WORDS:
            continue
        if count_key(count) not in saved and clause.text.split()[0].lower() not in COUNT_WORDS:
            raise EstimateError(f"'{clause.text}' reads as a remark, not a count.", fragment=clause.text)


def _check_model(reply: Request, model_names: frozenset[str]) -> None:
    """Refuse a hyphenated word taken for a model (`follow-up`, `one-off`): real model names have a digit."""
    model = reply.model
    if model is None or model in model_names or model in lx.MODEL_WORDS or any(c.isdigit() for c in model):
        return
    raise EstimateError(f"'{model}' isn't a model I know.", fragment=model)


def _check_people_typos(reply: Request) -> None:
    """`what if 2M usres` would add 2M "usres" on top of the users: ask instead.

    Only swapped letters count as a typo; `x 5 uses per user` is a count of uses, not a misspelt `users`.
    """
    for count in reply.counts:
        if count.noun is None or count.is_people:
            continue
        swapped = [noun for noun in sorted(lx.PEOPLE_NOUNS) if sorted(noun) == sorted(count.noun)]
        if swapped:
            raise EstimateError(
                f"'{count.noun}' isn't a word I count as people, so it would be one more count on top of the others.",
                fragment=count.noun,
                suggestion=swapped[0],
            )
