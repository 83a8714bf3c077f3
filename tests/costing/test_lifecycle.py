"""Model lifecycles: worked out against the day asked about, said in every answer, sourced and dated."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from costing import estimate
from costing.choice import DEFAULT_MODELS, default_model
from costing.errors import EstimateError
from costing.lifecycle import Lifecycle, Status
from costing.price_book import current_catalog
from costing.token_facts import token_facts
from costing.tokens import find_token_price


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


# --- the rule ------------------------------------------------------------------------------------------------

GPT5 = Lifecycle(Status.DEPRECATED, shutdown=date(2026, 12, 11), replacement="gpt-6.1-sol",
                 source="https://developers.openai.com/api/docs/deprecations", checked=date(2026, 11, 22))  # fmt: skip


def test_a_deprecated_model_is_retired_from_its_shutdown_date_on_without_an_edit() -> None:
    assert GPT5.status_on(date(2026, 12, 10)) is Status.DEPRECATED
    assert GPT5.status_on(date(2026, 12, 11)) is Status.RETIRED
    assert GPT5.usable_on(date(2026, 12, 10)) and not GPT5.usable_on(date(2026, 12, 11))


def test_the_warnings_say_when_and_what_instead() -> None:
    assert GPT5.warning("GPT-5", "OpenAI", date(2026, 12, 1)) == (
        "GPT-5 shuts down on 2026-12-11 (in 10 days); OpenAI recommends gpt-6.1-sol."
    )
    assert GPT5.warning("GPT-5", "OpenAI", date(2026, 12, 10)) == (
        "GPT-5 shuts down on 2026-12-11 (tomorrow); OpenAI recommends gpt-6.1-sol."
    )
    assert GPT5.warning("GPT-5", "OpenAI", date(2026, 12, 11)) == (
        "GPT-5 was shut down on 2026-12-11; priced as it was; consider gpt-6.1-sol."
    )
    assert Lifecycle().warning("GPT-6 Luna", "OpenAI", date(2026, 12, 1)) is None


def test_a_shutdown_date_without_a_source_is_refused() -> None:
    with pytest.raises(ValueError, match="source"):
        Lifecycle(Status.DEPRECATED, shutdown=date(2027, 1, 1))
    with pytest.raises(ValueError, match="shutdown date"):
        Lifecycle(Status.RETIRED)


# --- token models: the overlay, through answers ---------------------------------------------------------------


def test_gpt5_warns_ten_days_ahead_and_is_retired_on_its_day() -> None:
    before = estimate("chat 1k in gpt-5", at=at("2026-12-01"))
    assert before.api.price.status == "deprecated" and before.api.price.shutdown == date(2026, 12, 11)
    assert "GPT-5 shuts down on 2026-12-11 (in 10 days); OpenAI recommends gpt-6.1-sol." in before.warnings
    after = estimate("chat 1k in gpt-5", at=at("2026-12-11"))
    assert after.api.price.status == "retired"
    assert "GPT-5 was shut down on 2026-12-11; priced as it was; consider gpt-6.1-sol." in after.warnings
    assert after.api.unit_usd == before.api.unit_usd  # retired models stay priced as they were


def test_the_clock_decides_when_no_day_is_given() -> None:
    with time_machine.travel(at("2026-12-12"), tick=False):
        e = estimate("chat 1k in gpt-5")
    assert e.api.price.status == "retired"


def test_every_overlay_row_is_sourced_dated_and_names_a_priced_replacement() -> None:
    rows = token_facts().lifecycle_rows
    catalog, day = current_catalog(), date(2026, 12, 1)
    assert len(rows) >= 20
    for provider, model, life in rows:
        assert life.status in (Status.DEPRECATED, Status.RETIRED), model
        assert life.shutdown is not None and life.source is not None and life.source.startswith("https://"), model
        assert life.checked is not None and life.checked <= date(2026, 12, 1), model
        if life.replacement:  # a token model of the same provider, or a catalog model (speech, images)
            catalog_id = catalog.resolve(life.replacement)
            if catalog_id is not None:
                assert catalog.default_entry(catalog_id).lifecycle.usable_on(day), (model, life.replacement)
            else:
                price = find_token_price(life.replacement, provider=provider, at=at("2026-12-01"))
                assert price is not None and price.lifecycle.usable_on(day), (model, life.replacement)


# --- media models: the catalog ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day", "status", "said"),
    [
        ("image gpt-image-1", "2026-12-01", "retired", "GPT Image 1 was shut down on 2026-10-23"),
        ("image dall-e-3", "2026-12-01", "retired", "DALL-E 3 was shut down on 2026-05-12"),
        ("image dall-e-2", "2026-12-01", "retired", "was shut down on 2026-05-12"),
        ("video 8s veo-3", "2026-12-01", "retired", "Veo 3 was shut down on"),
        ("image imagen-3", "2026-12-01", "retired", "Imagen 3 was shut down on"),
        ("video 10s sora-2", "2026-12-01", "retired", "Sora 2 was shut down on"),
        ("image gpt-image-1.5", "2026-11-30", "deprecated", "GPT Image 1.5 shuts down on 2026-12-01 (tomorrow)"),
        ("image gpt-image-1.5", "2026-12-01", "retired", "GPT Image 1.5 was shut down on 2026-12-01"),
        ("image gpt-image-2", "2026-12-01", "deprecated", "GPT Image 2 shuts down on 2027-02-10 (in 71 days)"),
    ],
)
def test_media_models_carry_their_status_on_the_day(text: str, day: str, status: str, said: str) -> None:
    e = estimate(text, at=at(day))
    assert e.api.price.status == status
    assert any(said in w for w in e.warnings), e.warnings
    assert e.api.unit_usd > 0  # history and old scenarios still price


def test_gpt_image_2_is_an_image_model_not_a_chat_model() -> None:
    e = estimate("image gpt-image-2", at=at("2026-12-01"))
    assert e.modality == "image" and e.model == "gpt-image-2"


def test_every_dated_catalog_status_is_sourced() -> None:
    for entry in current_catalog().entries:
        life = entry.lifecycle
        if life.shutdown is not None:
            assert life.source and life.source.startswith("https://"), entry.id
            assert life.checked is not None, entry.id


def test_current_generations_are_in_the_catalog_and_on_sale() -> None:
    catalog = current_catalog()
    today = date(2026, 12, 1)
    for model_id in ("gpt-image-2.6-sunburst", "veo-3.1", "veo-3.1-fast", "veo-3.1-lite", "gemini-3.1-flash-image"):
        entry = catalog.default_entry(model_id)
        assert entry.lifecycle.usable_on(today), model_id
        assert entry.source.startswith("https://") and entry.checked is not None, model_id


# --- defaults and suggestions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("modality", sorted(DEFAULT_MODELS))
def test_defaults_are_on_sale_on_every_day_of_the_coming_months(modality: str) -> None:
    catalog = current_catalog()
    day = datetime(2026, 6, 1, 12, tzinfo=UTC)
    while day <= datetime(2027, 5, 31, tzinfo=UTC):
        e = estimate(modality, at=day)
        assert e.api.price.status in ("active", "preview", "deprecated"), (modality, day.date(), e.model)
        assert e.model == _id(default_model(modality, catalog=catalog, at=day), e.model)
        day += timedelta(days=7)


def _id(name: str, model_id: str) -> str:
    # A default is named as the catalog or genai-prices names it; the estimate carries the id.
    return model_id if name.lower().replace(".", "-") in model_id.lower().replace(".", "-") else name


def test_when_the_first_default_shuts_down_the_next_one_takes_over() -> None:
    catalog = current_catalog()
    first = DEFAULT_MODELS["image"][0]
    entry = catalog.default_entry(first)
    assert entry.lifecycle.shutdown is None or entry.lifecycle.shutdown > date(2026, 12, 1)
    chosen = default_model("image", catalog=catalog, at=at("2026-12-01"))
    assert chosen == first


@pytest.mark.parametrize(
    ("modality", "typed"),
    [("image", "gpt-imag-1"), ("image", "dall-e"), ("video", "veo-3-fst"), ("image", "imagen-5"), ("chat", "gpt-4oo"),
     ("chat", "llama-3.1-70b-versatil")],
)  # fmt: skip
def test_suggestions_prefer_models_on_sale_and_every_one_parses_and_prices(modality: str, typed: str) -> None:
    day = at("2026-12-01")
    with pytest.raises(EstimateError) as caught:
        estimate(f"{modality} {typed}", at=day)
    found = re.search(r"so I can't price it\. (.+?) (?:is|are) close\.", str(caught.value))
    assert found is not None, str(caught.value)
    names = found.group(1).split(", ")
    assert caught.value.suggestion == names[0]
    on_sale = []
    for name in names:
        e = estimate(f"{modality} {name}", at=day)  # every suggestion parses and prices
        assert e.api.unit_usd > 0
        on_sale.append(e.api.price.status != "retired")
    assert on_sale == sorted(on_sale, reverse=True), (names, on_sale)  # models on sale first
