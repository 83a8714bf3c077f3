"""The words of the /cost language: workloads, units, periods, nouns, keywords, and the examples that teach them.

Only tables and word tests live here; `costing.language` decides what a sequence of them means.
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from typing import Literal

__all__ = [
    "ADVERB_PERIODS",
    "CHAR_WORDS",
    "EXAMPLES",
    "FILLER_WORDS",
    "HOUR_WORDS",
    "IMAGE_WORDS",
    "IN_WORDS",
    "KEYWORDS",
    "MAX_TEXT_LENGTH",
    "MINUTE_WORDS",
    "MODEL_WORDS",
    "MULTIPLIER_WORDS",
    "OTHER_TIME_WORDS",
    "OUT_WORDS",
    "PEOPLE_NOUNS",
    "PERIODS",
    "PERIOD_WORDS",
    "QUALITY_WORDS",
    "REQUEST_WORDS",
    "RESOLUTIONS",
    "RESOLUTION_ALIASES",
    "SECONDS_IN",
    "SECOND_WORDS",
    "STEP_WORDS",
    "SUBCOMMANDS",
    "TIMES_WORDS",
    "TOKEN_WORDS",
    "VALUE_WORDS",
    "WORD_WORDS",
    "WORKLOAD_PHRASES",
    "WORKLOAD_WORDS",
    "Modality",
    "Period",
    "looks_like_model",
    "reserved_words",
    "vocabulary",
]

MAX_TEXT_LENGTH = 500


#: One example per workload, each of which parses; used in help and in error messages.
EXAMPLES = {
    "video": "video 10s x 1M users",
    "image": "image high 1024x1536 x 50k per day",
    "chat": "chat 1500 in 500 out x 200k per day",
    "agent": "agent 40 steps x 6k tokens for 200 devs x 5 per day",
    "tts": "tts 30s x 10k per month",
    "transcribe": "transcribe 10 min x 5k per week",
    "embed": "embed 1M tokens x 30 per month",
}

#: Each workload as a phrase with its article, for messages: "an image workload", "a chat workload".
WORKLOAD_PHRASES = {
    "video": "a video",
    "image": "an image",
    "chat": "a chat",
    "agent": "an agent",
    "tts": "a text-to-speech",
    "transcribe": "a transcription",
    "embed": "an embedding",
}

SUBCOMMANDS = frozenset({"help", "prices", "save", "list", "show", "compare", "delete", "value", "budget", "digest"})


#: The kinds of workload costbot prices; every other word for one (`clips`, `llm`) is read as one of these.
Modality = Literal["video", "image", "tts", "transcribe", "chat", "agent", "embed"]


class Period(StrEnum):
    """What a count or an amount is per: a day, a week, a month (365/12 days) or a year (365 days)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


PERIODS = tuple(Period)

WORKLOAD_WORDS: dict[str, Modality] = {
    **dict.fromkeys(("video", "videos", "clip", "clips", "vid", "vids"), "video"),
    **dict.fromkeys(
        ("image", "images", "img", "imgs", "picture", "pictures", "pic", "pics", "photo", "photos"), "image"
    ),
    **dict.fromkeys(("chat", "chats", "text", "llm", "completion", "completions", "prompt", "prompts"), "chat"),
    **dict.fromkeys(("agent", "agents", "agentic"), "agent"),
    **dict.fromkeys(("tts", "speech", "voice", "voiceover", "voiceovers", "narration", "text-to-speech"), "tts"),
    **dict.fromkeys(
        ("transcribe", "transcription", "transcriptions", "stt", "asr", "speech-to-text", "transcribing"),
        "transcribe",
    ),
    **dict.fromkeys(("embed", "embeds", "embedding", "embeddings"), "embed"),
}

PEOPLE_NOUNS = frozenset(
    {
        "user",
        "users",
        "dev",
        "devs",
        "developer",
        "developers",
        "engineer",
        "engineers",
        "seat",
        "seats",
        "customer",
        "customers",
        "employee",
        "employees",
        "people",
        "person",
        "persons",
        "member",
        "members",
        "subscriber",
        "subscribers",
        "account",
        "accounts",
        "student",
        "students",
        "staff",
        "player",
        "players",
        "viewer",
        "viewers",
        "creator",
        "creators",
        "agent-seats",
        "reps",
        "rep",
    }
)

PERIOD_WORDS = {
    **dict.fromkeys(("day", "days", "d", "daily"), Period.DAY),
    **dict.fromkeys(("week", "weeks", "wk", "weekly"), Period.WEEK),
    **dict.fromkeys(("month", "months", "mo", "mth", "monthly"), Period.MONTH),
    **dict.fromkeys(("year", "years", "yr", "yearly", "annually", "annual", "annum"), Period.YEAR),
}
ADVERB_PERIODS = {
    "daily": Period.DAY,
    "weekly": Period.WEEK,
    "monthly": Period.MONTH,
    "yearly": Period.YEAR,
    "annually": Period.YEAR,
}

SECOND_WORDS = frozenset({"s", "sec", "secs", "second", "seconds"})
MINUTE_WORDS = frozenset({"min", "mins", "minute", "minutes"})
HOUR_WORDS = frozenset({"h", "hr", "hrs", "hour", "hours"})
#: Seconds in one of each duration word: `min` -> 60.
SECONDS_IN = {**dict.fromkeys(SECOND_WORDS, 1), **dict.fromkeys(MINUTE_WORDS, 60), **dict.fromkeys(HOUR_WORDS, 3600)}
TOKEN_WORDS = frozenset({"token", "tokens", "tok", "toks", "tkn", "tkns"})
IN_WORDS = frozenset({"in", "input", "inputs"})
OUT_WORDS = frozenset({"out", "output", "outputs"})
WORD_WORDS = frozenset({"word", "words"})
CHAR_WORDS = frozenset({"char", "chars", "character", "characters"})
IMAGE_WORDS = frozenset({"image", "images", "img", "imgs", "pic", "pics", "picture", "photo"})
#: What a price can be "per" besides a duration, characters and images: one request of any kind.
REQUEST_WORDS = frozenset(
    {"call", "calls", "request", "requests", "run", "runs", "unit", "each", "task", "tasks", "job", "jobs"}
)
STEP_WORDS = frozenset({"step", "steps", "turn", "turns", "iteration", "iterations"})
QUALITY_WORDS = {
    "low": "low",
    "medium": "medium",
    "med": "medium",
    "high": "high",
    "hd": "hd",
    "standard": "standard",
    "std": "standard",
}
FILLER_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "and",
        "using",
        "on",
        "via",
        "model",
        "generate",
        "generated",
        "generation",
        "generating",
        "to",
        "cost",
        "costs",
        "what",
        "is",
        "price",
        "priced",
        "how",
        "much",
        "does",
        "would",
        "it",
        "with",
        "each",
        "every",
    }
)
TIMES_WORDS = frozenset({"x", "times", "for"})
#: The words that start a value clause: `value $0.05 each`, `saves 10 min @ $70/h`, `worth $20/user/month`.
VALUE_WORDS = frozenset({"value", "worth", "revenue", "saves", "saving", "save"})
RESOLUTIONS = frozenset({"480p", "512p", "540p", "576p", "720p", "768p", "1024p", "1080p", "1440p", "2160p"})
RESOLUTION_ALIASES = {"2160p": "4k", "uhd": "4k", "fhd": "1080p", "fullhd": "1080p"}

#: Scale the number before them (handled by the scanner); never a noun.
MULTIPLIER_WORDS = frozenset({"thousand", "million", "mn", "billion", "bn"})

OTHER_TIME_WORDS = frozenset(
    {
        "hour",
        "hours",
        "hr",
        "h",
        "minute",
        "minutes",
        "min",
        "second",
        "seconds",
        "sec",
        "s",
        "fortnight",
        "quarter",
        "quarters",
        "decade",
        "semester",
        "night",
        "weekend",
        "sprint",
    }
)

#: Words that start clauses; never taken as a model name or a count's noun.
KEYWORDS = frozenset(
    {
        "per",
        "at",
        "value",
        "worth",
        "revenue",
        "saves",
        "saving",
        "save",
        "gpu",
        "gpus",
        "discount",
        "discounted",
        "off",
        "with",
        "without",
        "no",
        "audio",
        "sound",
        "silent",
        "muted",
        "mute",
        "quality",
        "full",
        "hourly",
        "each",
        "every",
        "and",
        "a",
        "an",
    }
)


@functools.cache
def reserved_words() -> frozenset[str]:
    """Words with a meaning of their own: never a model name, never the noun a count counts."""
    return frozenset(
        WORKLOAD_WORDS.keys()
        | PERIOD_WORDS.keys()
        | SECONDS_IN.keys()
        | QUALITY_WORDS.keys()
        | TOKEN_WORDS
        | IN_WORDS
        | OUT_WORDS
        | WORD_WORDS
        | CHAR_WORDS
        | STEP_WORDS
        | TIMES_WORDS
        | KEYWORDS
        | FILLER_WORDS
        | MODEL_WORDS
        | OTHER_TIME_WORDS
        | MULTIPLIER_WORDS
    )


@functools.cache
def vocabulary() -> frozenset[str]:
    """Words worth suggesting for a typo ("vidoe" -> "video"): the reserved ones of some length, and nouns."""
    return frozenset(w for w in reserved_words() | PEOPLE_NOUNS if len(w) > 2 and w not in FILLER_WORDS)


def looks_like_model(word: str) -> bool:
    """Model ids have a digit or a hyphen (`gpt-4o`, `o3`, `sora-2`, `dall-e-3`), or are a catalog alias.

    A plain English word (`banana`) is not a model; the catalog decides whether a model-like word exists, so
    that `veo-9` gets "unknown model, did you mean veo-3.1?" rather than "I don't understand".
    """
    return "-" in word or "." in word or word in MODEL_WORDS or _HAS_DIGIT(word) is not None


_HAS_DIGIT = re.compile(r"\d").search


# Model names people type without digits or hyphens. The catalog adds its own aliases at lookup time; this
# list only lets such words through the parser.
MODEL_WORDS = frozenset(
    {
        "sora",
        "veo",
        "runway",
        "kling",
        "luma",
        "pika",
        "hailuo",
        "wan",
        "ltx",
        "pixverse",
        "flux",
        "imagen",
        "dalle",
        "midjourney",
        "whisper",
        "elevenlabs",
        "polly",
        "deepgram",
        "claude",
        "gemini",
        "gpt",
        "llama",
        "mistral",
        "deepseek",
        "grok",
        "sonnet",
        "opus",
        "haiku",
        "nano-banana",
        "seedance",
        "ray2",
        "sdxl",
    }
)
