"""The /cost scanner: text in, typed tokens out (numbers with k/M/B, dollar amounts, resolutions, sizes, words).

Slack markup and characters with no meaning here are refused at this step, before anything is parsed, so no
mention or link from the input can travel further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.money import MAX_NUMBER, parse_number

__all__ = ["Token", "scan"]

# The scanner: order matters (markup before symbols, money before plain numbers, size before numbers).
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)"
_TOKEN_RE = re.compile(
    rf"""
    [\s,]*  # separators: spaces, and commas that are not thousands separators
    (?:
    (?P<markup><[^<>]*>?)
  | (?P<money>\$\s?(?P<money_num>{_NUMBER})(?P<money_mult>[kmb](?![a-z]))?)
  | (?P<size>\d{{2,5}}[x×]\d{{2,5}})(?![\d.])
  | (?P<res>\d{{3,4}}p)(?![a-z0-9])
  | (?P<num>(?P<digits>{_NUMBER})(?P<mult>[kmb](?![a-z]))?(?P<usd>\$)?)
  | (?P<times>[×*]|x(?=\d))
  | (?P<word>[a-z][a-z0-9]*(?:[._\-][a-z0-9]+)*)
  | (?P<sym>[/@%+])
  | (?P<other>.)
    | $
    )
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, money, size, res, word, sym, markup, other
    text: str  # as typed (lower-cased)
    pos: int  # 1-based column
    value: Decimal | None = None


def scan(text: str) -> list[Token]:
    """Cut `text` into tokens.

    Raises:
        EstimateError: Slack markup, a character with no meaning here, or a number too large to be real.
    """
    tokens: list[Token] = []
    for chunk in _CHUNK_RE.finditer(text.lower()):
        raw = chunk.group()
        # Most chunks are a plain word or a plain number; only the rest need the full token pattern.
        if raw.isalpha() and raw.isascii():
            _add_word(tokens, raw, chunk.start() + 1)
        elif raw.isdigit() and raw.isascii():
            tokens.append(Token("num", raw, chunk.start() + 1, _number(raw, None, raw, chunk.start() + 1)))
        else:
            _scan_chunk(tokens, raw, chunk.start())
    return tokens


_CHUNK_RE = re.compile(r"\S+")


def _scan_chunk(tokens: list[Token], chunk: str, offset: int) -> None:
    for match in _TOKEN_RE.finditer(chunk):
        kind = match.lastgroup  # each alternative is one outer group, which closes last
        if kind is None:
            continue  # trailing separators
        pos = offset + match.start(kind) + 1
        raw = match.group(kind)
        if kind == "markup":
            raise EstimateError(
                "Slack mentions, channel links and URLs can't be part of an estimate; describe the workload in words.",
                fragment="a Slack mention or link",
                position=pos,
                example=lx.EXAMPLES["video"],
            )
        if kind == "money":
            value = _number(match.group("money_num"), match.group("money_mult"), raw, pos)
            tokens.append(Token("money", raw, pos, value))
        elif kind == "num":
            value = _number(match.group("digits"), match.group("mult"), raw, pos)
            tokens.append(Token("money" if match.group("usd") else "num", raw, pos, value))
        elif kind == "times":
            tokens.append(Token("word", "x", pos))
        elif kind == "word":
            _add_word(tokens, raw, pos)
        elif kind == "other":
            raise EstimateError(
                f"I don't understand the character {_describe_char(raw)}. "
                "Write numbers like 1.5M, 50k or 1,000,000 and prices like $0.25/s.",
                fragment=raw,
                position=pos,
                example=lx.EXAMPLES["video"],
            )
        else:
            tokens.append(Token(kind, raw, pos))


def _add_word(tokens: list[Token], word: str, pos: int) -> None:
    if word in lx.MULTIPLIER_WORDS and tokens and tokens[-1].kind in {"num", "money"}:
        # "1 million users", "$2 billion": the word scales the number before it.
        before = tokens.pop()
        assert before.value is not None
        text = f"{before.text} {word}"
        value = before.value * _WORD_MULTIPLIERS[word]
        if value > MAX_NUMBER:
            raise _too_large(text, before.pos)
        tokens.append(Token(before.kind, text, before.pos, value))
    else:
        tokens.append(Token("word", word, pos))


_WORD_MULTIPLIERS = {
    "thousand": Decimal(1_000),
    "million": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "billion": Decimal(1_000_000_000),
    "bn": Decimal(1_000_000_000),
}
assert _WORD_MULTIPLIERS.keys() == lx.MULTIPLIER_WORDS


def _too_large(raw: str, pos: int) -> EstimateError:
    return EstimateError(
        f"'{raw[:20]}' is too large: numbers go up to 10 trillion (10,000B).",
        fragment=raw[:20],
        position=pos,
        example="video 10s x 1B users",
    )


def _describe_char(char: str) -> str:
    if char == "-":
        return "'-' (durations, counts and prices are all positive)"
    if char == "^":
        return "'^' (powers aren't supported)"
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"U+{ord(char):04X}"


def _number(digits: str, multiplier: str | None, raw: str, pos: int) -> Decimal:
    try:
        value = parse_number(digits, multiplier)
    except ValueError:
        raise EstimateError(
            f"'{raw}' is not a number I can use.", fragment=raw, position=pos, example=lx.EXAMPLES["video"]
        ) from None
    if value > MAX_NUMBER:
        raise _too_large(raw, pos)
    return value
