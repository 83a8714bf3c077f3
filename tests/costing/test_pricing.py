"""Choosing the model a request is priced on: names as people type them, families, providers, defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from costing import estimate, use_price_book
from costing.aliases import alias_names, find_alias
from costing.errors import EstimateError
from costing.price_book import current_catalog
from costing.tokens import find_token_price

DAY = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "model", "said"),
    [
        ("claude-haiku", "claude-haiku-5-5", "'claude-haiku' is a family: its newest model on sale is"),
        ("haiku", "claude-haiku-5-5", "'haiku' is a family"),
        ("sonnet", "claude-sonnet-5-5", "'sonnet' is a family"),
        ("mistral-large", "mistral-large-4", "'mistral-large' is a family"),
        ("deepseek-v3", "deepseek-v3.2", "'deepseek-v3' is a family"),
        ("llama-3.1-70b", "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", "priced at Together AI's rate"),
    ],
)
def test_family_and_open_model_names_resolve_and_the_answer_says_to_what(typed: str, model: str, said: str) -> None:
    e = estimate(f"chat 1k in 1k out {typed}", at=DAY)
    assert e.model == model
    assert any(said in a for a in e.assumptions), e.assumptions


def test_mistral_large_is_today_s_model_at_today_s_price_not_an_old_one_at_four_times() -> None:
    e = estimate("chat 1M in 1M out mistral-large", at=DAY)
    assert e.api.unit_usd == Decimal("0.7") + Decimal("2.1")  # Mistral Large 4: $0.70/$2.10 per 1M
    assert e.api.unit_usd < Decimal(2 + 6) / 2


def test_spellings_of_claude_models_are_rewritten() -> None:
    for typed in ("sonnet-4.5", "sonnet4.5", "claude-4.5-sonnet"):
        e = estimate(f"chat 1k in {typed}", at=DAY)
        assert e.model == "claude-sonnet-4-5", typed


def test_when_a_model_shuts_down_its_family_and_the_default_move_on_by_themselves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A price book announcing a shutdown (as the bundled catalog would): nothing is edited on the day itself.
    book = tmp_path / "prices.yaml"
    book.write_text(
        "entries:\n"
        "  - {id: gpt-image-2.6-sunburst, variant: {quality: medium, size: 1024x1024}, usd: '0.05',\n"
        "     status: deprecated, shutdown: 2026-12-05, replacement: gpt-image-2.5-sunburst,\n"
        "     lifecycle_source: 'https://developers.openai.com/api/docs/deprecations',\n"
        "     lifecycle_checked: 2026-12-01}\n",
        encoding="utf-8",
    )
    use_price_book(str(book))
    before, after = datetime(2026, 12, 4, 12, tzinfo=UTC), datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert estimate("image gpt-image", at=before).model == "gpt-image-2.6-sunburst"
    assert estimate("image", at=before).model == "gpt-image-2.6-sunburst"
    assert any("shuts down on 2026-12-05 (tomorrow)" in w for w in estimate("image", at=before).warnings)
    assert estimate("image gpt-image", at=after).model == "gpt-image-2.5-sunburst"
    assert estimate("image", at=after).model == "gpt-image-2.5-sunburst"
    retired = estimate("image gpt-image-2.6-sunburst", at=after)
    assert retired.api.price.status == "retired" and retired.api.unit_usd == Decimal("0.05")


def test_a_family_with_no_model_on_sale_is_a_clear_error_naming_the_replacement() -> None:
    with pytest.raises(EstimateError) as caught:
        estimate("image imagen", at=DAY)
    message = str(caught.value)
    assert "Every 'imagen' model has been shut down" in message and "imagen-4" in message
    assert "Google recommends gemini-3.1-flash-image" in message
    assert caught.value.suggestion == "gemini-3.1-flash-image"
    assert estimate("image imagen-4", at=DAY).api.price.status == "retired"  # still priceable by name


def test_every_alias_and_family_member_prices() -> None:
    catalog = current_catalog()
    for name in sorted(alias_names()):
        alias = find_alias(name)
        assert alias is not None
        for member in alias.members:
            provider, slash, rest = member.partition("/")
            if catalog.resolve(member) is not None:
                continue
            found = find_token_price(rest, provider=provider) if slash else find_token_price(member)
            assert found is not None, (name, member)


def test_provider_qualified_suggestions_parse() -> None:
    with pytest.raises(EstimateError) as caught:
        estimate("chat 1k in together/llama-3.1-7b", at=DAY)
    suggestion = caught.value.suggestion
    if suggestion is not None:
        assert estimate(f"chat 1k in {suggestion}", at=DAY).api.unit_usd > 0


def test_groq_s_versatile_names_parse_and_price() -> None:
    e = estimate("chat 1k in 1k out llama-3.1-70b-versatile", at=DAY)
    assert e.provider == "Groq" and e.api.unit_usd > 0


def test_a_chat_model_asked_for_as_an_image_names_image_models_on_sale() -> None:
    with pytest.raises(EstimateError) as caught:
        estimate("image gpt-4o", at=DAY)
    message = str(caught.value)
    assert "is a chat model, not an image model" in message
    assert "gpt-image-1," not in message and "dall-e" not in message  # shut-down models aren't offered


def test_token_data_without_any_default_model_is_a_clear_error_not_a_crash() -> None:
    import json

    from genai_prices.data_snapshot import DataSnapshot, set_custom_snapshot
    from genai_prices.types import _providers_from_raw

    raw = json.loads((Path(__file__).parents[1] / "data" / "genai_prices_minimal.json").read_text())
    raw[0]["models"] = [m for m in raw[0]["models"] if m["id"] == "gpt-4o"]  # no gpt-6-luna: no chat default
    set_custom_snapshot(DataSnapshot(_providers_from_raw(raw), from_auto_update=True))
    try:
        with pytest.raises(EstimateError) as caught:
            estimate("chat 1k in", at=DAY)
        assert "None of the default models for chat (gpt-6-luna, gpt-5.4-mini, claude-haiku-4-5)" in str(caught.value)
        assert estimate("chat 1k in gpt-4o", at=DAY).api.unit_usd > 0  # a named model still prices
    finally:
        set_custom_snapshot(None)
