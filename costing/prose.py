"""An estimate inside ordinary prose: `Plan: chat 1500 in 500 out x 200k per day for support`, `how much would
1M videos of 10s cost?`, `lunch anyone?` (none).

Messages people write are not `/cost` lines: they carry labels, questions, emoji and words around the
workload. `estimate_in` finds the stretch of a message that is one (the longest that parses, from the first
word that names a workload), after taking away what is only punctuation or asking; `has_workload` says
whether a message names a workload at all, so that one that doesn't is told so instead of being shown a
parser's complaint about its first odd character.
"""

from __future__ import annotations

import re
import unicodedata

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.language import parse_request
from costing.request import Request

__all__ = ["MAX_PROSE_WORDS", "estimate_in", "has_workload", "read_instead", "workload_words_in"]

#: Words of a message looked at for an estimate (a message is searched in at most this many), and the words
#: naming a workload an estimate may start at: at most 80 × 4 parses, a few milliseconds, whatever is sent.
MAX_PROSE_WORDS = 80
_MAX_STARTS = 4

_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:", re.IGNORECASE)  # :moneybag:, :+1:
_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Mn", "Me", "Cf", "Co", "Cs", "Cn"})
_ASKING = re.compile(
    r"^(?:(?:hey|hi|so|ok(?:ay)?|quick question|q|question)\b[\s,:!\-]*)*"
    r"(?:how\s+much\s+(?:would|will|does|do|did|might|could|should)\s+|what\s+(?:would|will|does|do|might)\s+"
    r"|(?:can|could)\s+you\s+(?:estimate|price|cost)\s+|estimate\s+|price\s+of\s+|cost\s+of\s+)",
    re.IGNORECASE,
)
_COSTING = re.compile(r"\s+(?:cost|costs|be|run\s+us|set\s+us\s+back)(?:\s+(?:us|me|per\s+\w+))?\s*$", re.IGNORECASE)
_LABEL = re.compile(r"^[A-Za-z][\w ./&'\-]{0,30}:\s+")  # `Plan: …`, `Idea for Q3: …`
_EDGES = " \t\n?!.,;:…\"'“”‘’()[]{}*_~>-"


def _plain(text: str) -> str:
    """The message without emoji, code marks and quotes; one line."""
    text = _SHORTCODE.sub(" ", text.replace("```", " ").replace("`", " "))
    text = "".join(" " if ord(c) > 127 and unicodedata.category(c) in _EMOJI_CATEGORIES else c for c in text)
    return " ".join(text.split())


def _unwrapped(text: str) -> str:
    """Without a leading label or question, and the `… cost?` around the workload."""
    text = text.strip(_EDGES)
    text = _LABEL.sub("", text)
    text = _ASKING.sub("", text)
    text = text.strip(_EDGES)
    return _COSTING.sub("", text).strip(_EDGES)


def _word(token: str) -> str:
    return token.strip(_EDGES).lower()


def workload_words_in(text: str) -> list[str]:
    """The words of `text` that name a workload (`videos`, `chat`, `tts`), in order."""
    return [w for w in (_word(t) for t in _plain(text).split()) if w in lx.WORKLOAD_WORDS]


def has_workload(text: str) -> bool:
    """Whether `text` names a workload anywhere (`lunch anyone?` doesn't)."""
    return bool(workload_words_in(text))


def _parses(text: str, model_names: frozenset[str]) -> bool:
    try:
        return isinstance(parse_request(text, model_names=model_names), Request)
    except EstimateError:
        return False


def estimate_in(text: str, *, model_names: frozenset[str] = frozenset()) -> str | None:
    """The estimate a message holds, as a `/cost` text that parses, or None when none is found.

    The message's own text if it is one; else, without its label, question and punctuation, the longest stretch
    that parses starting at a word naming a workload (or at the count just before it: `1M videos of 10s`) and
    has a number in it.
    """
    if _parses(text, model_names):
        return text
    words = _unwrapped(_plain(text)).split()[:MAX_PROSE_WORDS]
    starts = []
    for n, token in enumerate(words):
        if _word(token) in lx.WORKLOAD_WORDS:
            before = words[n - 1] if n > 0 else ""
            if any(ch.isdigit() for ch in before) and not before.endswith((",", ".", ";", ":", "!", "?")):
                starts.append(n - 1)  # `1M videos of 10s`, not `call me at 5, chat later`
            starts.append(n)
    for start in list(dict.fromkeys(starts))[:_MAX_STARTS]:
        for end in range(len(words), start, -1):
            candidate = " ".join(words[start:end]).strip(_EDGES)
            # Inside prose, an estimate has a number in it: `a video for the launch` is talk, not a workload.
            if any(ch.isdigit() for ch in candidate) and _parses(candidate, model_names):
                return candidate
    return None


def read_instead(text: str, found: str | None, *, typo: bool, prose: bool) -> str | None:
    """Whether to cost `found` (`estimate_in(text)`) in place of `text`, which didn't parse: yes, unless it is
    `text` itself, or only `text`'s end was left off and that end is likely a typo (`… per day modle gpt-4o`):
    always in a `/cost` line, and in a message (`prose`) when the error suggests a word (`typo`). A message's
    trailing remark (`… for support`) is talk."""
    if found is None or found == text:
        return None
    tail_only = " ".join(text.split()).lower().startswith(found.lower())
    return None if tail_only and (typo or not prose) else found
