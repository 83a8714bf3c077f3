"""The /cost language: text in, a structured `Request` (or a `Subcommand`) out.

Parsing is two steps. `costing.scanner` cuts the text into typed tokens; `_Parser` then walks them and tries
each clause at the current position, so that clauses may come in any order: `x 1M users video 10s` means the
same as `video 10s x 1M users`. Whatever no clause accepts is an `EstimateError` naming the token and its
position.

This module knows words, not prices: whether `veo-3.1-fast` exists is the catalog's business.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable

from costing import lexicon as lx
from costing.detail_clauses import DetailClauses
from costing.errors import EstimateError
from costing.price_clauses import PriceClauses
from costing.request import Request, Subcommand
from costing.scanner import Token, scan

__all__ = ["parse_estimate", "parse_request", "subcommand_of"]


def parse_request(text: str, *, model_names: frozenset[str] = frozenset()) -> Request | Subcommand:
    """Parse one /cost line.

    Args:
        text: What the user typed after `/cost`.
        model_names: Model ids and aliases the caller knows; they are read as models even when they look like
            plain words (`sora`, `whisper`), and offered as suggestions for near misses.

    Returns:
        A `Subcommand` when the first word is one (`help`, `save`, …), otherwise a `Request`.

    Raises:
        EstimateError: The text is empty, too long, or has a part no clause understands.
    """
    command = subcommand_of(text.strip()) if len(text.strip()) <= lx.MAX_TEXT_LENGTH else None
    return command if command is not None else parse_estimate(text, model_names=model_names)


def parse_estimate(text: str, *, model_names: frozenset[str] = frozenset()) -> Request:
    """Parse `text` as an estimate, even when its first word names a subcommand (a value clause on its own,
    `save 10 min @ $70/h`, starts with `save`).

    Raises:
        EstimateError: As `parse_request`.
    """
    stripped = text.strip()
    if not stripped:
        raise EstimateError(
            "Tell me what to cost: a workload, a model if you like, and how many.", example=lx.EXAMPLES["video"]
        )
    if len(stripped) > lx.MAX_TEXT_LENGTH:
        raise EstimateError(
            f"That is {len(stripped)} characters; an estimate fits in {lx.MAX_TEXT_LENGTH}. "
            "Describe one workload at a time.",
            example=lx.EXAMPLES["chat"],
        )
    return _Parser(stripped, scan(stripped), model_names).parse()


def subcommand_of(text: str) -> Subcommand | None:
    """The subcommand `text` starts with (`help`, `prices veo`, `save NAME …`), or None for an estimate."""
    first, _, rest = text.strip().partition(" ")
    first = first.lower()
    if first in lx.SUBCOMMANDS and not _looks_like_value_estimate(first, rest):
        return Subcommand(first, rest.strip())
    return None


def _looks_like_value_estimate(first: str, rest: str) -> bool:
    # `value NAME $X` is a subcommand, but `value $0.05 each video 10s` is an estimate that starts with its value.
    return first == "value" and rest.lstrip().startswith("$")


_AUDIO_WORDS = frozenset({"with", "without", "no", "audio", "sound", "silent", "muted", "mute"})


@functools.lru_cache(maxsize=2048)
def _clauses_for(kind: str, text: str) -> tuple[str, ...]:
    """The clauses that can start at a token, in priority order: the parser tries only these."""
    if kind == "num":
        return ("_clause_discount", "_clause_number")
    if kind in {"res", "size"}:
        return ("_clause_resolution_word",)
    if kind == "sym":
        return {"/": ("_clause_period",), "@": ("_clause_price",)}.get(text, ())
    if kind != "word":
        return ()
    triggers = (
        ("_clause_workload", text in lx.WORKLOAD_WORDS),
        ("_clause_times", text in lx.TIMES_WORDS),
        ("_clause_discount", text in {"discount", "discounted"}),
        ("_clause_period", text in lx.ADVERB_PERIODS or text in {"per", "a", "an", "every", "each"}),
        ("_clause_price", text == "at"),
        ("_clause_gpu", text in {"gpu", "gpus"}),
        ("_clause_value", text in lx.VALUE_WORDS),
        ("_clause_audio", text in _AUDIO_WORDS),
        ("_clause_resolution_word", text in lx.RESOLUTION_ALIASES or text == "full"),
        ("_clause_quality", text in lx.QUALITY_WORDS),
        ("_clause_model_or_filler", True),
    )
    return tuple(name for name, fires in triggers if fires)


@functools.lru_cache(maxsize=2048)
def _clause_methods(kind: str, text: str) -> tuple[Callable[[_Parser], bool], ...]:
    """`_clauses_for` as the parser's own functions, looked up once per kind of token."""
    return tuple(getattr(_Parser, name) for name in _clauses_for(kind, text))


# Sections in order of precedence, when one clause sets parts of two: `3 images` counts, and names the workload
# as it does, so it is the workload's.
_SECTION_ORDER = ("workload", "counts", "model", "period", "price", "value")


class _Parser(PriceClauses, DetailClauses):
    """Walks the tokens once; each `_clause_*` method consumes what it recognises and returns True."""

    # --- driver -------------------------------------------------------------------------------------------
    def parse(self) -> Request:
        tokens = self.tokens
        while self.i < len(tokens):
            tok = tokens[self.i]
            start = self.i
            for clause in _clause_methods(tok.kind, tok.text if tok.kind in {"word", "sym"} else ""):
                if clause(self):
                    break
            else:
                raise self._not_understood(tok)
            self._note_section(start)
        self._close_sections()
        return self.req

    def _note_section(self, start: int) -> None:
        """Remember which section of the request the tokens just consumed belong to (for editing forms)."""
        touched = self._touched
        if not touched:
            # Words that set nothing ("at", "for", "per user") go with the clause after them: `at 720p`.
            self._loose_from = self._loose_from or self.tokens[start].pos
            return
        for section in _SECTION_ORDER:
            if section in touched:
                break
        touched.clear()
        last = self.tokens[self.i - 1]
        self.req.spans.append((section, self._loose_from or self.tokens[start].pos, last.pos + len(last.text) - 1))
        self._loose_from = None

    def _close_sections(self) -> None:
        """Trailing words that set nothing join the last section (or make the workload's, if alone)."""
        if self._loose_from is None:
            return
        end = len(self.text)
        spans = self.req.spans
        if spans:
            section, begin, _ = spans[-1]
            spans[-1] = (section, begin, end)
        else:
            spans.append(("workload", self._loose_from, end))

    def _not_understood(self, tok: Token) -> EstimateError:
        if tok.kind in {"num", "money"}:
            return self.fail(
                f"I don't know what '{tok.text}' counts here. Put a unit after a number "
                "(10s, 500 tokens, 3 images), an x before a count (x 1M users), or 'at' before a price "
                "($0.25/s).",
                tok,
                example=lx.EXAMPLES.get(self.req.modality or "video"),
            )
        if tok.text in lx.PEOPLE_NOUNS:
            return self.fail(
                f"'{tok.text}' needs a count before it, like 'x 1M {tok.text}'.",
                tok,
                example=lx.EXAMPLES["video"],
            )
        vocabulary = lx.vocabulary() | self.model_names
        if tok is self.tokens[0]:
            vocabulary |= lx.SUBCOMMANDS  # `/cost hepl` meant help
        vocabulary -= {tok.text}
        close = difflib.get_close_matches(tok.text, vocabulary, n=1, cutoff=0.75)
        return self.fail(
            f"I don't understand '{tok.text}'.",
            tok,
            suggestion=close[0] if close else None,
            example=lx.EXAMPLES.get(self.req.modality or "video"),
        )

    # --- clauses ------------------------------------------------------------------------------------------
    def _clause_workload(self) -> bool:
        word = self.peek_word()
        if word not in lx.WORKLOAD_WORDS:
            return False
        tok = self.tokens[self.i]
        # `chat 2k tokens` vs `x 1M messages`: a workload word right after a count is that count's noun.
        self.set_modality(lx.WORKLOAD_WORDS[word], tok)
        self.i += 1
        return True

    def _clause_times(self) -> bool:
        word = self.peek_word()
        if word not in lx.TIMES_WORDS:
            return False
        tok = self.tokens[self.i]
        nxt = self.peek(1)
        if nxt is None or nxt.kind != "num":
            if word == "for" and nxt is not None and nxt.kind == "word":
                self.i += 1  # "for" as plain English ("cost for a video"): the word after it is judged next
                return True
            shown = "nothing" if nxt is None else f"'{nxt.text}'"
            raise self.fail(
                f"'{tok.text}' needs a number after it, like '{tok.text} 1M users' — got {shown}.",
                nxt or tok,
                example=lx.EXAMPLES["video"],
            )
        self.i += 1
        self._number_phrase(counted=True)
        return True

    def _clause_number(self) -> bool:
        tok = self.peek()
        if tok is None or tok.kind != "num":
            return False
        self._number_phrase(counted=False)
        return True

    def _number_phrase(self, *, counted: bool) -> None:
        """A number and what follows it: `10s`, `500 tokens`, `1500 in`, `3 images`, `1M users`, `4k`."""
        tok = self.tokens[self.i]
        assert tok.value is not None
        unit_tok = self._ahead[self.i + 1]
        unit = unit_tok.text if unit_tok is not None and unit_tok.kind == "word" else None
        if unit in lx.SECONDS_IN:
            factor = lx.SECONDS_IN[unit]
            self.set_part("seconds", self.positive(tok, "A duration") * factor, tok, f"{tok.text} {unit}")
            self.i += 2
            if self.peek_word() in lx.TOKEN_WORDS:  # "10 min tokens" is nonsense; say so
                raise self.fail("A duration can't be counted in tokens.", self.peek())
            return
        if unit in lx.TOKEN_WORDS:
            amount = self.positive(tok, "A token count")
            self.i += 2
            direction = self.peek_word()
            shown = f"{tok.text} {unit}"
            if direction in lx.IN_WORDS:
                self.set_part("tokens_in", amount, tok, f"{shown} {direction}")
                self.i += 1
            elif direction in lx.OUT_WORDS:
                self.set_part("tokens_out", amount, tok, f"{shown} {direction}")
                self.i += 1
            else:
                self.set_part("tokens", amount, tok, shown)
            return
        if unit in lx.IN_WORDS:
            self.set_part("tokens_in", self.positive(tok, "A token count"), tok, f"{tok.text} {unit}")
            self.i += 2
            self._skip(lx.TOKEN_WORDS)
            return
        if unit in lx.OUT_WORDS or (unit in {"completion", "completions"} and self.req.modality):
            self.set_part("tokens_out", self.positive(tok, "A token count"), tok, f"{tok.text} {unit}")
            self.i += 2
            self._skip(lx.TOKEN_WORDS)
            return
        if unit in lx.WORD_WORDS:
            self.set_part("words", self.positive(tok, "A word count"), tok, f"{tok.text} {unit}")
            self.i += 2
            return
        if unit in lx.CHAR_WORDS:
            self.set_part("chars", self.positive(tok, "A character count"), tok, f"{tok.text} {unit}")
            self.i += 2
            return
        if unit in lx.STEP_WORDS:
            self.set_part("steps", self.positive(tok, "A step count"), tok, f"{tok.text} {unit}")
            if self.req.modality is None:
                self.set_modality("agent", tok)
            self.i += 2
            return
        if unit_tok is not None and unit_tok.kind == "sym" and unit_tok.text == "%":
            raise self.fail(
                f"What is {tok.text}% of? For a discount write 'discount {tok.text}%'.",
                tok,
                example=f"{lx.EXAMPLES['video']} discount {tok.text}%",
            )
        if unit in lx.WORKLOAD_WORDS:
            # `3 images`, `x 2 videos`: a count of the workload itself.
            self.add_count(tok.value, unit, tok)
            self.set_modality(lx.WORKLOAD_WORDS[unit], unit_tok)  # type: ignore[arg-type]
            self.i += 2
            self._skip_per_descriptor()
            return
        if tok.text == "4k" and not counted and not self._noun_follows():
            self.set_part("resolution", tok.text, tok)
            self.i += 1
            return
        if unit is not None and self._is_free_noun(unit):
            self.add_count(tok.value, unit, tok)
            self.i += 2
            self._skip_per_descriptor()
            return
        follows_per = unit in {"per", "a", "an", "each", "every"} or (
            unit_tok is not None and unit_tok.kind == "sym" and unit_tok.text == "/"
        )
        if counted or follows_per:  # "x 3", or "3 per user per day"
            self.add_count(tok.value, None, tok)
            self.i += 1
            self._skip_per_descriptor()
            return
        raise self._not_understood(tok)

    def _noun_follows(self) -> bool:
        unit = self.peek_word(1)
        return unit is not None and (unit in lx.PEOPLE_NOUNS or unit in lx.WORKLOAD_WORDS or self._is_free_noun(unit))

    def _is_free_noun(self, word: str) -> bool:
        """A word that can name what a count counts: `users`, `tickets`, `renders` — not a keyword or model."""
        if word in lx.PEOPLE_NOUNS:
            return True
        if not word.isalpha() or len(word) < 2 or word in self.model_names:
            return False
        return word not in lx.reserved_words()

    def _skip_per_descriptor(self) -> None:
        # "x 3 per user per day": "per user" says what the count is relative to; the counts still multiply.
        while self.peek_word() == "per" or ((tok := self.peek()) is not None and tok.kind == "sym" and tok.text == "/"):
            noun = self.peek_word(1)
            if (
                noun is None
                or noun in lx.PERIOD_WORDS
                or not (noun in lx.PEOPLE_NOUNS or noun in lx.WORKLOAD_WORDS or self._is_free_noun(noun))
            ):
                return
            self.i += 2

    def _clause_period(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        word = self.peek_word()
        if word in lx.ADVERB_PERIODS:
            self.set_part("period", lx.ADVERB_PERIODS[word], tok)
            self.i += 1
            return True
        is_per = word in {"per", "a", "an", "every", "each"} or (tok.kind == "sym" and tok.text == "/")
        if not is_per:
            return False
        nxt = self.peek_word(1)
        if nxt in lx.PERIOD_WORDS:
            self.set_part("period", lx.PERIOD_WORDS[nxt], self.tokens[self.i + 1])
            self.i += 2
            return True
        if nxt in lx.OTHER_TIME_WORDS:
            raise self.fail(
                f"'{nxt}' isn't a period I project; use day, week, month or year "
                "(for 100 an hour, write x 2,400 per day).",
                self.peek(1),
                example=f"{lx.EXAMPLES['video']} per month",
            )
        if word in {"a", "an", "every", "each"}:
            return False  # "a video", "each user": plain English, judged by the clauses that follow
        if nxt is not None and (nxt in lx.PEOPLE_NOUNS or nxt in lx.WORKLOAD_WORDS or self._is_free_noun(nxt)):
            self.i += 2  # "per user": descriptive only; counts multiply regardless
            return True
        if word == "per" or tok.kind == "sym":
            shown = self.peek(1)
            raise self.fail(
                "After 'per' I expected day, week, month or year (or a noun such as 'user').",
                shown or tok,
                example=f"{lx.EXAMPLES['video']} per month",
            )
        return False

    def _clause_model_or_filler(self) -> bool:
        tok = self.peek()
        if tok is None or tok.kind != "word":
            return False
        if tok.text in lx.FILLER_WORDS:
            self.i += 1
            return True
        if tok.text in lx.KEYWORDS or tok.text in lx.PERIOD_WORDS or tok.text in lx.PEOPLE_NOUNS:
            return False
        if tok.text in self.model_names or lx.looks_like_model(tok.text):
            self.set_part("model", tok.text, tok)
            self.i += 1
            return True
        return False
