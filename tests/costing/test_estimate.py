"""estimate(): arithmetic checked against hand-computed cases, and the shape of the --json object."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from costing import Estimate, EstimateError, estimate

D = Decimal


def test_sora_2_at_ten_cents_a_second_for_a_million_users_is_a_million_dollars() -> None:
    e = estimate("video 10s sora-2 x 1M users")
    assert e.api.unit_usd == D("1.00")  # $0.10/s x 10 s
    assert e.api.total_usd == D(1_000_000)
    assert e.quantity == 1_000_000 and e.users == 1_000_000
    assert e.per_user_usd == 1
    assert e.period is None and e.projections is None


def test_the_spec_example_uses_an_active_default_model_and_says_so() -> None:
    e = estimate("video 10s x 1M users")
    assert e.model == "veo-3.1-fast"
    assert e.api.total_usd == D(1_000_000)  # Veo 3.1 Fast 720p: $0.10/s
    assert any("default for video" in a for a in e.assumptions)
    assert e.api.price.source.startswith("https://") and e.api.price.checked is not None


def test_retired_models_are_priced_but_flagged() -> None:
    e = estimate("video 10s sora-2")
    assert any("shut down on 2026-09-24; priced as it was" in w for w in e.warnings)
    assert e.api.price.status == "retired" and e.api.price.shutdown == date(2026, 9, 24)


def test_resolution_picks_the_matching_price() -> None:
    assert estimate("video 10s sora-2-pro 1024p").api.unit_usd == D("5.00")
    assert estimate("video 10s sora-2-pro").api.unit_usd == D("3.00")
    assert estimate("video 8s veo-3.1 4k").api.unit_usd == D("4.80")


def test_a_resolution_the_model_has_no_price_for_is_an_error_listing_what_it_has() -> None:
    with pytest.raises(EstimateError, match=r"no price for 4k.*720p"):
        estimate("video 10s sora-2 4k")


def test_image_quality_and_size_pick_the_price() -> None:
    assert estimate("image gpt-image-1 high 1024x1536").api.unit_usd == D("0.25")
    assert estimate("image gpt-image-1 low").api.unit_usd == D("0.011")
    assert estimate("3 images dall-e-3 hd 1024x1792").api.total_usd == D("0.36")


def test_periods_project_to_day_week_month_and_year() -> None:
    e = estimate("image gpt-image-1 medium x 1000 per day")
    assert e.api.total_usd == D(42)
    assert e.projections == {"day": D(42), "week": D(294), "month": D(42) * 365 / 12, "year": D(42) * 365}
    weekly = estimate("image gpt-image-1 medium x 7000 weekly")
    assert weekly.projections is not None and weekly.projections["day"] == D(42)
    assert weekly.compute.projections is not None and set(weekly.compute.projections) == {
        "day",
        "week",
        "month",
        "year",
    }


def test_chat_tokens_match_list_prices() -> None:
    e = estimate("chat 1500 in 500 out gpt-4o x 200k per day")
    # gpt-4o: $2.50 / $10 per 1M tokens
    assert e.api.unit_usd == D(1500) * D("2.5") / 1_000_000 + D(500) * 10 / 1_000_000
    assert e.api.total_usd == D(1750)


def test_a_token_total_is_split_and_the_split_is_stated() -> None:
    e = estimate("chat 2k tokens gpt-4o")
    assert e.parts.tokens_in == 1500 and e.parts.tokens_out == 500
    assert any("75% input" in a for a in e.assumptions)


def test_agent_runs_multiply_steps_by_tokens_per_step() -> None:
    e = estimate("agent 40 steps x 6k tokens claude-sonnet-4.5")
    # 40 x (5,400 in x $3/M + 600 out x $15/M) = 40 x (0.0162 + 0.009) = $1.008
    assert e.api.unit_usd == D("1.008")


def test_long_context_requests_pay_the_tier_price() -> None:
    e = estimate("chat 300k in 1k out gemini-2.5-pro")
    assert e.api.unit_usd == D(300_000) * D("2.5") / 1_000_000 + D(1000) * 15 / 1_000_000
    assert "long-context" in e.api.price.description


def test_audio_workloads() -> None:
    assert estimate("tts 2k chars tts-1").api.unit_usd == D("0.03")  # $15 per 1M chars
    assert estimate("tts 60s tts-1").api.unit_usd == D(900) * 15 / 1_000_000  # 15 chars a second
    assert estimate("transcribe 10 min whisper-1").api.unit_usd == D("0.06")
    assert estimate("embed 1M tokens text-embedding-3-small").api.unit_usd == D("0.02")


def test_price_overrides_replace_the_list_price_and_say_so() -> None:
    e = estimate("video 10s x 1M users at $0.25/s")
    assert e.api.total_usd == D(2_500_000)
    assert e.api.price.override and e.api.price.source == "your override"
    assert any("your price" in w for w in e.warnings)
    tokens = estimate("chat 1M in 1M out gpt-4o at $2/1M in $8/1M out")
    assert tokens.api.unit_usd == D(10)
    half = estimate("chat 1M in 1M out gpt-4o at $1/1M in")  # output stays at list price ($10/M)
    assert half.api.unit_usd == D(11)
    assert estimate("video 10s at $2 each x 10").api.total_usd == D(20)


def test_a_price_for_the_wrong_unit_is_an_error() -> None:
    with pytest.raises(EstimateError, match="per image doesn't fit a video"):
        estimate("video 10s at $0.04/image")


def test_discount_applies_to_the_api_price_only() -> None:
    plain = estimate("video 10s x 1M users")
    cut = estimate("video 10s x 1M users discount 30%")
    assert cut.api.total_usd == D(700_000)
    assert cut.compute.total_usd == plain.compute.total_usd


def test_compute_cost_is_gpu_seconds_times_the_hourly_rate() -> None:
    e = estimate("video 10s veo-3.1 x 1M users")
    assert e.compute.gpu_hour_usd == D("2.50")  # the Wan2.2 class is measured on H100s
    assert e.compute.unit_usd == e.compute.gpu_seconds_per_unit * D("2.50") / 3600
    dearer = estimate("video 10s x 1M users gpu $6.88/h")
    assert dearer.compute.gpu_hour_usd == D("6.88")
    assert dearer.compute.unit_usd == dearer.compute.gpu_seconds_per_unit * D("6.88") / 3600


def test_value_per_unit_gives_ratio_and_break_even() -> None:
    e = estimate("chat 1500 in 500 out gpt-4o x 1M value $0.05 each")
    assert e.value is not None
    assert e.value.total_usd == D(50_000)
    assert e.value.ratio == D(50_000) / D(8750)
    assert e.value.break_even_unit_usd == D("0.05")


def test_value_per_user_per_month_is_converted_to_the_estimate_period() -> None:
    e = estimate("chat 2k tokens gpt-4o x 200 devs x 20 per day value $20/user/month")
    assert e.value is not None and e.value.period == "day"
    assert e.value.total_usd == D(20) * 200 / (D(365) / 12)
    assert e.value.ratio == e.value.total_usd / e.api.total_usd


def test_time_saved_uses_the_stated_rate_or_the_default_wage() -> None:
    stated = estimate("chat 2k tokens x 100 per day saves 10 min @ $60/h")
    assert stated.value is not None and stated.value.total_usd == D(1000)
    default = estimate("chat 2k tokens x 100 per day saves 6 min")
    assert default.value is not None and default.value.total_usd == D("695")  # 0.1 h x $69.50 x 100
    assert any("$69.50/h" in a for a in default.assumptions)


def test_one_off_cost_against_recurring_value_gives_payback_not_ratio() -> None:
    e = estimate("video 10s x 1M users value $20/user/month")
    assert e.value is not None and e.value.ratio is None
    assert e.value.payback_days == D(1_000_000) / (D(20_000_000) / (D(365) / 12))
    assert any("one-off" in w for w in e.warnings)


def test_value_per_user_without_users_is_an_error() -> None:
    with pytest.raises(EstimateError, match="needs a user count"):
        estimate("chat 2k tokens x 1000 per day value $20/user/month")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("video 10s veo-9", "don't know the model 'veo-9'"),
        ("chat gpt-4o-mni", "Did you mean gpt-4o-mini"),
        ("video gpt-4o", "is a chat model, not a video model"),
        ("chat text-embedding-3-small", "is an embedding model, not a chat model"),
        ("image sora-2", "is a video model, not an image model"),
        ("x 1M users", "What should I cost?"),
        ("save foo video 10s", "'save' is a command"),
    ],
)
def test_model_and_workload_errors(text: str, says: str) -> None:
    with pytest.raises(EstimateError, match=says):
        estimate(text)


def test_a_model_alone_implies_its_workload() -> None:
    assert estimate("sora-2 10s").modality == "video"
    assert estimate("gpt-4o 1k in").modality == "chat"
    assert estimate("whisper-1 5 min").modality == "transcribe"


def test_catalog_aliases_resolve() -> None:
    assert estimate("video 10s sora2").model == "sora-2"
    assert estimate("video 10s Veo-3-1-Fast").model == "veo-3.1-fast"


def test_json_object_has_the_contract_fields_as_numbers() -> None:
    e = estimate("video 10s x 1M users per month value $2/user/month")
    data = json.loads(json.dumps(e.model_dump(mode="json")))
    for key in ("modality", "model", "quantity", "period", "projections", "per_user_usd", "value", "assumptions",
                "warnings"):  # fmt: skip
        assert key in data
    assert isinstance(data["api"]["unit_usd"], (int, float))
    assert isinstance(data["api"]["total_usd"], (int, float))
    assert data["api"]["price"]["source"].startswith("https://")
    assert data["api"]["price"]["checked"]
    assert isinstance(data["compute"]["unit_usd"], float)
    assert isinstance(data["compute"]["gpu_hour_usd"], float)
    assert set(data["projections"]) == {"day", "week", "month", "year"}
    assert data["value"]["total_usd"] == 2_000_000 and data["value"]["ratio"] == 2
    assert data["period"] == "month" and data["quantity"] == 1_000_000


def test_estimates_are_immutable_values() -> None:
    e = estimate("video 10s")
    with pytest.raises(ValueError):
        e.model = "other"  # type: ignore[misc]
    assert isinstance(e, Estimate)


def test_headline_carries_the_figures() -> None:
    headline = estimate("video 10s x 1M users").headline()
    assert "$1,000,000" in headline and "1,000,000" in headline and "Veo 3.1 Fast" in headline


def test_an_image_resolution_is_priced_as_that_size_never_as_the_default() -> None:
    with pytest.raises(EstimateError, match="no price for medium, 2160x3840"):
        estimate("image gpt-image-1 4k")
    flat = estimate("image flux-dev 4k")  # one price for any size; compute still grows with the pixels
    assert flat.api.unit_usd == D("0.025")
    assert flat.compute.unit_usd > estimate("image flux-dev").compute.unit_usd


def test_a_misspelt_people_noun_is_flagged_not_silently_dropped() -> None:
    e = estimate("video 10s x 1M usres")
    assert e.users is None and e.per_user_usd is None
    assert any("Did you mean 'users'" in w for w in e.warnings)
    assert not estimate("video 5s x 1M tickets").warnings


def test_a_media_workload_takes_one_price_not_two() -> None:
    with pytest.raises(EstimateError, match="takes one price"):
        estimate("video 10s at $0.25/s $1 each")


def test_a_price_override_on_a_model_named_alone_uses_that_model_s_kind() -> None:
    e = estimate("text-embedding-3-small 1M tokens at $0.01/1M tokens")
    assert e.modality == "embed" and e.api.unit_usd == D("0.01")
    with pytest.raises(EstimateError, match="output token doesn't fit an embedding workload"):
        estimate("text-embedding-3-small 1M tokens at $1/1M out")


def test_overrides_for_seconds_of_speech_and_minutes_of_audio() -> None:
    assert estimate("tts 60s at $0.01/s").api.unit_usd == D("0.60")
    assert estimate("transcribe 1h at $0.50/h").api.unit_usd == D("0.50")


def test_counts_that_multiply_beyond_any_real_workload_are_refused() -> None:
    with pytest.raises(EstimateError, match=r"multiply to 1.00e\+30 videos"):
        estimate("video 10s x 1M users x 1M x 1M x 1M x 1M")


def test_the_largest_allowed_quantity_still_formats() -> None:
    result = estimate("chat 10B tokens gpt-4o x 1M x 1B")
    assert result.quantity == Decimal("1e15")
    assert result.headline()
