"""Token prices agree with genai-prices' own calc_price for the same usage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from costing import estimate
from costing.tokens import find_token_price


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
