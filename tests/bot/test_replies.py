from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from bot.replies import estimate_text
from bot.router import answer
from costing import use_price_book


def test_an_estimate_reply_carries_the_estimate_and_is_public_material() -> None:
    reply = answer("image x 3")
    assert reply.estimate is not None and reply.private is False


def test_help_is_for_the_asker_and_prices_are_material_to_share() -> None:
    assert answer("help").private is True and answer("").private is True  # in a thread too (issue 15)
    assert answer("help").message["text"].startswith("costbot help")
    assert answer("PRICES veo").private is False and "veo" in answer("prices veo").message["text"]


def test_errors_are_private() -> None:
    assert answer("vidoe 10s").private is True


def test_a_question_typed_after_cost_is_costed_from_the_estimate_in_it() -> None:
    reply = answer("how much would 1M videos of 10s cost?")
    assert reply.estimate is not None and reply.estimate.quantity == 1_000_000 and not reply.private
    assert "Read from your words as `/cost 1M videos of 10s`" in str(reply.message["blocks"])


def test_a_typo_after_cost_keeps_its_suggestion_and_its_command() -> None:
    shown = str(answer("vidoe 10s x 1M users").message["blocks"])
    assert "Did you mean *video*?" in shown and "`/cost vidoe 10s x 1M users`" in shown  # as typed, after /cost


def test_a_kept_estimate_is_the_same_object_until_the_price_book_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = tmp_path / "prices.yaml"
    book.write_text("entries:\n  - {id: sora-2, variant: {resolution: 720p}, usd: '0.05'}\n")
    use_price_book(str(book))
    first = estimate_text("sora-2 10s")
    assert estimate_text("  sora-2 10s ") is first
    assert first.api.unit_usd == Decimal("0.5")

    book.write_text("entries:\n  - {id: sora-2, variant: {resolution: 720p}, usd: '0.07'}\n")
    os.utime(book, ns=(1, 10**18))  # a different mtime, as any real edit gives
    assert estimate_text("sora-2 10s").api.unit_usd == Decimal("0.7")


def test_a_bare_cost_shows_the_help() -> None:
    assert answer("  ").message["text"].startswith("costbot help")


def test_a_typo_at_the_end_after_cost_is_shown_not_dropped() -> None:
    reply = answer("chat 1500 in 500 out x 200k per day modle gpt-4o")
    assert reply.private and reply.estimate is None  # not costed on the default model without a word
    assert "I don't understand 'modle'" in str(reply.message["blocks"])


def test_a_mention_with_a_typo_at_the_end_gets_the_error_as_typed_not_no_workload() -> None:
    shown = str(answer("video 10s x 1M users with veo-3.1-fsat", prose=True).message["blocks"])
    assert "Did you mean" in shown and "There's no workload" not in shown and "/cost video" not in shown
