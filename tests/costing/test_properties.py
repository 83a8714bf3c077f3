"""Property-based: any text yields an Estimate or the domain error — never a crash, never inf, never NaN."""

from __future__ import annotations

import json
import math
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from costing import Estimate, EstimateError, Request, current_catalog, estimate, parse_request
from costing.request import SECTIONS

PIECES = [
    "video", "image", "chat", "agent", "tts", "transcribe", "embed", "text", "clip", "10s", "1.5 min", "720p",
    "4k", "1080p", "with audio", "no audio", "1024x1536", "high", "hd", "1500 in", "500 out", "2k tokens",
    "500 words", "40 steps", "2k chars", "x", "x 1M users", "x 50k", "for 200 devs", "x 3 per user", "per day",
    "/week", "monthly", "per", "at", "at $0.25/s", "at $2/1M in", "$8/1M out", "discount 30%", "gpu $2.50/h",
    "value $0.05 each", "value $20/user/month", "saves 10 min @ $70/h", "revenue $9.99/user/month", "sora-2",
    "veo-3.1-fast", "gpt-4o", "claude-sonnet-4.5", "whisper-1", "tts-1", "banana", "0", "-1", "1e400", "10^30",
    "<!channel>", "<@U123>", "&", "1,000,000", "0.0001", "99999999999999", "each", "a", "the", "$", "/", "@",
    "%", "save", "help", "prices", "value",
]  # fmt: skip


def check(result: Estimate) -> None:
    money = [result.api.unit_usd, result.api.total_usd, result.compute.unit_usd, result.compute.total_usd]
    assert all(m.is_finite() and m >= 0 for m in money)
    data = json.loads(json.dumps(result.model_dump(mode="json"), allow_nan=False))
    assert data["api"]["total_usd"] >= 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_any_text_gives_an_estimate_or_the_domain_error(text: str) -> None:
    try:
        result = estimate(text)
    except EstimateError as error:
        assert str(error)
    else:
        check(result)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=9).map(" ".join))
def test_any_mix_of_language_pieces_gives_an_estimate_or_the_domain_error(text: str) -> None:
    try:
        result = estimate(text)
    except EstimateError as error:
        message = str(error)
        assert "<!channel>" not in message and "<@U123>" not in message
    else:
        check(result)


WORKLOADS = ["video 10s", "video 1.5 min 1080p", "image high", "chat 1500 in 500 out", "agent 10 steps x 4k tokens",
             "tts 2k chars", "transcribe 10 min", "embed 1M tokens"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    workload=st.sampled_from(WORKLOADS),
    counts=st.lists(st.integers(min_value=1, max_value=10_000), max_size=3),
    period=st.sampled_from(["", "per day", "per week", "per month", "per year"]),
)
def test_totals_are_unit_cost_times_every_count(workload: str, counts: list[int], period: str) -> None:
    text = " ".join([workload, *(f"x {c}" for c in counts), period])
    result = estimate(text)
    quantity = math.prod(counts) if counts else 1
    assert result.quantity == quantity
    assert result.api.total_usd == result.api.unit_usd * quantity
    assert result.compute.total_usd == result.compute.unit_usd * quantity
    if period:
        assert result.projections is not None
        yearly = result.projections["year"]
        assert abs(yearly - result.projections["day"] * 365) <= Decimal("1e-9") * max(yearly, Decimal(1))


def _meaning(request: Request) -> dict[str, object]:
    # Counts multiply, so their order means nothing beyond which people count comes first (`users`).
    meaning = {k: v for k, v in vars(request).items() if k not in {"text", "where", "spans", "counts"}}
    return {**meaning, "counts": sorted(map(repr, request.counts)), "users": request.users}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=9).map(" ".join))
@example("each 1,000,000 each video")  # found by this test: a filler before a count's number needs the x
def test_sections_put_back_together_mean_the_same_request(text: str) -> None:
    names = current_catalog().model_names
    try:
        request = parse_request(text, model_names=names)
    except EstimateError:
        return
    if not isinstance(request, Request):
        return
    sections = request.sections()
    assert set(sections) == set(SECTIONS)
    joined = " ".join(sections[name] for name in SECTIONS if sections[name])
    assert _meaning(parse_request(joined, model_names=names)) == _meaning(request)  # type: ignore[arg-type]
