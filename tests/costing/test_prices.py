"""list_prices(): what costbot knows, filtered, with sources and dates."""

from __future__ import annotations

from datetime import date

from costing.prices import list_prices


def test_an_empty_filter_lists_the_catalog_and_counts_the_token_models() -> None:
    listing = list_prices()
    assert len(listing.rows) >= 40
    assert listing.token_models_hidden > 100
    assert all(row.source and row.checked for row in listing.rows)


def test_a_filter_matches_ids_names_providers_and_kinds() -> None:
    assert {r.model for r in list_prices("sora").rows} == {"sora-2", "sora-2-pro"}
    assert all(r.modality == "transcribe" for r in list_prices("transcribe").rows)
    assert any(r.model == "veo-3.1-fast" for r in list_prices("Google").rows)


def test_a_filter_brings_in_token_priced_models_from_genai_prices() -> None:
    rows = list_prices("claude-sonnet-4").rows
    assert rows and all(r.modality == "chat" and r.checked == date(2026, 11, 10) for r in rows)
    assert any(r.price == "$3.00 / $15.00" for r in rows)


def test_a_filter_with_no_match_is_empty_not_an_error() -> None:
    listing = list_prices("zzz-no-such-thing")
    assert listing.rows == [] and listing.token_models_hidden == 0


def test_token_models_beyond_the_limit_are_counted_not_listed() -> None:
    listing = list_prices("gpt", token_limit=3)
    token_rows = [r for r in listing.rows if "genai-prices" in r.source]
    assert len(token_rows) <= 3 and listing.token_models_hidden > 0
