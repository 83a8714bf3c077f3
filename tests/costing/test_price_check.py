"""`costing.price_check`: LiteLLM's price file read and checked for shape, and the catalog held against it.

The catalog here is a small hand-written price book (the `acme-*` entries of `acme_price_book`), loaded the way
a user's is and then taken apart from the bundled entries, so the findings don't depend on catalog.yaml. The
price file is `tests/data/litellm_prices_small.json`. `today` is fixed.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from costing.catalog import Catalog, PriceEntry
from costing.price_book import load_catalog
from costing.price_check import (
    MAX_AGE,
    MAX_FILE_BYTES,
    TOLERANCE,
    Finding,
    FindingKind,
    PriceFileError,
    check_catalog,
    read_price_file,
)

TODAY = date(2026, 12, 1)
PRICE_FILE = Path(__file__).parents[1] / "data" / "litellm_prices_small.json"
SOURCE = "https://acme.example/pricing"

#: What `acme_price_book` against the small price file must find (kind, model); nothing else.
EXPECTED = {
    (FindingKind.DIFFERS, "acme-video-differs (720p, audio)"),
    (FindingKind.DIFFERS, "acme-gone"),
    (FindingKind.SHUT_DOWN, "acme-image-shut"),
    (FindingKind.SHUT_DOWN, "acme-tts-deprecated"),
    (FindingKind.STALE, "acme-transcribe-stale"),
    (FindingKind.MISSING, "new-video-1"),
    (FindingKind.MISSING, "new-image-1"),
    (FindingKind.MISSING, "new-voice-1"),
    (FindingKind.MISSING, "new-ears-1"),
}


def acme_price_book(today: date) -> list[dict[str, Any]]:
    """A price book of made-up models, one per case, dated relative to `today` (prices match the price file)."""
    recent = today - timedelta(days=10)

    def entry(model_id: str, modality: str, usd: str, unit: str, **fields: Any) -> dict[str, Any]:
        item: dict[str, Any] = {"id": model_id, "name": model_id.replace("-", " ").title(), "provider": "Acme",
                                "modality": modality, "usd": usd, "unit": unit, "source": SOURCE,
                                "source_kind": "official", "checked": recent}  # fmt: skip
        if modality == "video":
            item |= {"variant": {"resolution": "720p"}, "audio": False}
        return item | fields

    deprecations = "https://acme.example/deprecations"
    return [
        entry("acme-video-agrees", "video", "0.10", "second", litellm="acme/video-agrees"),
        entry("acme-video-differs", "video", "0.20", "second", litellm="acme/video-differs", audio=True),
        entry("acme-image-close", "image", "0.04", "image", litellm="acme/image-close"),  # -2.4%
        entry("acme-image-edge", "image", "0.0525", "image", litellm="acme/image-edge"),  # exactly +5%
        entry("acme-tts-known", "tts", "15", "char", per=1_000_000, litellm="acme/tts-known",
              known_difference={"reason": "Acme halved the price; the file has the old one",
                                "source": "https://acme.example/blog/price-cut", "date": today - timedelta(days=30)}),
        entry("acme-transcribe-stale", "transcribe", "0.006", "minute", litellm="acme/transcribe-stale",
              checked=today - MAX_AGE - timedelta(days=1)),
        entry("acme-transcribe-recent", "transcribe", "0.006", "minute", litellm="acme/transcribe-recent",
              checked=today - MAX_AGE),
        entry("acme-image-shut", "image", "0.02", "image", litellm="acme/image-shut"),
        entry("acme-tts-deprecated", "tts", "10", "char", per=1_000_000, litellm="acme/tts-deprecated",
              status="deprecated", shutdown=today + timedelta(days=60), lifecycle_source=deprecations),
        entry("acme-video-retired", "video", "0.10", "second", litellm="acme/video-retired", status="retired",
              shutdown=date(2026, 6, 30), checked=today - timedelta(days=400)),
        entry("acme-video-sunset-later", "video", "0.10", "second", litellm="acme/video-sunset-later"),
        entry("acme-video-hd", "video", "0.30", "second", litellm="acme/video-hd",
              litellm_field="output_cost_per_second_1080p", variant={"resolution": "1080p"}),
        entry("acme-gone", "image", "0.03", "image", litellm="acme/not-in-file"),
        entry("acme-known-gone", "image", "0.03", "image", litellm="acme/also-not-in-file",
              known_difference={"reason": "not in LiteLLM's file yet", "source": SOURCE, "date": recent}),
        entry("acme-private", "image", "0.01", "image"),  # no litellm key: never compared
        entry("acme-image-sunset", "image", "0.01", "image", status="deprecated", shutdown=today - timedelta(days=5),
              lifecycle_source=deprecations, checked=today - timedelta(days=300)),  # shut down: not stale
    ]  # fmt: skip


def write_price_book(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"entries": entries}, sort_keys=False), encoding="utf-8")
    return path


def only_acme(catalog: Catalog) -> Catalog:
    return Catalog(e for e in catalog.entries if e.provider == "Acme")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    book = write_price_book(tmp_path_factory.mktemp("book") / "prices.yaml", acme_price_book(TODAY))
    return only_acme(load_catalog(book))


@pytest.fixture(scope="module")
def models() -> dict[str, dict[str, Any]]:
    return read_price_file(PRICE_FILE.read_bytes())


@pytest.fixture(scope="module")
def findings(catalog: Catalog, models: dict[str, dict[str, Any]]) -> list[Finding]:
    return check_catalog(catalog, models, today=TODAY)


def by_model(findings: list[Finding]) -> dict[str, Finding]:
    return {f.model: f for f in findings}


def single(**fields: Any) -> Catalog:
    """A one-entry catalog: an image priced per image unless `fields` say otherwise."""
    base = {"id": "acme-one", "name": "Acme One", "provider": "Acme", "modality": "image", "usd": "0.10",
            "unit": "image", "source": SOURCE, "source_kind": "official", "checked": TODAY,
            "litellm": "acme/one"}  # fmt: skip
    return Catalog([PriceEntry.model_validate(base | fields)])


# --- read_price_file -------------------------------------------------------------------------------------


def test_the_fixture_is_read_without_its_sample_spec(models: dict[str, dict[str, Any]]) -> None:
    assert "sample_spec" not in models
    assert len(models) == len(json.loads(PRICE_FILE.read_text())) - 1
    assert models["acme/video-differs"]["output_cost_per_second"] == 0.25


def test_text_and_bytes_read_the_same() -> None:
    assert read_price_file(PRICE_FILE.read_text()) == read_price_file(PRICE_FILE.read_bytes())


def test_entries_that_are_not_mappings_are_left_out() -> None:
    data = {"a/video": {"mode": "video_generation"}, "a/chat": {"litellm_provider": "a"}, "note": "text", "n": 3}
    assert set(read_price_file(json.dumps(data))) == {"a/video", "a/chat"}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param('{"a/b": {"mode": "chat"},\n', "not valid JSON (line 2)", id="truncated"),
        pytest.param("", "not valid JSON", id="empty"),
        pytest.param("<html><body>404</body></html>", "not valid JSON (line 1)", id="html"),
        pytest.param(b"\xff\xfe\xfa\x00garbage", "not valid JSON", id="not-utf8"),
        pytest.param("[]", "expected a JSON object of model names", id="list"),
        pytest.param('"model_prices"', "expected a JSON object of model names", id="string"),
        pytest.param("{}", "its entries have no 'mode' or 'litellm_provider'", id="empty-object"),
        pytest.param('{"sample_spec": {"mode": "chat"}}', "its entries have no 'mode'", id="only-sample-spec"),
        pytest.param('{"gpt-4o": 5, "dall-e-3": [1]}', "its entries have no 'mode'", id="no-mappings"),
        pytest.param(
            json.dumps({"a": {"price": 1}, "b": {"price": 2}, "c": {"mode": "chat"}}),
            "its entries have no 'mode' or 'litellm_provider'",
            id="mostly-unshaped",
        ),
    ],
)
def test_a_file_that_is_not_a_litellm_price_file_is_one_line_error(data: str | bytes, says: str) -> None:
    with pytest.raises(PriceFileError) as raised:
        read_price_file(data)
    message = str(raised.value)
    assert says in message
    assert "\n" not in message and message.strip() == message


def test_half_the_entries_shaped_is_enough() -> None:
    data = {"a": {"price": 1}, "b": {"mode": "chat"}}
    assert set(read_price_file(json.dumps(data))) == {"a", "b"}


def test_a_file_over_the_cap_is_refused_unparsed() -> None:
    with pytest.raises(PriceFileError) as raised:
        read_price_file(b" " * (MAX_FILE_BYTES + 1))  # whitespace: would parse (as nothing) if it were parsed
    assert str(raised.value) == f"the file is {MAX_FILE_BYTES + 1:,} bytes; a LiteLLM price file is a few MB"


def test_a_file_at_the_cap_is_read() -> None:
    body = b'{"a/b": {"mode": "chat"}}'
    assert read_price_file(body + b" " * (MAX_FILE_BYTES - len(body))) == {"a/b": {"mode": "chat"}}


def test_a_deeply_nested_file_is_a_price_file_error() -> None:
    with pytest.raises(PriceFileError):
        read_price_file("[" * 100_000)


# --- check_catalog: the price book against the small file -------------------------------------------------


def test_the_price_book_finds_exactly_the_expected_findings(findings: list[Finding]) -> None:
    assert {(f.kind, f.model) for f in findings} == EXPECTED
    assert len(findings) == len(EXPECTED)  # no duplicates


def test_an_entry_off_by_more_than_five_percent_differs_with_both_prices(findings: list[Finding]) -> None:
    finding = by_model(findings)["acme-video-differs (720p, audio)"]
    assert finding.kind is FindingKind.DIFFERS
    assert finding.detail == "catalog $0.2 vs the file's output_cost_per_second $0.25 (-20%) for 'acme/video-differs'"


def test_an_entry_whose_key_is_not_in_the_file_differs(findings: list[Finding]) -> None:
    assert by_model(findings)["acme-gone"].detail == "'acme/not-in-file' is not in the file"


@pytest.mark.parametrize(
    "model",
    [
        "acme-video-agrees",  # same price
        "acme-image-close",  # within 5%
        "acme-image-edge",  # exactly 5%: not more than 5%
        "acme-tts-known",  # off by 50%, with a known_difference
        "acme-known-gone",  # not in the file, with a known_difference
        "acme-transcribe-recent",  # per minute vs per second, checked exactly 90 days ago
        "acme-video-hd (1080p, silent)",  # compared on its litellm_field
        "acme-video-retired (720p, silent)",  # the file's shutdown has passed, but the catalog has it retired
        "acme-video-sunset-later (720p, silent)",  # a shutdown in the future
        "acme-private",  # no litellm key
        "acme-image-sunset",  # checked long ago, but shut down: its price can't move
    ],
)
def test_entries_that_agree_or_are_accounted_for_have_no_finding(findings: list[Finding], model: str) -> None:
    labels = {f.model for f in findings}
    assert model not in labels and model.split(" (")[0] not in labels


def test_an_entry_checked_more_than_ninety_days_ago_is_stale(findings: list[Finding]) -> None:
    checked = TODAY - MAX_AGE - timedelta(days=1)
    assert by_model(findings)["acme-transcribe-stale"].detail == f"checked {checked.isoformat()}, 91 days ago"


def test_an_active_or_deprecated_entry_the_file_says_shut_down(findings: list[Finding]) -> None:
    found = by_model(findings)
    assert found["acme-image-shut"].detail == (
        "the file says 'acme/image-shut' shut down on 2026-06-30; the catalog still sells it"
    )
    assert found["acme-tts-deprecated"].kind is FindingKind.SHUT_DOWN


def test_media_models_the_catalog_lacks_are_missing_and_others_are_not(findings: list[Finding]) -> None:
    missing = {f.model: f.detail for f in findings if f.kind is FindingKind.MISSING}
    assert missing == {
        "new-ears-1": "transcribe model in the file (acme/new-ears-1) that the catalog doesn't carry",
        "new-image-1": "image model in the file (acme/new-image-1) that the catalog doesn't carry",
        "new-video-1": "video model in the file (acme/new-video-1) that the catalog doesn't carry",
        "new-voice-1": "tts model in the file (acme/new-voice-1) that the catalog doesn't carry",
    }
    # Not missing: chat-1 and embed-1 (not media), old-video-1 (shut down), a fal_ai resale, lyria (set aside in
    # prices_check.yaml), video-agrees-2026-01-15 (a dated name of a carried key), acme-private-v2 (a catalog id).
    assert list(missing) == sorted(missing)


def test_findings_are_grouped_entries_first_then_stale_then_missing(findings: list[Finding]) -> None:
    group = {FindingKind.DIFFERS: 0, FindingKind.SHUT_DOWN: 0, FindingKind.STALE: 1, FindingKind.MISSING: 2}
    groups = [group[f.kind] for f in findings]
    assert groups == sorted(groups)


def test_a_later_today_makes_more_entries_stale(catalog: Catalog, models: dict[str, dict[str, Any]]) -> None:
    later = check_catalog(catalog, models, today=TODAY + timedelta(days=90))
    stale = {f.model for f in later if f.kind is FindingKind.STALE}
    assert {"acme-transcribe-recent", "acme-video-agrees", "acme-private"} <= stale
    assert "acme-video-retired" not in stale and "acme-image-sunset" not in stale


def test_finding_kinds_read_as_words() -> None:
    assert [str(k) for k in FindingKind] == ["differs", "stale", "shut down", "missing"]


# --- check_catalog: one entry at a time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("theirs", "differs"),
    [("0.10", False), ("0.0952381", False), ("0.1052631", False), ("0.0952", True), ("0.1053", True),
     ("0.05", True), ("1.00", True)],
)  # fmt: skip
def test_the_tolerance_is_five_percent_of_the_file_s_price(theirs: str, differs: bool) -> None:
    assert Decimal("0.05") == TOLERANCE
    found = check_catalog(single(), {"acme/one": {"mode": "image_generation", "output_cost_per_image": theirs}},
                          today=TODAY)  # fmt: skip
    assert [f.kind for f in found] == ([FindingKind.DIFFERS] if differs else [])


def test_a_per_minute_price_is_compared_per_second() -> None:
    catalog = single(modality="transcribe", usd="0.006", unit="minute")
    row = {"mode": "audio_transcription", "input_cost_per_second": 0.0001}
    assert check_catalog(catalog, {"acme/one": row}, today=TODAY) == []
    found = check_catalog(catalog, {"acme/one": row | {"input_cost_per_second": 0.006}}, today=TODAY)
    assert [f.kind for f in found] == [FindingKind.DIFFERS]
    assert "$0.0001 vs the file's input_cost_per_second $0.006" in found[0].detail


def test_the_modality_s_second_field_is_used_when_the_first_is_absent() -> None:
    row = {"mode": "image_generation", "input_cost_per_image": 0.2}
    [finding] = check_catalog(single(), {"acme/one": row}, today=TODAY)
    assert "input_cost_per_image $0.2" in finding.detail and "(-50%)" in finding.detail


def test_a_named_litellm_field_is_the_one_compared() -> None:
    catalog = single(litellm_field="output_cost_per_image_hd")
    row = {"mode": "image_generation", "output_cost_per_image": 0.10, "output_cost_per_image_hd": 0.2}
    [finding] = check_catalog(catalog, {"acme/one": row}, today=TODAY)
    assert "output_cost_per_image_hd $0.2" in finding.detail


@pytest.mark.parametrize("value", [0, -1, "n/a", None, True, [0.1]])
def test_a_row_without_a_usable_price_is_not_compared(value: object) -> None:
    row = {"mode": "image_generation", "output_cost_per_image": value}
    assert check_catalog(single(), {"acme/one": row}, today=TODAY) == []


def test_a_known_difference_silences_differs_but_not_shut_down() -> None:
    catalog = single(known_difference={"reason": "cut", "source": SOURCE, "date": TODAY})
    row = {"mode": "image_generation", "output_cost_per_image": 1.0, "deprecation_date": "2026-11-30"}
    assert [f.kind for f in check_catalog(catalog, {"acme/one": row}, today=TODAY)] == [FindingKind.SHUT_DOWN]


def test_a_shutdown_today_counts_and_a_bad_date_is_ignored() -> None:
    row = {"mode": "image_generation", "output_cost_per_image": 0.1, "deprecation_date": TODAY.isoformat()}
    assert [f.kind for f in check_catalog(single(), {"acme/one": row}, today=TODAY)] == [FindingKind.SHUT_DOWN]
    row["deprecation_date"] = "soon"
    assert check_catalog(single(), {"acme/one": row}, today=TODAY) == []


def test_a_per_second_tts_price_is_compared_with_a_per_second_field() -> None:
    catalog = single(modality="tts", usd="0.015", unit="second")
    row = {"mode": "audio_speech", "input_cost_per_character": 0.000015, "output_cost_per_second": 0.015}
    assert check_catalog(catalog, {"acme/one": row}, today=TODAY) == []
