"""The bundled catalog's integrity, and a user's price book on top of it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costing import CatalogError, estimate, load_catalog, use_price_book
from costing.catalog import normalise_name


@pytest.fixture(scope="module")
def catalog():
    return load_catalog("")


def test_the_catalog_has_at_least_forty_entries_across_the_media_kinds(catalog) -> None:
    kinds = Counter(e.modality for e in catalog.entries)
    assert len(catalog.entries) >= 40
    assert kinds["video"] >= 15 and kinds["image"] >= 15 and kinds["tts"] >= 3 and kinds["transcribe"] >= 3


def test_every_entry_is_sourced_dated_and_positive(catalog) -> None:
    for entry in catalog.entries:
        assert entry.source.startswith("https://"), entry.id
        assert date(2023, 1, 1) <= entry.checked <= date(2026, 12, 31), entry.id
        assert entry.usd > 0 and entry.per > 0, entry.id
        assert entry.unit in {"second", "image", "char", "minute"}, entry.id


def test_every_model_has_exactly_one_default_variant(catalog) -> None:
    defaults = Counter(e.id for e in catalog.entries if e.default)
    assert all(defaults[model_id] == 1 for model_id in catalog.ids()), defaults


def test_no_two_entries_price_the_same_variant(catalog) -> None:
    keys = Counter((e.id, tuple(sorted(e.variant.items())), e.audio) for e in catalog.entries)
    assert [k for k, n in keys.items() if n > 1] == []


@pytest.mark.parametrize(
    "family",
    ["sora-2", "sora-2-pro", "veo-2", "veo-3", "veo-3.1", "veo-3.1-fast", "veo-3.1-lite", "runway", "kling", "luma",
     "pika", "hailuo", "wan", "ltx", "gpt-image-1", "dall-e-3", "imagen", "flux", "sd3.5", "tts-1",
     "gpt-4o-mini-tts", "elevenlabs", "whisper-1", "gpt-4o-transcribe"],
)  # fmt: skip
def test_the_issue_s_families_are_covered(catalog, family: str) -> None:
    assert any(model_id.startswith(family) for model_id in catalog.ids())


def test_the_sora_2_family_is_kept_and_marked_retired(catalog) -> None:
    sora = [e for e in catalog.entries if e.id.startswith("sora-2")]
    assert len(sora) >= 3
    assert all(e.status == "retired" and e.shutdown == date(2026, 9, 24) for e in sora)


def test_names_and_aliases_are_unambiguous(catalog) -> None:
    seen: dict[str, str] = {}
    for entry in catalog.entries:
        for name in (entry.id, *entry.aliases):
            assert seen.setdefault(normalise_name(name), entry.id) == entry.id


def test_lookup_ignores_case_and_separators(catalog) -> None:
    assert catalog.resolve("VEO 3.1 FAST") == "veo-3.1-fast"
    assert catalog.resolve("veo_3_1_fast") == "veo-3.1-fast"
    assert catalog.resolve("no-such-model") is None


def test_suggestions_are_close_names(catalog) -> None:
    assert catalog.suggest("veo-3.1-fsat")[0] == "veo-3.1-fast"
    assert "sora-2-pro" in catalog.suggest("sora-pro", modality="video")


# --- the user's price book -------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "prices.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_price_book_overrides_a_list_price_with_a_negotiated_one(tmp_path, monkeypatch) -> None:
    book = write(tmp_path, "entries:\n  - id: veo-3.1-fast\n    variant: {resolution: 720p}\n    usd: '0.08'\n")
    use_price_book(str(book))
    e = estimate("video 10s veo-3.1-fast x 1000")
    assert e.api.total_usd == Decimal(800)
    assert e.api.price.kind == "negotiated" and "prices.yaml" in e.api.price.source
    # Other variants of the model keep their list price.
    assert estimate("video 10s veo-3.1-fast 1080p").api.unit_usd == Decimal("1.2")


def test_a_price_book_adds_models_including_token_priced_ones(tmp_path, monkeypatch) -> None:
    book = write(
        tmp_path,
        json.dumps(
            {
                "entries": [
                    {
                        "id": "acme-video",
                        "name": "Acme Video",
                        "provider": "Acme",
                        "modality": "video",
                        "variant": {"resolution": "720p"},
                        "audio": False,
                        "usd": "0.02",
                        "unit": "second",
                        "source": "https://acme.example/pricing",
                        "source_kind": "official",
                        "checked": "2026-11-01",
                    },
                    {"id": "acme-llm", "provider": "Acme", "modality": "chat", "usd": "1", "output_usd": "2"},
                ]
            }
        ),
        name="prices.json",
    )
    use_price_book(str(book))
    assert estimate("video 10s acme-video x 100").api.total_usd == Decimal(20)
    chat = estimate("chat 1M in 1M out acme-llm")
    assert chat.api.unit_usd == Decimal(3)
    assert chat.modality == "chat"


def test_a_price_book_change_is_picked_up_without_a_restart(tmp_path, monkeypatch) -> None:
    book = write(tmp_path, "entries:\n  - {id: sora-2, variant: {resolution: 720p}, usd: '0.05'}\n")
    use_price_book(str(book))
    assert estimate("sora-2 10s").api.unit_usd == Decimal("0.5")
    book.write_text("entries:\n  - {id: sora-2, variant: {resolution: 720p}, usd: '0.07'}\n", encoding="utf-8")
    import os

    os.utime(book, ns=(1, 10**18))  # a different mtime, as any real edit gives
    assert estimate("sora-2 10s").api.unit_usd == Decimal("0.7")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("entries:\n  - {id: veo-3.1-fast, usd: '-1'}\n", "entry 1 (veo-3.1-fast): usd"),
        ("entries:\n  - {id: new-thing, usd: '1'}\n", "entry 1 (new-thing)"),
        ("entries: [1, 2]\n", "entry 1 is not a mapping"),
        ("entries: {a: b}\n", "expected a list"),
        ("entries:\n  - {id: [unclosed\n", "not valid YAML or JSON at line"),
    ],
)
def test_a_broken_price_book_is_named_precisely(tmp_path, monkeypatch, text: str, says: str) -> None:
    use_price_book(str(write(tmp_path, text)))
    with pytest.raises(CatalogError, match=says.replace("(", r"\(").replace(")", r"\)")):
        estimate("video 10s")


def test_a_missing_price_book_is_named(monkeypatch, tmp_path) -> None:
    use_price_book(str(tmp_path / "nope.yaml"))
    with pytest.raises(CatalogError, match="no such file"):
        estimate("video 10s")


def test_a_price_book_entry_in_the_wrong_unit_is_refused(tmp_path, monkeypatch) -> None:
    book = write(tmp_path, "entries:\n  - {id: whisper-1, usd: '0.01', unit: image}\n")
    use_price_book(str(book))
    with pytest.raises(CatalogError, match="a transcribe price is per minute or second"):
        estimate("transcribe 10 min")


def test_a_transcription_priced_per_second_is_costed_per_second(tmp_path, monkeypatch) -> None:
    book = write(tmp_path, "entries:\n  - {id: whisper-1, usd: '0.0002', unit: second}\n")
    use_price_book(str(book))
    assert estimate("transcribe 10 min whisper-1").api.unit_usd == Decimal("0.12")
