"""costbot's own data files: parsed once, cached as JSON beside nothing of the user's, errors located."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from costing.datafile import DATA, DataFileError, Fields, load_data, use_cache_dir

read_fresh = load_data.__wrapped__  # the function without its in-process memo: each call reads the file


def test_a_parsed_file_is_cached_as_json_named_by_its_content(tmp_path: Path) -> None:
    use_cache_dir(tmp_path)
    data = read_fresh("aliases.yaml")
    (cached,) = tmp_path.glob("aliases-*.json")
    assert json.loads(cached.read_text()) == data
    assert data == yaml.load((DATA / "aliases.yaml").read_text(), Loader=yaml.BaseLoader)  # scalars stay text
    assert read_fresh("aliases.yaml") == data  # read back from the cache


def test_a_damaged_cache_is_parsed_again_and_replaced(tmp_path: Path) -> None:
    use_cache_dir(tmp_path)
    good = read_fresh("lifecycle.yaml")
    (cached,) = tmp_path.glob("lifecycle-*.json")
    cached.write_text('{"models": [')  # a write cut short
    assert read_fresh("lifecycle.yaml") == good
    assert json.loads(cached.read_text()) == good


def test_a_cache_that_cannot_be_written_only_costs_the_parse(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory would go")
    use_cache_dir(blocked / "costbot")
    assert read_fresh("classes.yaml")["quality_steps"]["medium"] == "28"


def test_the_bundled_catalog_reads_the_same_as_text_and_as_typed_yaml() -> None:
    # Scalars are read as text and typed by each field; nothing YAML would type differently is lost on the way.
    text = yaml.load((DATA / "catalog.yaml").read_text(), Loader=yaml.BaseLoader)
    typed = yaml.load((DATA / "catalog.yaml").read_text(), Loader=yaml.SafeLoader)
    assert len(text["entries"]) == len(typed["entries"])
    for as_text, as_typed in zip(text["entries"], typed["entries"], strict=True):
        assert as_text.keys() == as_typed.keys()
        assert Decimal(as_text["usd"]) == Decimal(str(as_typed["usd"])), as_text["id"]


def test_field_errors_name_the_file_the_row_and_the_field() -> None:
    row = Fields({"source": "http://example.com", "gpus": "many", "extra": "x"}, "calibration.yaml: row 7")
    with pytest.raises(DataFileError, match=r"^calibration\.yaml: row 7: 'source' must be an https URL"):
        row.url("source")
    with pytest.raises(DataFileError, match=r"row 7: 'gpus'"):
        row.integer("gpus", low=1)
    with pytest.raises(DataFileError, match=r"row 7: 'published' is missing"):
        row.day("published")
    with pytest.raises(DataFileError, match="extra"):
        row.done()
    with pytest.raises(DataFileError, match="expected a mapping"):
        Fields(["not", "a", "mapping"], "classes.yaml: catalog")
