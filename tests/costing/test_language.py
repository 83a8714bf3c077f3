"""The /cost language: many phrasings per workload, each parsed to the same parts; bad input explained."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costing.errors import EstimateError
from costing.language import parse_request
from costing.lexicon import EXAMPLES
from costing.request import Count, PriceOverride, Request, Subcommand, check_fit

D = Decimal


def parse(text: str) -> Request:
    request = parse_request(text)
    assert isinstance(request, Request), request
    if request.modality:
        check_fit(request, request.modality)
    return request


def parts(request: Request) -> dict[str, object]:
    keys = ("modality", "model", "seconds", "resolution", "audio", "quality", "size", "tokens_in", "tokens_out",
            "tokens", "words", "chars", "steps", "period", "discount_pct", "gpu_hour_usd")  # fmt: skip
    found = {k: getattr(request, k) for k in keys if getattr(request, k) is not None}
    if request.counts:
        found["counts"] = [(c.value, c.noun) for c in request.counts]
    return found


VIDEO = [
    ("video 10s", {"modality": "video", "seconds": D(10)}),
    ("video 10 sec", {"modality": "video", "seconds": D(10)}),
    ("VIDEO 10 Seconds", {"modality": "video", "seconds": D(10)}),
    ("video 1.5 min", {"modality": "video", "seconds": D(90)}),
    ("10s video", {"modality": "video", "seconds": D(10)}),
    ("clip 8s 1080p", {"modality": "video", "seconds": D(8), "resolution": "1080p"}),
    ("video 10s 4k", {"modality": "video", "seconds": D(10), "resolution": "4k"}),
    ("video 10s 2160p", {"modality": "video", "seconds": D(10), "resolution": "4k"}),
    ("video 10s full hd", {"modality": "video", "seconds": D(10), "resolution": "1080p"}),
    ("video 10s with audio", {"modality": "video", "seconds": D(10), "audio": True}),
    ("video 10s without audio", {"modality": "video", "seconds": D(10), "audio": False}),
    ("silent video 5s", {"modality": "video", "seconds": D(5), "audio": False}),
    ("video 10s sora-2", {"modality": "video", "seconds": D(10), "model": "sora-2"}),
    ("sora-2-pro video 10s at 1080p", {"modality": "video", "seconds": D(10), "model": "sora-2-pro",
                                       "resolution": "1080p"}),
    ("video 10s with veo-3.1-fast", {"modality": "video", "seconds": D(10), "model": "veo-3.1-fast"}),
]  # fmt: skip

IMAGE = [
    ("image", {"modality": "image"}),
    ("3 images", {"modality": "image", "counts": [(D(3), "images")]}),
    ("image x3", {"modality": "image", "counts": [(D(3), None)]}),
    ("image 1024x1536 high", {"modality": "image", "size": "1024x1536", "quality": "high"}),
    ("image 1536x1024 hd", {"modality": "image", "size": "1024x1536", "quality": "hd"}),
    ("picture low quality", {"modality": "image", "quality": "low"}),
    ("image medium gpt-image-1", {"modality": "image", "quality": "medium", "model": "gpt-image-1"}),
    ("images std dall-e-3", {"modality": "image", "quality": "standard", "model": "dall-e-3"}),
]

CHAT = [
    ("chat 1500 in 500 out", {"modality": "chat", "tokens_in": D(1500), "tokens_out": D(500)}),
    ("chat 1500 input 500 output", {"modality": "chat", "tokens_in": D(1500), "tokens_out": D(500)}),
    ("chat 1.5k tokens in 500 tokens out", {"modality": "chat", "tokens_in": D(1500), "tokens_out": D(500)}),
    ("chat 2k tokens", {"modality": "chat", "tokens": D(2000)}),
    ("chat 2,000 tokens", {"modality": "chat", "tokens": D(2000)}),
    ("text 500 words", {"modality": "chat", "words": D(500)}),
    ("llm 1k in gpt-4o", {"modality": "chat", "tokens_in": D(1000), "model": "gpt-4o"}),
    ("chat claude-sonnet-4.5 3k in 1k out", {"modality": "chat", "model": "claude-sonnet-4.5",
                                             "tokens_in": D(3000), "tokens_out": D(1000)}),
]  # fmt: skip

OTHERS = [
    ("agent 40 steps x 6k tokens", {"modality": "agent", "steps": D(40), "tokens": D(6000)}),
    ("agent 40 steps 5k in 1k out", {"modality": "agent", "steps": D(40), "tokens_in": D(5000),
                                     "tokens_out": D(1000)}),
    ("40 steps x 6k tokens", {"modality": "agent", "steps": D(40), "tokens": D(6000)}),
    ("tts 30s", {"modality": "tts", "seconds": D(30)}),
    ("tts 2k chars", {"modality": "tts", "chars": D(2000)}),
    ("speech 2,000 characters elevenlabs-flash", {"modality": "tts", "chars": D(2000),
                                                  "model": "elevenlabs-flash"}),
    ("transcribe 10 min", {"modality": "transcribe", "seconds": D(600)}),
    ("transcription 1 hour", {"modality": "transcribe", "seconds": D(3600)}),
    ("stt 90 seconds whisper-1", {"modality": "transcribe", "seconds": D(90), "model": "whisper-1"}),
    ("embed 1M tokens", {"modality": "embed", "tokens": D(1_000_000)}),
    ("embeddings 500 words", {"modality": "embed", "words": D(500)}),
]  # fmt: skip

COUNTS_AND_PERIODS = [
    ("video 10s x 1M users", {"counts": [(D(1_000_000), "users")]}),
    ("video 10s × 1M users", {"counts": [(D(1_000_000), "users")]}),
    ("video 10s * 1,000,000", {"counts": [(D(1_000_000), None)]}),
    ("video 10s x 50k", {"counts": [(D(50_000), None)]}),
    ("video 10s for 200 devs", {"counts": [(D(200), "devs")]}),
    ("video 10s 1.5M users", {"counts": [(D(1_500_000), "users")]}),
    ("video 10s x 2B", {"counts": [(D(2_000_000_000), None)]}),
    ("video 10s x 1 million users", {"counts": [(D(1_000_000), "users")]}),
    ("video 10s x 2.5 billion", {"counts": [(D(2_500_000_000), None)]}),
    ("video 10s x 3 thousand devs", {"counts": [(D(3000), "devs")]}),
    ("video 10s for 1M users and 2 per user", {"counts": [(D(1_000_000), "users"), (D(2), None)]}),
    ("video 10s 3 a day", {"counts": [(D(3), None)], "period": "day"}),
    ("video 10s x 4k users", {"counts": [(D(4000), "users")]}),
    ("video 10s x 3 per user per day x 1M users", {"counts": [(D(3), None), (D(1_000_000), "users")],
                                                   "period": "day"}),
    ("video 10s x 50k tickets per week", {"counts": [(D(50_000), "tickets")], "period": "week"}),
    ("video 10s x 1M /day", {"period": "day"}),
    ("video 10s x 1M a month", {"period": "month"}),
    ("video 10s x 1M daily", {"period": "day"}),
    ("video 10s x 1M weekly", {"period": "week"}),
    ("video 10s x 1M monthly", {"period": "month"}),
    ("video 10s x 1M yearly", {"period": "year"}),
    ("video 10s x 1M per year", {"period": "year"}),
    ("x 1M users per day video 10s", {"counts": [(D(1_000_000), "users")], "period": "day"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), VIDEO + IMAGE + CHAT + OTHERS)
def test_workload_phrasings(text: str, expected: dict[str, object]) -> None:
    assert parts(parse(text)) == expected | ({"counts": expected["counts"]} if "counts" in expected else {})


@pytest.mark.parametrize(("text", "expected"), COUNTS_AND_PERIODS)
def test_counts_and_periods(text: str, expected: dict[str, object]) -> None:
    found = parts(parse(text))
    assert {k: found.get(k) for k in expected} == expected


def test_word_order_is_forgiving() -> None:
    canonical = parts(parse("video 10s sora-2 x 1M users per day"))
    for shuffled in ("x 1M users video 10s sora-2 per day", "per day sora-2 x 1M users 10s video",
                     "sora-2 video per day 10s x 1M users"):  # fmt: skip
        assert parts(parse(shuffled)) == canonical


def test_counts_multiply_and_the_first_people_count_is_the_user_base() -> None:
    request = parse("chat 2k tokens x 20 per day for 200 devs x 3 customers")
    assert request.quantity == 20 * 200 * 3
    assert request.users == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("video 10s at $0.25/s", [PriceOverride(D("0.25"), "second")]),
        ("video 10s at $0.25 per second", [PriceOverride(D("0.25"), "second")]),
        ("video 10s @ $1 each", [PriceOverride(D(1), "request")]),
        ("image at $0.04/image", [PriceOverride(D("0.04"), "image")]),
        ("transcribe 10 min at $0.006/min", [PriceOverride(D("0.006"), "second", D(60))]),
        ("tts 2k chars at $15/1M chars", [PriceOverride(D(15), "char", D(1_000_000))]),
        ("chat 2k tokens at $2/1M in $8/1M out",
         [PriceOverride(D(2), "input_token", D(1_000_000)), PriceOverride(D(8), "output_token", D(1_000_000))]),
        ("chat 2k tokens at $2 in $8 out",
         [PriceOverride(D(2), "input_token", D(1_000_000)), PriceOverride(D(8), "output_token", D(1_000_000))]),
        ("embed 1M tokens at $0.02/1M tokens", [PriceOverride(D("0.02"), "token", D(1_000_000))]),
        ("chat 2k tokens at $3/mtok", [PriceOverride(D(3), "token", D(1_000_000))]),
    ],
)  # fmt: skip
def test_price_overrides(text: str, expected: list[PriceOverride]) -> None:
    assert parse(text).prices == expected


def test_discount_and_gpu_rate() -> None:
    request = parse("video 10s discount 30% gpu $2.50/h")
    assert request.discount_pct == 30
    assert request.gpu_hour_usd == D("2.50")
    assert parse("video 10s 25% off gpu $4 per hour").discount_pct == 25


@pytest.mark.parametrize(
    ("text", "kind", "usd", "basis", "period"),
    [
        ("chat value $0.05 each", "value", D("0.05"), "unit", None),
        ("chat value $20/user/month", "value", D(20), "user", "month"),
        ("chat value $20 per user per month", "value", D(20), "user", "month"),
        ("chat worth $500/month", "value", D(500), "total", "month"),
        ("chat revenue $9.99/user/month", "revenue", D("9.99"), "user", "month"),
        ("chat saves 10 min @ $70/h", "saves", D(70), "unit", None),
        ("chat saves 2 hours at $100 per hour", "saves", D(100), "unit", None),
    ],
)
def test_values(text: str, kind: str, usd: Decimal, basis: str, period: str | None) -> None:
    value = parse(text).value
    assert value is not None
    assert (value.kind, value.usd, value.basis, value.period) == (kind, usd, basis, period)


def test_saves_without_a_rate_marks_the_wage_as_assumed() -> None:
    value = parse("chat saves 10 min").value
    assert value is not None and value.minutes_saved == 10 and value.usd is None


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("help", "help", ""),
        ("prices veo", "prices", "veo"),
        ("save launch-video video 10s x 1M users", "save", "launch-video video 10s x 1M users"),
        ("value launch-video $20/user/month", "value", "launch-video $20/user/month"),
        ("digest on mon 09:00 Europe/Berlin", "digest", "on mon 09:00 Europe/Berlin"),
    ],
)
def test_subcommands_are_recognised_by_their_first_word(text: str, name: str, args: str) -> None:
    assert parse_request(text) == Subcommand(name, args)


def test_a_text_starting_with_a_value_is_still_an_estimate() -> None:
    assert isinstance(parse_request("value $0.05 each video 10s"), Request)


@pytest.mark.parametrize(
    ("text", "says", "position"),
    [
        ("", "Tell me what to cost", None),
        ("   ", "Tell me what to cost", None),
        ("video 10s x banana", "'x' needs a number", 13),
        ("video 10s x", "got nothing", None),
        ("vidoe 10s", "I don't understand 'vidoe'", 1),
        ("video 0s", "more than zero", 7),
        ("video 10s x 0 users", "more than zero", 13),
        ("video -10s", "all positive", 7),
        ("video 10s x 10^30 users", "powers aren't supported", 15),
        ("video 10s x 1e400 users", "too large", 13),
        ("video 10s x 99999999999999 users", "too large", 13),
        ("video 10s image", "One workload at a time", 11),
        ("video 1000 tokens", "doesn't fit a video workload", 7),
        ("chat 10s", "doesn't fit a chat workload", 6),
        ("image 10s", "doesn't fit an image workload", 7),
        ("video 10s per fortnight", "isn't a period I project", 15),
        ("video 10s x 3 per fortnight", "isn't a period I project", 19),
        ("video 10s per banana split", "I don't understand 'split'", 22),
        ("video 10s per day per month", "contradicts", 23),
        ("video 10s at night", "needs a dollar amount", 14),
        ("video 10s at $0.25", "Give the price a unit", 14),
        ("video 10s discount 130%", "between 0% and 100%", 20),
        ("video 10s gpu $2.50", "per hour", 15),
        ("video 10 x 1M", "what '10' counts", 7),
        ("video 10s 999p", "not a resolution I know", 11),
        ("video 10s value $1 each saves 5 min", "Give one value", 25),
        ("chat saves lots", "how much time it saves", 12),
        ("video 10s users", "'users' needs a count before it", 11),
        ("video 10s x 20000 billion users", "too large", 13),
    ],
)
def test_bad_input_says_what_and_where(text: str, says: str, position: int | None) -> None:
    with pytest.raises(EstimateError) as caught:
        parse(text)
    assert says in str(caught.value)
    if position is not None:
        assert caught.value.position == position


def test_errors_offer_an_example_that_parses() -> None:
    with pytest.raises(EstimateError) as caught:
        parse("video 10s x banana")
    assert caught.value.example
    parse(caught.value.example)


@pytest.mark.parametrize("markup", ["<!channel>", "<@U123ABC>", "<#C123|general>", "<https://evil.example|x>",
                                    "<!here"])  # fmt: skip
def test_slack_markup_is_refused_and_never_echoed(markup: str) -> None:
    with pytest.raises(EstimateError) as caught:
        parse(f"video 10s {markup} x 1M users")
    message = str(caught.value)
    assert "Slack mention" in message
    assert "<" not in message and ">" not in message


def test_text_over_the_limit_is_refused_without_echoing_it() -> None:
    with pytest.raises(EstimateError) as caught:
        parse_request("video 10s " + "x 2 " * 300)
    assert "characters" in str(caught.value) and "x 2 x 2" not in str(caught.value)


def test_every_example_parses() -> None:
    for modality, text in EXAMPLES.items():
        assert parse(text).modality == modality


def test_count_objects_know_people() -> None:
    assert Count(D(3), "devs").is_people and not Count(D(3), "tickets").is_people


def test_sections_cut_the_text_as_typed_for_an_editing_form() -> None:
    request = parse_request("video 8s Veo-3.1 1080p x 3 per user per day x 50k users at $0.40/s value $1 each")
    assert isinstance(request, Request)
    assert request.sections() == {
        "workload": "video 8s 1080p",
        "model": "Veo-3.1",
        "counts": "x 3 per user x 50k users",
        "period": "per day",
        "price": "at $0.40/s",
        "value": "value $1 each",
    }


def test_a_misspelt_command_word_is_suggested() -> None:
    with pytest.raises(EstimateError) as caught:
        parse_request("hepl")
    assert caught.value.suggestion == "help"
