"""An estimate as the clauses it was typed in, and changes made clause by clause.

A parsed `Request` knows which stretch of its text set which section (`Request.spans`). Cut there, each clause
is parsed on its own to learn what it sets (`10s` sets seconds, `x 1M users` the people count). A change — a
what-if from a thread (`costing.whatif`), a new value (`with_value`) — is a set of new clauses, each replacing
the saved clauses that say the same thing; the result is written from the clauses as they were typed and parsed
once, so it reads as the user wrote it and means exactly what it says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.language import parse_estimate, parse_request
from costing.lexicon import Modality
from costing.request import PART_NAMES, SECTIONS, Count, Request, Subcommand, with_times

__all__ = [
    "COUNT_WORDS",
    "Clause",
    "NotAValue",
    "clauses_of",
    "count_key",
    "deduplicated",
    "meaning",
    "merge",
    "parse_saved",
    "with_value",
]

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
class Clause:
    """One stretch of an estimate text (`x 1M users`, `10s`, `per day`) and what it sets."""

    section: str
    text: str
    parts: frozenset[str] = frozenset()  # workload parts; for prices: override, discount, gpu
    names: str | None = None  # the workload a typed workload word names (`video`, `3 images`)
    count: Count | None = None
    fresh: bool = False  # from the reply: never replaced by another clause of the same reply

    def placed(self) -> str:
        """The text as it must be written in its section: a count needs its x (`x 3`, not `3`)."""
        return with_times(self.text) if self.section == "counts" else self.text


def clauses_of(request: Request, model_names: frozenset[str], *, trim: bool = False) -> list[Clause]:
    """The request's text cut into clauses, in the order typed, each parsed on its own to see what it sets.

    With `trim`, words that set nothing are cut from either end of a clause: the reply's `and 8k tokens` is
    written as `8k tokens`, `with sora-2-pro` as `sora-2-pro`.
    """
    found = []
    for section, first, last in sorted(request.spans, key=lambda span: span[1]):
        text = request.text[first - 1 : last]
        alone = _parse_alone(text, model_names)
        if alone is None:
            found.append(Clause(section, text))
            continue
        if trim:
            text = _trimmed(text, alone, model_names)
        if section == "price":
            kinds = {
                "override": bool(alone.prices),
                "discount": alone.discount_pct is not None,
                "gpu": alone.gpu_hour_usd is not None,
            }
            parts = frozenset(k for k, present in kinds.items() if present)
        else:
            parts = frozenset(p for p in PART_NAMES if getattr(alone, p) is not None)
        named = alone.where.get("modality")
        names = alone.modality if named is not None and named[1] in lx.WORKLOAD_WORDS else None
        found.append(Clause(section, text, parts, names, alone.counts[0] if alone.counts else None))
    return found


def _trimmed(text: str, alone: Request, model_names: frozenset[str]) -> str:
    """`text` without end words that don't change what it says: `and`, `the`, `model`, `with` before a model."""
    said = meaning(alone)
    words = text.split()
    while len(words) > 1:
        for dropped, kept in ((words[0], words[1:]), (words[-1], words[:-1])):
            again = _parse_alone(" ".join(kept), model_names)
            if again is None or meaning(again) != said:
                continue
            keep = dropped.lower() in COUNT_WORDS or (dropped.lower() == "with" and kept[0].lower() in _AUDIO)
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


def count_key(count: Count) -> str | None:
    """What a count counts, for matching a reply's count to a saved one; None for a bare count."""
    if count.noun is None:
        return None
    if count.is_people:
        return "people"
    if count.noun in lx.WORKLOAD_WORDS:
        return f"workload:{lx.WORKLOAD_WORDS[count.noun]}"
    noun = count.noun.lower()
    return noun[:-1] if len(noun) > 3 and noun.endswith("s") and not noun.endswith("ss") else noun


COUNT_WORDS = lx.TIMES_WORDS | {"×", "*"}
_AUDIO = frozenset({"audio", "sound"})


def parse_saved(text: str, model_names: frozenset[str]) -> Request:
    request = parse_request(text, model_names=model_names)
    if isinstance(request, Subcommand):
        raise EstimateError(f"The saved scenario's text is a '{request.name}' command, not an estimate.")
    return request


def deduplicated(clauses: list[Clause]) -> list[Clause]:
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


def merge(saved: Request, reply: Request, old: list[Clause], new: list[Clause]) -> str:
    """The saved text (cut into `old` clauses) with the reply's `new` clauses in place of the ones they change."""
    merged: dict[str, list[Clause]] = {s: [c for c in old if c.section == s] for s in SECTIONS}
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
        key = count_key(clause.count) if clause.count is not None else object()
        # The count it replaces may be in the workload: `3 images` counts, and names the workload.
        counts_it = functools.partial(_counts, key)
        section = next((s for s in ("counts", "workload") if any(map(counts_it, merged[s]))), "counts")
        _put(merged[section], replace(clause, section=section), counts_it, only_first=True)

    texts = [" ".join(c.placed() for c in _in_order(section, merged[section])) for section in SECTIONS]
    return " ".join(t for t in texts if t)


def _names_only(clauses: list[Clause], modality: Modality | None) -> bool:
    """Whether the clauses only name the saved workload again (`video` on a video): that keeps its parts."""
    return all(c.names == modality and not c.parts for c in clauses)


def _kinds(clauses: Iterable[Clause]) -> frozenset[str]:
    return frozenset().union(*(c.parts for c in clauses))


def _counts(key: object, clause: Clause) -> bool:
    """Whether `clause` is a count of what `key` counts (see `count_key`)."""
    return clause.count is not None and count_key(clause.count) == key


def _sets_any(parts: frozenset[str], clause: Clause) -> bool:
    """Whether `clause` sets any of `parts`."""
    return bool(clause.parts & parts)


def _put(clauses: list[Clause], new: Clause, replaces: Callable[[Clause], bool], *, only_first: bool = False) -> None:
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


def _in_order(section: str, clauses: Iterable[Clause]) -> list[Clause]:
    # As `Request.sections` orders them: the clause naming the workload first, then plain words, then numbers,
    # so that `4k` never lands before `video` (`4k video` counts 4,000 videos).
    if section != "workload":
        return list(clauses)
    return sorted(clauses, key=lambda c: 0 if c.names else 1 if not any(ch.isdigit() for ch in c.text) else 2)


def meaning(request: Request) -> dict[str, object]:
    """What each section of a request says, whatever the wording: to tell which sections a change changed."""
    return {
        "workload": (request.modality, *(getattr(request, p) for p in PART_NAMES)),
        "model": request.model,
        "counts": tuple(request.counts),
        "period": request.period,
        "price": (tuple(request.prices), request.discount_pct, request.gpu_hour_usd),
        "value": request.value,
    }


class NotAValue(EstimateError):
    """A new value that can't be read, or says more than what the workload is worth."""


def with_value(saved_text: str, value: str, *, model_names: frozenset[str] = frozenset()) -> str:
    """The saved estimate worth `value` instead: its value clause replaced, every other clause as typed.

    Args:
        saved_text: A saved estimate's text, e.g. `video 10s x 1M users`.
        value: What the workload is worth, in the /cost language (`value $2 each`, `saves 10 min @ $70/h`,
            `revenue $9.99/user/month`); an amount alone (`$2 each`) is read as `value $2 each`. "" removes it.

    Raises:
        NotAValue: `value` says something other than a value, or can't be read (its position counts in `value`
            as given).
        EstimateError: `saved_text` is not an estimate.
    """
    saved = parse_saved(saved_text, model_names)
    kept = [c for c in clauses_of(saved, model_names) if c.section != "value"]
    given: list[Clause] = []
    value = value.strip()
    if value:
        stated = value if value.lower().startswith(tuple(lx.VALUE_WORDS)) else f"value {value}"
        added = len(stated) - len(value)
        try:
            request = parse_estimate(stated, model_names=model_names)
        except EstimateError as error:
            moved = None if error.position is None else error.position - added
            raise NotAValue(
                error.message,
                fragment=error.fragment,
                position=moved if moved and moved > 0 else None,
                suggestion=error.suggestion,
                example=_VALUE_EXAMPLE,
            ) from None
        given = clauses_of(request, model_names)
        if request.value is None or any(c.section != "value" for c in given):
            raise NotAValue(
                f"'{value}' isn't only a value: say what the workload is worth, and change the rest with a "
                "what-if in its thread.",
                fragment=value,
                example=_VALUE_EXAMPLE,
            )
    chosen = kept + given
    texts = [" ".join(c.placed() for c in _in_order(s, [c for c in chosen if c.section == s])) for s in SECTIONS]
    return " ".join(t for t in texts if t)


_VALUE_EXAMPLE = "$20/user/month"  # shown after `/cost value NAME`, where an amount alone is a value
