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
import re
from collections.abc import Callable
from decimal import Decimal

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.request import Count, PriceOverride, Request, Subcommand, ValueSpec
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
# The section of each part set through `set_part`; any other part is a workload detail (10s, 4k, hd).
_PART_SECTIONS = {"model": "model", "period": "period", "discount_pct": "price", "gpu_hour_usd": "price"}


class _Parser:
    """Walks the tokens once; each `_clause_*` method consumes what it recognises and returns True."""

    def __init__(self, text: str, tokens: list[Token], model_names: frozenset[str]) -> None:
        self.text = text
        self.tokens = tokens
        # The tokens followed by enough Nones for any look-ahead: peeking past the end needs no length check.
        self._ahead: list[Token | None] = [*tokens, None, None, None]
        self.model_names = model_names
        self.i = 0
        self.req = Request(text=text)
        self._loose_from: int | None = None  # where words that set nothing began, awaiting a section
        self._touched: set[str] = set()  # sections the current clause set parts of, even to the values they had

    # --- cursor -------------------------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token | None:
        try:
            return self._ahead[self.i + offset]
        except IndexError:  # a clause that consumed more than the padding covers
            return None

    def peek_word(self, offset: int = 0) -> str | None:
        tok = self.peek(offset)
        return tok.text if tok is not None and tok.kind == "word" else None

    def fail(
        self, message: str, tok: Token | None = None, *, suggestion: str | None = None, example: str | None = None
    ) -> EstimateError:
        tok = tok or self.peek() or (self.tokens[-1] if self.tokens else None)
        if tok is None:
            return EstimateError(message, suggestion=suggestion, example=example)
        return EstimateError(message, fragment=tok.text, position=tok.pos, suggestion=suggestion, example=example)

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

    # --- setters that catch contradictions -------------------------------------------------------------
    def set_part(self, name: str, value: object, tok: Token, shown: str | None = None) -> None:
        current = getattr(self.req, name)
        if current is not None and current != value:
            first_pos, first_text = self.req.where[name]
            raise self.fail(f"'{tok.text}' contradicts '{first_text}' (character {first_pos}); say it once.", tok)
        setattr(self.req, name, value)
        self.req.where.setdefault(name, (tok.pos, shown or tok.text))
        self._touched.add(_PART_SECTIONS.get(name, "workload"))

    def set_modality(self, modality: lx.Modality, tok: Token) -> None:
        if self.req.modality is not None and self.req.modality != modality:
            first_pos, first_text = self.req.where["modality"]
            raise self.fail(
                f"One workload at a time: '{first_text}' (character {first_pos}) is {self.req.modality}, "
                f"'{tok.text}' is {modality}. Estimate them separately.",
                tok,
                example=lx.EXAMPLES[modality],
            )
        self.req.modality = modality
        self.req.where.setdefault("modality", (tok.pos, tok.text))
        self._touched.add("workload")

    def add_count(self, value: Decimal, noun: str | None, tok: Token) -> None:
        if value <= 0:
            raise self.fail(f"A count must be more than zero, not '{tok.text}'.", tok, example=lx.EXAMPLES["video"])
        self.req.counts.append(Count(value, noun))
        self._touched.add("counts")

    def positive(self, tok: Token, what: str) -> Decimal:
        assert tok.value is not None
        if tok.value <= 0:
            raise self.fail(f"{what} must be more than zero, not '{tok.text}'.", tok)
        return tok.value

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

    def _skip(self, words: frozenset[str]) -> None:
        if self.peek_word() in words:
            self.i += 1

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

    def _money_after(self, keyword_tok: Token, *, example: str) -> Token:
        self.i += 1
        tok = self.peek()
        if tok is None or tok.kind not in {"money", "num"}:
            shown = "nothing" if tok is None else f"'{tok.text}'"
            raise self.fail(
                f"'{keyword_tok.text}' needs a dollar amount after it, like {example} — got {shown}.",
                tok or keyword_tok,
                example=None,
            )
        self.i += 1
        return tok

    def _rate_unit(self) -> tuple[str | None, Decimal, Token | None]:
        """After an amount: `/s`, `/1M in`, `per image`, `a minute`. Returns (unit, per, token) or (None,…)."""
        tok = self.peek()
        if tok is None:
            return None, Decimal(1), None
        if not ((tok.kind == "sym" and tok.text == "/") or tok.text in {"per", "a", "an"}):
            return None, Decimal(1), None
        nxt = self.peek(1)
        if nxt is None:
            raise self.fail("A price needs a unit after '/', like $0.25/s or $2/1M in.", tok)
        if nxt.kind == "num":  # "$2/1M in", "$15/1M chars", "$0.25/10s"
            assert nxt.value is not None
            self.i += 2
            self._skip(lx.TOKEN_WORDS)
            unit, factor = self._per_unit(self.peek_word())
            if unit is not None and unit != "request":
                self.i += 1
                return unit, nxt.value * factor, nxt
            return self._direction("token", nxt.value, nxt)
        if nxt.kind != "word":
            raise self.fail("A price needs a unit after '/', like $0.25/s or $0.04/image.", nxt)
        unit, factor = self._per_unit(nxt.text)
        if unit is None:
            return None, Decimal(1), None
        self.i += 2
        if unit == "token":
            return self._direction("token", factor, nxt)
        return unit, factor, nxt

    @staticmethod
    def _per_unit(word: str | None) -> tuple[str | None, Decimal]:
        """What a price is per, for the word after '/': (unit, how many of it), or (None, 1)."""
        if word is None:
            return None, Decimal(1)
        if word in lx.SECONDS_IN:
            return "second", Decimal(lx.SECONDS_IN[word])
        if word in {"mtok", "mtoks", "mtokens"}:
            return "token", Decimal(1_000_000)
        if word in {"ktok", "ktoks", "ktokens"}:
            return "token", Decimal(1_000)
        if word in lx.TOKEN_WORDS:
            return "token", Decimal(1)
        if word in lx.CHAR_WORDS:
            return "char", Decimal(1)
        if word in lx.IMAGE_WORDS:
            return "image", Decimal(1)
        if word in lx.WORKLOAD_WORDS or word in lx.REQUEST_WORDS:
            return "request", Decimal(1)
        return None, Decimal(1)

    def _direction(self, unit: str, per: Decimal, tok: Token) -> tuple[str, Decimal, Token]:
        word = self.peek_word()
        if word in lx.IN_WORDS:
            self.i += 1
            return "input_token", per, tok
        if word in lx.OUT_WORDS:
            self.i += 1
            return "output_token", per, tok
        return unit, per, tok

    def _clause_price(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        starts_with_at = (tok.kind == "word" and tok.text == "at") or (tok.kind == "sym" and tok.text == "@")
        if not starts_with_at:
            return False
        nxt = self.peek(1)
        if tok.text == "at" and nxt is not None and (nxt.kind == "res" or nxt.text in {"4k", "hd", "full"}):
            self.i += 1  # "at 1080p" reads fine; the next clause takes the resolution
            return True
        money = self._money_after(tok, example="at $0.25/s or at $2/1M in $8/1M out")
        while True:
            usd = money.value
            assert usd is not None
            unit, per, _ = self._rate_unit()
            if unit is None:
                word = self.peek_word()
                if word in lx.IN_WORDS | lx.OUT_WORDS:  # "at $2 in $8 out": per 1M tokens, the usual list unit
                    self.i += 1
                    unit, per = ("input_token" if word in lx.IN_WORDS else "output_token"), Decimal(1_000_000)
                elif word == "each":
                    self.i += 1
                    unit = "request"
                else:
                    raise self.fail(
                        f"What is {money.text} for? Give the price a unit: $0.25/s, $0.04/image, $0.006/min, "
                        "$15/1M chars, $2/1M in $8/1M out, or $1 each.",
                        money,
                    )
            if usd <= 0:
                raise self.fail("A price must be more than zero; for a free tier, leave the price out.", money)
            if any(p.unit == unit for p in self.req.prices):
                raise self.fail(f"Two prices per {unit.replace('_', ' ')}; give one.", money)
            self.req.prices.append(PriceOverride(usd, unit, per))
            self._touched.add("price")
            self.req.where.setdefault("price", (money.pos, money.text))
            self._skip(frozenset({"and"}))
            nxt = self.peek()
            if nxt is None or nxt.kind != "money":
                return True
            money = nxt
            self.i += 1

    def _clause_discount(self) -> bool:
        word = self.peek_word()
        tok = self.peek()
        if word in {"discount", "discounted"}:
            self.i += 1
            self._skip(frozenset({"of", "by"}))
            num = self.peek()
            if num is None or num.kind != "num" or self.peek(1) is None or self.peek(1).text != "%":  # type: ignore[union-attr]
                raise self.fail("Write a discount as a percentage, like 'discount 30%'.", num or tok)
            self._set_discount(num)
            self.i += 2
            return True
        nxt = self.peek(1)
        if (
            tok is not None
            and tok.kind == "num"
            and nxt is not None
            and nxt.text == "%"
            and (self.peek_word(2) in {"off", "discount"})
        ):
            self._set_discount(tok)
            self.i += 3
            return True
        return False

    def _set_discount(self, tok: Token) -> None:
        assert tok.value is not None
        if not 0 < tok.value < 100:
            raise self.fail("A discount is between 0% and 100%, exclusive.", tok)
        self.set_part("discount_pct", tok.value, tok)

    def _clause_gpu(self) -> bool:
        if self.peek_word() not in {"gpu", "gpus"}:
            return False
        tok = self.tokens[self.i]
        money = self._money_after(tok, example="gpu $2.50/h")
        self._per_hour(money, "Give the GPU price per hour, like 'gpu $2.50/h'.")
        usd = self.positive(money, "A GPU price")
        if usd > 1000:
            raise self.fail("No GPU rents for more than $1,000 an hour; check the number.", money)
        self.set_part("gpu_hour_usd", usd, money)
        return True

    def _clause_value(self) -> bool:
        word = self.peek_word()
        if word not in lx.VALUE_WORDS:
            return False
        tok = self.tokens[self.i]
        if self.req.value is not None:
            first_pos, first_text = self.req.where["value"]
            raise self.fail(f"Give one value; '{first_text}' (character {first_pos}) is already one.", tok)
        if word in {"saves", "saving", "save"}:
            spec = self._saves(tok)
        else:
            money = self._money_after(tok, example=f"'{tok.text} $0.05 each' or '{tok.text} $20/user/month'")
            usd = self.positive(money, "A value")
            basis, period, stated = self._value_basis()
            spec = ValueSpec(
                kind="revenue" if word == "revenue" else "value",
                usd=usd,
                basis=basis,
                period=period,
                basis_stated=stated,
            )
        self.req.value = spec
        self._touched.add("value")
        self.req.where["value"] = (tok.pos, tok.text)
        return True

    def _saves(self, tok: Token) -> ValueSpec:
        self.i += 1
        num = self.peek()
        unit = self.peek_word(1)
        if num is None or num.kind != "num" or unit not in lx.SECONDS_IN:
            raise self.fail(
                "Say how much time it saves, like 'saves 10 min @ $70/h'.",
                num or tok,
                example=f"{lx.EXAMPLES['chat']} saves 10 min @ $70/h",
            )
        minutes = self.positive(num, "Time saved")
        minutes = minutes * lx.SECONDS_IN[unit] / 60
        self.i += 2
        wage = None  # the value model's default wage, stated in the answer
        at = self.peek()
        if at is not None and (at.text in {"at", "@"}):
            money = self._money_after(at, example="saves 10 min @ $70/h")
            self._per_hour(money, "Give the hourly rate of the time saved, like '@ $70/h'.")
            wage = self.positive(money, "An hourly rate")
        basis, period, _ = self._value_basis()
        return ValueSpec(kind="saves", usd=wage, basis=basis, period=period, minutes_saved=minutes)

    def _per_hour(self, money: Token, message: str) -> None:
        """Consume `/h`, `per hour` or `hourly` after an amount, or fail with `message`."""
        unit, per, _ = self._rate_unit()
        if unit is None and self.peek_word() in {"hourly"} | lx.HOUR_WORDS:
            self.i += 1
            unit, per = "second", Decimal(3600)
        if unit != "second" or per != 3600:
            raise self.fail(message, money)

    def _value_basis(self) -> tuple[str, lx.Period | None, bool]:
        """`each`, `/user/month`, `per user per month`, `/month`, `a video` — or nothing (per unit).

        Returns (basis, period, whether the text said it).
        """
        if self.peek_word() == "each":
            self.i += 1
            return "unit", None, True
        basis, period = "unit", None
        start = self.i
        seen_user = False
        while True:
            tok = self.peek()
            if tok is None or not ((tok.kind == "sym" and tok.text == "/") or tok.text in {"per", "a", "an"}):
                break
            noun = self.peek_word(1)
            if noun in lx.PERIOD_WORDS and period is None:
                period = lx.PERIOD_WORDS[noun]
                self.i += 2
            elif noun in lx.PEOPLE_NOUNS and not seen_user:
                seen_user = True
                self.i += 2
            elif noun is not None and (noun in lx.WORKLOAD_WORDS or noun in {"unit", "call", "request", "run"}):
                self.i += 2
            else:
                break
        if seen_user:
            basis = "user"
        elif period is not None:
            basis = "total"
        return basis, period, self.i > start

    def _clause_audio(self) -> bool:
        word = self.peek_word()
        tok = self.peek()
        if word in {"with", "without", "no"} and self.peek_word(1) in {"audio", "sound"}:
            self.set_part("audio", word == "with", tok)  # type: ignore[arg-type]
            self.i += 2
            return True
        if word in {"audio", "sound"} and self.req.modality in (None, "video"):
            self.set_part("audio", True, tok)  # type: ignore[arg-type]
            self.i += 1
            return True
        if word in {"silent", "muted", "mute"}:
            self.set_part("audio", False, tok)  # type: ignore[arg-type]
            self.i += 1
            return True
        return False

    def _clause_resolution_word(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if tok.kind == "res":
            if tok.text not in lx.RESOLUTIONS:
                raise self.fail(f"'{tok.text}' is not a resolution I know; use 480p, 720p, 1080p or 4k.", tok)
            self.set_part("resolution", lx.RESOLUTION_ALIASES.get(tok.text, tok.text), tok)
            self.i += 1
            return True
        if tok.kind == "size":
            width, height = sorted(int(n) for n in re.split("[x×]", tok.text))
            if not (64 <= width <= 8192 and 64 <= height <= 8192):
                raise self.fail("An image size is between 64 and 8192 pixels a side, like 1024x1536.", tok)
            self.set_part("size", f"{width}x{height}", tok)
            self.i += 1
            return True
        word = self.peek_word()
        if word in lx.RESOLUTION_ALIASES:
            self.set_part("resolution", lx.RESOLUTION_ALIASES[word], tok)
            self.i += 1
            return True
        if word == "full" and self.peek_word(1) == "hd":
            self.set_part("resolution", "1080p", tok)
            self.i += 2
            return True
        return False

    def _clause_quality(self) -> bool:
        word = self.peek_word()
        if word not in lx.QUALITY_WORDS:
            return False
        tok = self.tokens[self.i]
        if self.peek_word(1) == "quality":
            self.i += 1
        self.set_part("quality", lx.QUALITY_WORDS[word], tok)
        self.i += 1
        return True

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
