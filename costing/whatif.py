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

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.language import parse_request, subcommand_of
from costing.lexicon import Modality
from costing.request import SECTIONS, Count, Request, Subcommand, check_fit

__all__ = ["WHATIF_EXAMPLES", "WhatIf", "read_change"]

#: Replies that read as changes, offered whenever a what-if isn't understood.
WHATIF_EXAMPLES = ("what if 2M users", "with veo-3.1-fast", "at $0.20/s", "what if per week")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A reply read as a change: the complete new estimate text, and which of `SECTIONS` it changed."""

    text: str
    changed: tuple[str, ...]


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
    saved = _parse_saved(saved_text, model_names)
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


# --- clauses --------------------------------------------------------------------------------------------------

#: The parts of a workload a reply can change one at a time (`20s`, `4k`, `with audio`).
_PARTS = ("seconds", "resolution", "audio", "quality", "size", "tokens_in", "tokens_out", "tokens", "words", "chars",
          "steps")  # fmt: skip
_TTS = frozenset({"seconds", "chars", "words"})
_EMBED = frozenset({"tokens", "tokens_in", "words"})
_IMAGE = frozenset({"size", "resolution"})
# Parts that say the same thing in another way, per workload: `tts 30s` after `tts 2k chars` must drop the chars,
# or the chars would still win. A part not listed replaces only itself.
_SAME_THING = {
    "tts": dict.fromkeys(_TTS, _TTS),
    "embed": dict.fromkeys(_EMBED, _EMBED),
    "image": dict.fromkeys(_IMAGE, _IMAGE),
    "chat": {
        "tokens": frozenset({"tokens", "tokens_in", "tokens_out", "words"}),
        "tokens_out": frozenset({"tokens_out", "words"}),
        "words": frozenset({"tokens_out", "words"}),
    },
}
_SAME_THING["agent"] = _SAME_THING["chat"]


@dataclass(frozen=True, slots=True)
class _Clause:
    """One stretch of an estimate text (`x 1M users`, `10s`, `per day`) and what it sets."""

    section: str
    text: str
    parts: frozenset[str] = frozenset()  # workload parts; for prices: override, discount, gpu
    names: str | None = None  # the workload a typed workload word names (`video`, `3 images`)
    count: Count | None = None
    fresh: bool = False  # from the reply: never replaced by another clause of the same reply

    def placed(self) -> str:
        """The text as it must be written in its section: a count needs its x (`x 3`, not `3`)."""
        if self.section == "counts" and self.text.lstrip(".")[:1].isdigit():
            return f"x {self.text}"
        return self.text


def _clauses(request: Request, model_names: frozenset[str], *, trim: bool = False) -> list[_Clause]:
    """The request's text cut into clauses, in the order typed, each parsed on its own to see what it sets.

    With `trim`, words that set nothing are cut from either end of a clause: the reply's `and 8k tokens` is
    written as `8k tokens`, `with sora-2-pro` as `sora-2-pro`.
    """
    found = []
    for section, first, last in sorted(request.spans, key=lambda span: span[1]):
        text = request.text[first - 1 : last]
        alone = _parse_alone(text, model_names)
        if alone is None:
            found.append(_Clause(section, text))
            continue
        if trim:
            text = _trimmed(text, alone, model_names)
        if section == "price":
            kinds = {"override": bool(alone.prices), "discount": alone.discount_pct is not None,
                     "gpu": alone.gpu_hour_usd is not None}  # fmt: skip
            parts = frozenset(k for k, present in kinds.items() if present)
        else:
            parts = frozenset(p for p in _PARTS if getattr(alone, p) is not None)
        named = alone.where.get("modality")
        names = alone.modality if named is not None and named[1] in lx.WORKLOAD_WORDS else None
        found.append(_Clause(section, text, parts, names, alone.counts[0] if alone.counts else None))
    return found


def _trimmed(text: str, alone: Request, model_names: frozenset[str]) -> str:
    """`text` without end words that don't change what it says: `and`, `the`, `model`, `with` before a model."""
    meaning = _meaning(alone)
    words = text.split()
    while len(words) > 1:
        for dropped, kept in ((words[0], words[1:]), (words[-1], words[:-1])):
            again = _parse_alone(" ".join(kept), model_names)
            if again is None or _meaning(again) != meaning:
                continue
            keep = dropped.lower() in _COUNT_WORDS or (dropped.lower() == "with" and kept[0].lower() in _AUDIO)
            if not keep:  # `x 20 tickets` and `with audio` stay as typed; `with veo-3.1` becomes `veo-3.1`
                words = kept
                break
        else:
            break
    return " ".join(words)


def _parse_alone(text: str, model_names: frozenset[str]) -> Request | None:
    try:
        request = parse_request(text, model_names=model_names)
    except EstimateError:
        return None
    return request if isinstance(request, Request) else None


def _count_key(count: Count) -> str | None:
    """What a count counts, for matching a reply's count to a saved one; None for a bare count."""
    if count.noun is None:
        return None
    if count.is_people:
        return "people"
    if count.noun in lx.WORKLOAD_WORDS:
        return f"workload:{lx.WORKLOAD_WORDS[count.noun]}"
    noun = count.noun.lower()
    return noun[:-1] if len(noun) > 3 and noun.endswith("s") and not noun.endswith("ss") else noun


# --- merging --------------------------------------------------------------------------------------------------


def _parse_saved(text: str, model_names: frozenset[str]) -> Request:
    request = parse_request(text, model_names=model_names)
    if isinstance(request, Subcommand):
        raise EstimateError(f"The saved scenario's text is a '{request.name}' command, not an estimate.")
    return request


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
    old = _clauses(saved, model_names)
    new = _deduplicated([replace(c, fresh=True) for c in _clauses(reply, model_names, trim=True)])
    if not asked:
        _check_stray_counts(old, new)
    text = _merge(saved, reply, old, new)
    merged = parse_request(text, model_names=model_names)
    if isinstance(merged, Subcommand):  # a merged text starts with its workload, model or counts; never a command
        raise EstimateError(f"'{merged.name}' is a command, not a change to the estimate.", fragment=merged.name)
    if merged.modality is not None:
        check_fit(merged, merged.modality)  # `what if 1000 tokens` on a video
    before, after = _meaning(saved), _meaning(merged)
    changed = tuple(section for section in SECTIONS if before[section] != after[section])
    return WhatIf(text=text, changed=changed) if changed else None


def _check_stray_counts(old: list[_Clause], new: list[_Clause]) -> None:
    """Unasked, `2 cents` or `3 questions` is a remark: a count of something new needs its x (`x 20 tickets`)."""
    saved = {_count_key(c.count) for c in old if c.count is not None}
    for clause in new:
        count = clause.count
        if count is None or count.noun is None or count.is_people or count.noun in lx.WORKLOAD_WORDS:
            continue
        if _count_key(count) not in saved and clause.text.split()[0].lower() not in _COUNT_WORDS:
            raise EstimateError(f"'{clause.text}' reads as a remark, not a count.", fragment=clause.text)


_COUNT_WORDS = lx.TIMES_WORDS | {"×", "*"}
_AUDIO = frozenset({"audio", "sound"})


def _deduplicated(clauses: list[_Clause]) -> list[_Clause]:
    """The clauses without repeats (`4k … 4k`), except counts: `x 3 x 3` multiplies by 9."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for clause in clauses:
        key = (clause.section, clause.text.lower())
        if clause.count is None and key in seen:
            continue
        seen.add(key)
        kept.append(clause)
    return kept


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


def _merge(saved: Request, reply: Request, old: list[_Clause], new: list[_Clause]) -> str:
    """The saved text (cut into `old` clauses) with the reply's `new` clauses in place of the ones they change."""
    merged: dict[str, list[_Clause]] = {s: [c for c in old if c.section == s] for s in SECTIONS}
    given = {s: [c for c in new if c.section == s] for s in SECTIONS}

    for section in ("model", "period", "value"):
        if given[section]:
            merged[section] = given[section]
    price_kinds = _kinds(given["price"])
    merged["price"] = [c for c in merged["price"] if not c.parts & price_kinds] + given["price"]

    # A count of the workload itself (`5 videos` on a video) is a count; any other workload word is a new workload.
    counted = [c for c in given["workload"] if c.count is not None and c.names == saved.modality]
    details = [c for c in given["workload"] if c not in counted]
    if any(c.names is not None for c in details) and not _names_only(details, saved.modality):
        merged["workload"] = details
        if saved.modality is not None and saved.modality != reply.modality and not given["model"]:
            # The saved model and per-unit prices were for the old workload: the new one takes its defaults.
            merged["model"] = []
            if "override" not in price_kinds:
                merged["price"] = [c for c in merged["price"] if "override" not in c.parts]
    else:
        same_thing = _SAME_THING.get(saved.modality or "", {})
        for clause in details:
            knocked = frozenset().union(*(same_thing.get(p, frozenset({p})) for p in clause.parts))
            _put(merged["workload"], clause, functools.partial(_sets_any, knocked))

    for clause in given["counts"] + counted:
        key = _count_key(clause.count) if clause.count is not None else object()
        # The count it replaces may be in the workload: `3 images` counts, and names the workload.
        counts_it = functools.partial(_counts, key)
        section = next((s for s in ("counts", "workload") if any(map(counts_it, merged[s]))), "counts")
        _put(merged[section], replace(clause, section=section), counts_it, only_first=True)

    texts = [" ".join(c.placed() for c in _in_order(section, merged[section])) for section in SECTIONS]
    return " ".join(t for t in texts if t)


def _names_only(clauses: list[_Clause], modality: Modality | None) -> bool:
    """Whether the clauses only name the saved workload again (`video` on a video): that keeps its parts."""
    return all(c.names == modality and not c.parts for c in clauses)


def _kinds(clauses: Iterable[_Clause]) -> frozenset[str]:
    return frozenset().union(*(c.parts for c in clauses))


def _counts(key: object, clause: _Clause) -> bool:
    """Whether `clause` is a count of what `key` counts (see `_count_key`)."""
    return clause.count is not None and _count_key(clause.count) == key


def _sets_any(parts: frozenset[str], clause: _Clause) -> bool:
    """Whether `clause` sets any of `parts`."""
    return bool(clause.parts & parts)


def _put(
    clauses: list[_Clause], new: _Clause, replaces: Callable[[_Clause], bool], *, only_first: bool = False
) -> None:
    """Put `new` where the first saved clause it replaces was (dropping the others it replaces), or at the end.

    Clauses from the reply itself are never replaced: in `x 5 x 2`, the 2 doesn't undo the 5.
    """
    hits = [i for i, c in enumerate(clauses) if not c.fresh and replaces(c)]
    if not hits:
        clauses.append(new)
        return
    clauses[hits[0]] = new
    if not only_first:
        for i in reversed(hits[1:]):
            del clauses[i]


def _in_order(section: str, clauses: Iterable[_Clause]) -> list[_Clause]:
    # As `Request.sections` orders them: the clause naming the workload first, then plain words, then numbers,
    # so that `4k` never lands before `video` (`4k video` counts 4,000 videos).
    if section != "workload":
        return list(clauses)
    return sorted(clauses, key=lambda c: 0 if c.names else 1 if not any(ch.isdigit() for ch in c.text) else 2)


def _meaning(request: Request) -> dict[str, object]:
    """What each section of a request says, whatever the wording: to tell which sections a change changed."""
    return {
        "workload": (request.modality, *(getattr(request, p) for p in _PARTS)),
        "model": request.model,
        "counts": tuple(request.counts),
        "period": request.period,
        "price": (tuple(request.prices), request.discount_pct, request.gpu_hour_usd),
        "value": request.value,
    }
