"""The parser's cursor over the scanned tokens, and the setters every clause writes through.

`costing.language` walks a /cost line clause by clause; each clause (`costing.price_clauses` for prices and
value, `costing.language` for the rest) reads tokens through `Cursor` and records what it found with the
setters, which catch contradictions (`10s … 20s`) and remember which section of the text set each part.
"""

from __future__ import annotations

from decimal import Decimal

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.request import Count, Request
from costing.scanner import Token

__all__ = ["Cursor"]

# The section of each part set through `set_part`; any other part is a workload detail (10s, 4k, hd).
_PART_SECTIONS = {"model": "model", "period": "period", "discount_pct": "price", "gpu_hour_usd": "price"}


class Cursor:
    """Where the parser is in the tokens, and the request it is filling in."""

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

    def _skip(self, words: frozenset[str]) -> None:
        if self.peek_word() in words:
            self.i += 1
