"""What a /cost line asks for, once parsed: `Request` and its parts, or a `Subcommand`."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from costing import lexicon as lx
from costing.errors import EstimateError
from costing.lexicon import Modality, Period

__all__ = [
    "PART_NAMES",
    "SECTIONS",
    "Count",
    "PriceOverride",
    "Request",
    "Subcommand",
    "ValueSpec",
    "check_fit",
    "with_times",
]

#: The parts of a workload a request can set, each on its own (`20s`, `4k`, `with audio`, `1500 in`).
PART_NAMES = (
    "seconds",
    "resolution",
    "audio",
    "quality",
    "size",
    "tokens_in",
    "tokens_out",
    "tokens",
    "words",
    "chars",
    "steps",
)

#: The sections of an estimate's text, in the order that reads naturally (and re-parses the same).
SECTIONS = ("workload", "model", "counts", "period", "price", "value")


class Count(NamedTuple):
    """One multiplier: `x 1M users` is Count(1000000, "users")."""

    value: Decimal
    noun: str | None = None

    @property
    def is_people(self) -> bool:
        return self.noun in lx.PEOPLE_NOUNS


@dataclass(frozen=True, slots=True)
class PriceOverride:
    """`at $0.25/s` and friends: the user's own price for one unit of something."""

    usd: Decimal
    unit: str  # second | image | minute | char | request | input_token | output_token | token
    per: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """What the workload is worth: `value $0.05 each`, `saves 10 min @ $70/h`, `revenue $9.99/user/month`."""

    kind: str  # value | revenue | saves
    usd: Decimal | None  # per basis; for saves, the wage per hour (None: the default wage)
    basis: str  # unit | user | total
    period: Period | None = None  # for user/total bases: the period the amount is per
    minutes_saved: Decimal | None = None  # saves only
    basis_stated: bool = True  # False when nothing said what the amount is per (taken per unit)


@dataclass
class Request:
    """A parsed estimate: what the user asked for, before any price is looked up."""

    text: str
    modality: Modality | None = None
    model: str | None = None
    seconds: Decimal | None = None  # of video, of speech, of audio to transcribe
    resolution: str | None = None
    audio: bool | None = None
    quality: str | None = None
    size: str | None = None
    tokens_in: Decimal | None = None
    tokens_out: Decimal | None = None
    tokens: Decimal | None = None  # a total, split by assumption
    words: Decimal | None = None
    chars: Decimal | None = None
    steps: Decimal | None = None
    counts: list[Count] = field(default_factory=list)
    period: Period | None = None
    prices: list[PriceOverride] = field(default_factory=list)
    discount_pct: Decimal | None = None
    gpu_hour_usd: Decimal | None = None
    value: ValueSpec | None = None
    #: Where each part came from, for messages: part name -> (position, text as typed).
    where: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: Which section each stretch of the text belongs to: (section, first column, last column), 1-based.
    spans: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def quantity(self) -> Decimal:
        """Units for the stated period (or in all): the product of every count, 1 without counts."""
        total = Decimal(1)
        for count in self.counts:
            total *= count.value
        return total

    def sections(self) -> dict[str, str]:
        """The text cut into `SECTIONS` as typed, e.g. {"workload": "video 10s", "counts": "x 1M users", …}.

        Joining the sections in `SECTIONS` order gives a text that parses to the same request, so a form can
        show each section in its own field and put them back together.
        """
        text = self.text
        parts = dict.fromkeys(SECTIONS, "")
        workload: list[tuple[int, int, str]] = []
        for section, first, last in sorted(self.spans, key=_first_column):
            piece = text[first - 1 : last]
            if section == "workload":
                workload.append((self._workload_rank(first, last, piece), first, piece))
                continue
            if section == "counts":
                piece = with_times(piece)
            parts[section] = f"{parts[section]} {piece}" if parts[section] else piece
        if workload:
            parts["workload"] = (
                " ".join(piece for _, _, piece in sorted(workload)) if len(workload) > 1 else workload[0][2]
            )
        return parts

    def _workload_rank(self, first: int, last: int, piece: str) -> int:
        # In the workload, the word naming it and plain words go first: `4k at $1/s video` must come back as
        # `video 4k`, since `4k video` counts 4,000 videos. Elsewhere, as typed.
        named = self.where.get("modality")
        return 0 if named is not None and first <= named[0] <= last else 2 if _has_digit(piece) else 1

    @property
    def users(self) -> Decimal | None:
        """The user base: the first count with a people noun."""
        return next((c.value for c in self.counts if c.is_people), None)


_first_column = operator.itemgetter(1)
#: Words after which a number is read as a count: times words, and `and` (`x 1M users and 2 per user`).
_COUNTING = lx.TIMES_WORDS | {"×", "*", "and"}
_FIRST_NUMBER = re.compile(r"(?<![\w.,])[.\d]")


def with_times(counts: str) -> str:
    """A count as it must be written away from where it was typed: `1M each video` moved after the workload
    needs its x (`video x 1M each`), and so does the number in `each 1M`, where a word that sets nothing came
    first (`each x 1M`)."""
    number = _FIRST_NUMBER.search(counts)
    if number is None:
        return counts
    before = counts[: number.start()].split()
    if before and before[-1].lower() in _COUNTING:
        return counts
    return f"{counts[: number.start()]}x {counts[number.start() :]}"


_has_digit = re.compile(r"\d").search


@dataclass(frozen=True, slots=True)
class Subcommand:
    """`/cost save NAME …`, `/cost help`: a command word and the rest of the text, untouched."""

    name: str
    args: str


# Which parts of a request make sense for which workload. A part outside its workload is an error, never
# silently dropped: `video 1000 tokens` must not quietly cost a default-length video.
_FITS = {
    "video": {"seconds", "resolution", "audio"},
    "image": {"quality", "size", "resolution"},
    "chat": {"tokens_in", "tokens_out", "tokens", "words"},
    "agent": {"tokens_in", "tokens_out", "tokens", "words", "steps"},
    "tts": {"seconds", "chars", "words"},
    "transcribe": {"seconds"},
    "embed": {"tokens", "tokens_in", "words"},
}
_PART_HINTS = {
    "video": "video is priced per second of output: video 10s",
    "image": "images are priced per image: image high 1024x1536",
    "chat": "chat is priced per token: chat 1500 in 500 out",
    "agent": "an agent is priced per token: agent 40 steps x 6k tokens",
    "tts": "speech is priced per character: tts 2k chars, or tts 30s",
    "transcribe": "transcription is priced per minute of audio: transcribe 10 min",
    "embed": "embeddings are priced per input token: embed 1M tokens",
}


def check_fit(request: Request, modality: Modality) -> None:
    """Refuse parts of `request` that mean nothing for `modality` (tokens on a video, seconds on an image).

    Raises:
        EstimateError: Naming the first misfit part, where it was typed, and what would fit.
    """
    allowed = _FITS[modality]
    misfits = [
        (request.where[name][0], name)
        for name in PART_NAMES
        if getattr(request, name) is not None and name not in allowed
    ]
    if not misfits:
        return
    position, name = min(misfits)
    typed = request.where[name][1]
    if modality == "image" and name == "resolution" and request.resolution not in {"4k"}:
        return
    raise EstimateError(
        f"'{typed}' doesn't fit {lx.WORKLOAD_PHRASES[modality]} workload: {_PART_HINTS[modality]}.",
        fragment=typed,
        position=position,
        example=lx.EXAMPLES[modality],
    )
