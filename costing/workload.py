"""One unit of work — a video, an image, a chat request, an agent run — with every default filled in and stated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from costing.catalog import PriceEntry
from costing.errors import EstimateError
from costing.lexicon import EXAMPLES, Modality
from costing.money import format_count
from costing.request import Request

__all__ = ["CHARS_PER_SECOND", "IMAGE_SIZES", "UNIT_NOUNS", "Workload"]

#: What one unit of each workload is called in answers.
UNIT_NOUNS = {
    "video": "video",
    "image": "image",
    "chat": "request",
    "agent": "agent run",
    "tts": "speech clip",
    "transcribe": "transcription",
    "embed": "embedding batch",
}
TOKENS_PER_WORD = Decimal(4) / Decimal(3)
#: Image sizes for resolution words (`image 4k`), smaller side first as the catalog writes them.
IMAGE_SIZES = {"720p": "720x1280", "1080p": "1080x1920", "1440p": "1440x2560", "4k": "2160x3840"}
#: ~150 words a minute at ~6 characters a word, spaces included.
CHARS_PER_SECOND = Decimal(15)


class Workload:
    """One unit of work, with defaults filled in and stated."""

    def __init__(self) -> None:
        self.seconds: Decimal | None = None
        self.chars: Decimal | None = None
        self.quality: str | None = None
        self.resolution: str | None = None
        self.size: str | None = None
        self.tokens_in = Decimal(0)  # per unit: for an agent run, all its steps
        self.tokens_out = Decimal(0)
        self.requests = Decimal(1)  # API requests per unit: an agent run makes one per step
        self.description = ""
        self.parts: dict[str, Any] = {}

    @classmethod
    def of(cls, req: Request, modality: Modality, entry: PriceEntry | None, assumptions: list[str]) -> Workload:
        work = cls()
        if modality == "video":
            work.seconds = req.seconds or _assume(assumptions, Decimal(10), "No duration given: 10 s per video.")
            res = req.resolution or (entry.variant.get("resolution") if entry else None) or "720p"
            if req.resolution is None:
                assumptions.append(f"No resolution given: {res}, {entry.name if entry else 'the'} default.")
            work.resolution = res
            audio = " with audio" if req.audio else " without audio" if req.audio is False else ""
            work.description = f"{format_count(work.seconds)} s video, {res}{audio}"
            work.parts = {"seconds": work.seconds, "resolution": res}
            if req.audio is not None:
                work.parts["audio"] = req.audio
        elif modality == "image":
            default_quality = (entry.variant.get("quality") if entry else None) or "medium"
            work.quality = req.quality or default_quality
            if req.quality is None:
                assumptions.append(f"No quality given: {work.quality}.")
            # "image 4k" asks for a size: priced (and computed) as that size, never silently as the default one.
            work.size = req.size or IMAGE_SIZES.get(req.resolution or "")
            shown = work.size or (entry.variant.get("size") if entry else None) or "1024x1024"
            work.description = f"image, {work.quality}, {shown}"
            work.parts = {"quality": work.quality, "size": shown}
        elif modality in {"chat", "agent"}:
            work._tokens(req, modality, assumptions)
        elif modality == "embed":
            tokens = req.tokens or req.tokens_in or (req.words * TOKENS_PER_WORD if req.words else None)
            if req.words and not (req.tokens or req.tokens_in):
                assumptions.append("Words to tokens at 4 tokens per 3 words (English).")
            work.tokens_in = tokens or _assume(assumptions, Decimal(1000), "No size given: 1,000 tokens.")
            work.description = f"embedding of {format_count(work.tokens_in.to_integral_value())} tokens"
            work.parts = {"tokens_in": work.tokens_in}
        elif modality == "tts":
            if req.chars is not None:
                work.chars = req.chars
            elif req.words is not None:
                work.chars = req.words * 6
                assumptions.append("Words to characters at 6 characters a word, spaces included.")
            elif req.seconds is not None:
                work.chars = req.seconds * CHARS_PER_SECOND
                assumptions.append(f"Speech at {CHARS_PER_SECOND} characters a second (~150 words a minute).")
            else:
                work.chars = _assume(assumptions, Decimal(1000), "No length given: 1,000 characters.")
            work.seconds = work.chars / CHARS_PER_SECOND
            work.description = (
                f"speech, {format_count(work.chars.to_integral_value())} characters "
                f"(~{format_count((work.seconds / 60).quantize(Decimal('0.1')))} min)"
            )
            work.parts = {"chars": work.chars}
        else:  # transcribe
            work.seconds = req.seconds or _assume(assumptions, Decimal(60), "No length given: 1 min of audio.")
            minutes = (work.seconds / 60).quantize(Decimal("0.01")).normalize()
            work.description = f"transcription of {format_count(minutes)} min of audio"
            work.parts = {"seconds": work.seconds}
        return work

    def _tokens(self, req: Request, modality: Modality, assumptions: list[str]) -> None:
        tokens_in, tokens_out = req.tokens_in, req.tokens_out
        if req.words is not None and tokens_out is None:
            tokens_out = req.words * TOKENS_PER_WORD
            assumptions.append("Words to tokens at 4 tokens per 3 words (English).")
        share_in = Decimal("0.9") if modality == "agent" else Decimal("0.75")
        if req.tokens is not None:
            if tokens_in is not None and tokens_out is None:
                tokens_out = req.tokens - tokens_in
            elif tokens_out is not None and tokens_in is None:
                tokens_in = req.tokens - tokens_out
            elif tokens_in is None and tokens_out is None:
                tokens_in, tokens_out = req.tokens * share_in, req.tokens * (1 - share_in)
                assumptions.append(
                    f"{format_count(req.tokens)} tokens split {share_in * 100:.0f}% input / "
                    f"{(1 - share_in) * 100:.0f}% output"
                    + (" (an agent re-reads its context every step)." if modality == "agent" else ".")
                )
            if (tokens_in is not None and tokens_in < 0) or (tokens_out is not None and tokens_out < 0):
                raise EstimateError(
                    "The input and output tokens add up to more than the total given; give either the total or "
                    "'N in M out'.",
                    example=EXAMPLES[modality],
                )
        if tokens_in is None and tokens_out is None:
            if modality == "agent":
                tokens_in, tokens_out = Decimal(4500), Decimal(500)
                assumptions.append("No token count given: 5,000 tokens per step (4,500 in, 500 out).")
            else:
                tokens_in, tokens_out = Decimal(1000), Decimal(500)
                assumptions.append("No token count given: 1,000 input and 500 output tokens.")
        elif tokens_in is None:
            tokens_in = Decimal(0)
            assumptions.append("No input tokens given: output only.")
        elif tokens_out is None:
            tokens_out = Decimal(0)
            assumptions.append("No output tokens given: input only.")
        assert tokens_in is not None and tokens_out is not None
        if modality == "agent":
            steps = req.steps or _assume(assumptions, Decimal(20), "No step count given: 20 steps per run.")
            self.description = (
                f"agent run, {format_count(steps)} steps × {format_count((tokens_in + tokens_out).normalize())} "
                f"tokens ({format_count(tokens_in.normalize())} in + {format_count(tokens_out.normalize())} out)"
            )
            self.parts = {"steps": steps, "tokens_in": tokens_in, "tokens_out": tokens_out}
            self.requests = steps
            tokens_in, tokens_out = tokens_in * steps, tokens_out * steps
        else:
            self.description = (
                f"chat request, {format_count(tokens_in.to_integral_value())} in + "
                f"{format_count(tokens_out.to_integral_value())} out tokens"
            )
            self.parts = {"tokens_in": tokens_in, "tokens_out": tokens_out}
        self.tokens_in, self.tokens_out = tokens_in, tokens_out


def _assume(assumptions: list[str], value: Decimal, note: str) -> Decimal:
    assumptions.append(note)
    return value
