"""Token prices agree with genai-prices' own calc_price for the same usage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from costing import estimate
from costing.errors import EstimateError
from costing.tokens import UnknownProvider, find_token_price, token_data


@pytest.mark.parametrize(
    ("model", "tokens_in", "tokens_out"),
    [
        ("gpt-4o", 1500, 500),
        ("gpt-4o-mini", 120_000, 4_000),
        ("claude-sonnet-4.5", 3_000, 1_000),
        ("claude-sonnet-4.5", 250_000, 1_000),  # the >200k-token tier
        ("gemini-2.5-pro", 300_000, 2_000),
        ("o3", 10_000, 10_000),
    ],
)
def test_one_request_costs_what_genai_prices_says(model: str, tokens_in: int, tokens_out: int) -> None:
    expected = calc_price(Usage(input_tokens=tokens_in, output_tokens=tokens_out), model).total_price
    e = estimate(f"chat {tokens_in} in {tokens_out} out {model}")
    assert e.api.unit_usd == expected


def test_embedding_models_are_found_with_their_provider() -> None:
    price = find_token_price("text-embedding-3-small")
    assert price is not None and price.output_mtok is None and price.input_mtok == Decimal("0.02")


def test_unknown_models_are_none_not_zero() -> None:
    assert find_token_price("definitely-not-a-model-9000") is None


# --- prices at the moment asked about --------------------------------------------------------------------

PEAK = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # inside DeepSeek Flash's 01:00–04:00 UTC peak window
OFF_PEAK = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("moment", [PEAK, OFF_PEAK], ids=["peak", "off-peak"])
def test_time_of_day_prices_follow_the_hour_asked_about(moment: datetime) -> None:
    usage = Usage(input_tokens=10_000, output_tokens=2_000)
    expected = calc_price(usage, "deepseek-flash", provider_id="deepseek", genai_request_timestamp=moment).total_price
    e = estimate("chat 10k in 2k out deepseek/deepseek-flash", at=moment)
    assert e.api.unit_usd == expected
    (note,) = [w for w in e.warnings if "time of day" in w]
    assert f"Priced at {moment:%H:%M} UTC" in note and "01:00–04:00 UTC" in note


def test_peak_hours_cost_twice_the_off_peak_rate_not_midnight_s_rate_all_day() -> None:
    peak = estimate("chat 10k in 2k out deepseek/deepseek-flash", at=PEAK).api.unit_usd
    off_peak = estimate("chat 10k in 2k out deepseek/deepseek-flash", at=OFF_PEAK).api.unit_usd
    assert peak == 2 * off_peak


def test_a_dated_price_change_applies_from_its_day_and_is_announced_before() -> None:
    before = estimate("chat 1M in gemini-4-argon", at=datetime(2026, 11, 30, 12, tzinfo=UTC))
    after = estimate("chat 1M in gemini-4-argon", at=datetime(2026, 12, 1, 12, tzinfo=UTC))
    assert before.api.unit_usd == Decimal(2) and after.api.unit_usd == Decimal(4)
    assert any("changes on 2026-12-01" in w for w in before.warnings)
    assert not any("changes on" in w for w in after.warnings)


def test_every_token_price_shows_its_source_and_the_data_s_date() -> None:
    e = estimate("chat 1k in gpt-4o")
    data = token_data()
    assert data.as_of is not None and data.origin is None
    assert e.api.price.data == data.label == f"genai-prices {data.package_version} data of {data.as_of.isoformat()}"
    assert e.api.price.checked == data.as_of
    assert e.api.price.source.startswith("https://")


# --- names as LiteLLM and OpenRouter spell them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "provider_id"),
    [
        ("together/llama-3.1-70b", "together"),
        ("groq/llama-3.1-70b-versatile", "groq"),
        ("bedrock/claude-sonnet-4.5", "aws"),
        ("vertex_ai/gemini-2.5-pro", "google"),
        ("openrouter/meta-llama/llama-3.1-70b-instruct", "openrouter"),
        ("meta-llama/llama-3.1-70b-instruct", "openrouter"),  # OpenRouter's maker/model spelling
    ],
)
def test_a_provider_qualified_name_selects_that_provider_s_price(typed: str, provider_id: str) -> None:
    provider, _, name = typed.partition("/")
    price = find_token_price(name, provider=provider)
    assert price is not None and price.provider_id == provider_id
    e = estimate(f"chat 1k in 1k out {typed}")
    assert e.provider == price.provider and e.api.unit_usd > 0


def test_the_same_model_is_priced_differently_by_different_hosts() -> None:
    together = estimate("chat 1M in together/llama-3.1-70b").api.unit_usd
    groq = estimate("chat 1M in groq/llama-3.1-70b-versatile").api.unit_usd
    assert together != groq


def test_an_unknown_provider_is_a_clear_error_not_a_guess() -> None:
    with pytest.raises(UnknownProvider) as caught:
        find_token_price("llama-3.1-70b", provider="foo")
    assert "together" in caught.value.known
    with pytest.raises(EstimateError) as error:
        estimate("chat 1k in foo/llama-3.1-70b")
    message = str(error.value)
    assert "I don't know the provider 'foo'" in message and "together" in message and "\n" not in message


def test_users_per_day_is_still_a_count_and_a_period_not_a_provider() -> None:
    e = estimate("chat 1k in x 10 users/day")
    assert e.users == 10 and e.period == "day"
