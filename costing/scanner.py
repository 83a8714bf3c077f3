"""The /cost scanner: text in, typed tokens out (numbers with k/M/B, dollar amounts, resolutions, sizes, words).

Slack markup and characters with no meaning here are refused at this step, before anything is parsed, so no
mention or link from the input can travel further.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import NamedTuple

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.money import MAX_NUMBER, MULTIPLIER_PATTERN, NUMBER_PATTERN, parse_number

__all__ = ["Token", "scan"]

# The scanner: order matters (markup before symbols, money before plain numbers, size before numbers).
# A provider-qualified model (`together/llama-3.1-70b`, `bedrock/anthropic.claude-3-5-sonnet-v1:0`, as LiteLLM
# and OpenRouter spell them): a word, a slash, and a name with a digit or hyphen in it, so that `users/day` and
# `videos/month` stay a count and a period.
_QUALIFIED = r"[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*/(?=[a-z0-9._:@/\-]*[\d\-])[a-z0-9][a-z0-9._:@/\-]*[a-z0-9]"
_TOKEN_RE = re.compile(
    rf"""
    [\s,]*  # separators: spaces, and commas that are not thousands separators
    (?:
    (?P<markup><[^<>]*>?)
  | (?P<money>\$\s?(?P<money_num>{NUMBER_PATTERN})(?P<money_mult>{MULTIPLIER_PATTERN})?)
  | (?P<size>\d{{2,5}}[x×]\d{{2,5}})(?![\d.])
  | (?P<res>\d{{3,4}}p)(?![a-z0-9])
  | (?P<num>(?P<digits>{NUMBER_PATTERN})(?P<mult>{MULTIPLIER_PATTERN})?(?P<usd>\$)?)
  | (?P<times>[×*]|x(?=\d))
  | (?P<qualified>{_QUALIFIED})
  | (?P<word>[a-z][a-z0-9]*(?:[._\-][a-z0-9]+)*)
  | (?P<sym>[/@%+])
  | (?P<other>.)
    | $
    )
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    """One token of a /cost line (a named tuple: the scanner makes a dozen per line, and tuples are cheap)."""

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
            if raw in lx.MULTIPLIER_WORDS:
                _add_word(tokens, raw, chunk.start() + 1)
            else:
                tokens.append(_token(("word", raw, chunk.start() + 1, None)))
        elif raw.isdigit() and raw.isascii():
            pos = chunk.start() + 1
            tokens.append(_token(("num", raw, pos, _number(raw, None, raw, pos))))
        else:
            pieces = _chunk_tokens(raw)
            if pieces is None:  # markup, a character with no meaning, a number too large: raised where it is
                _scan_chunk(tokens, raw, chunk.start())
                continue
            offset = chunk.start()
            for kind, piece, pos, value in pieces:
                if kind == "word" and piece in lx.MULTIPLIER_WORDS:  # "1,000 million": scales the number before
                    _add_word(tokens, piece, offset + pos)
                else:
                    tokens.append(_token((kind, piece, offset + pos, value)))
    return tokens


@functools.lru_cache(maxsize=4096)
def _chunk_tokens(chunk: str) -> tuple[Token, ...] | None:
    """A chunk's tokens, positions counted from the chunk (model names, `10s`, `720p`, `$0.25/s` recur in almost
    every line), or None when the chunk is an error, which `_scan_chunk` then raises with its real position."""
    tokens: list[Token] = []
    try:
        _scan_chunk(tokens, chunk, 0, merge=False)
    except EstimateError:
        return None
    return tuple(tokens)


_CHUNK_RE = re.compile(r"\S+")
#: `Token(...)` for the two commonest tokens, without the named tuple's Python-level constructor.
_token = functools.partial(tuple.__new__, Token)


def _scan_chunk(tokens: list[Token], chunk: str, offset: int, *, merge: bool = True) -> None:
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
        elif kind == "word" and merge:
            _add_word(tokens, raw, pos)
        elif kind == "qualified":
            tokens.append(Token("word", raw, pos))
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
