"""The catalog in use: the bundled `data/catalog.yaml` with an operator's price book laid over it.

A price book (named by `use_price_book`; costbot's front ends take it from `COSTBOT_PRICES`) replaces entries
with negotiated prices or adds models of its own, including token-priced ones; an entry may inherit the rest of
its fields from the bundled entry it names. The file is read again whenever it changes.
"""

from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costing.catalog import Catalog, CatalogError, PriceEntry
from costing.datafile import load_data
from costing.errors import EstimateError

__all__ = ["current_catalog", "load_catalog", "use_price_book"]

_BUNDLED = Path(__file__).with_name("data") / "catalog.yaml"


def _read_entries(path: Path, *, inherit: Catalog | None = None) -> list[PriceEntry]:
    import yaml  # a price book only: the bundled catalog comes parsed from costing.datafile's cache

    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise CatalogError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CatalogError(f"{path}: not valid YAML or JSON{where}") from None
    return _entries_of(raw, path, inherit=inherit)


def _entries_of(raw: Any, path: Path, *, inherit: Catalog | None = None) -> list[PriceEntry]:
    items = raw.get("entries") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise CatalogError(f"{path}: expected a list of entries (or a mapping with an 'entries' list)")
    entries = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise CatalogError(f"{path}: entry {number} is not a mapping")
        if inherit is not None:
            item = _inherit(item, inherit, path)
        try:
            entries.append(PriceEntry.model_validate(item))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}" for err in exc.errors()
            )
            raise CatalogError(f"{path}: entry {number} ({item.get('id', 'no id')}): {problems}") from None
    return entries


def _inherit(item: dict[str, Any], base: Catalog, path: Path) -> dict[str, Any]:
    """A price-book entry may give just id, variant and usd: the rest comes from the bundled entry."""
    model_id = base.resolve(str(item.get("id", "")))
    item = dict(item)
    item.setdefault("source", f"your price book ({path.name})")
    item.setdefault("source_kind", "negotiated")
    item.setdefault("checked", date.fromtimestamp(path.stat().st_mtime).isoformat())
    if model_id is None:
        if item.get("unit") == "token" or item.get("modality") in {"chat", "agent", "embed"}:
            item.setdefault("unit", "token")
            item.setdefault("per", 1_000_000)
            item.setdefault("name", item.get("id"))
            item.setdefault("default", True)
        return item
    item["id"] = model_id
    variant = {str(k): str(v).lower() for k, v in (item.get("variant") or {}).items()}
    try:
        bundled = base.select(
            model_id, resolution=variant.get("resolution"), quality=variant.get("quality"), size=variant.get("size")
        )
    except EstimateError:
        bundled = base.default_entry(model_id)
    for key in (
        "name",
        "provider",
        "modality",
        "unit",
        "per",
        "audio",
        "status",
        "status_date",
        "shutdown",
        "replacement",
        "lifecycle_source",
        "lifecycle_checked",
        "compute_family",
    ):
        if key not in item and getattr(bundled, key) is not None:
            item[key] = getattr(bundled, key)
    item.setdefault("variant", dict(bundled.variant))
    item["default"] = item.get("default", bundled.default)
    return item


def _merge(bundled: list[PriceEntry], overrides: list[PriceEntry]) -> list[PriceEntry]:
    def key(e: PriceEntry) -> tuple[str, tuple[tuple[str, str], ...], bool | None]:
        return (e.id, tuple(sorted(e.variant.items())), e.audio)

    merged = {key(e): e for e in bundled}
    for entry in overrides:
        if entry.default:  # a price book's default for a model replaces the bundled default
            for k, e in list(merged.items()):
                if e.id == entry.id and e.default and k != key(entry):
                    merged[k] = e.model_copy(update={"default": False})
        merged[key(entry)] = entry
    return list(merged.values())


@functools.cache
def _bundled_entries() -> tuple[PriceEntry, ...]:
    # Parsed with scalars as text (and cached: costing.datafile); the entries' own fields type them.
    return tuple(_entries_of(load_data(_BUNDLED.name), _BUNDLED))


def load_catalog(price_book: str | os.PathLike[str] | None = None) -> Catalog:
    """The bundled catalog, with a price book's entries on top.

    Args:
        price_book: Path to a YAML or JSON price book; None (or "") for the bundled catalog alone.

    Raises:
        CatalogError: A file is missing or invalid; the message names the file and the entry.
    """
    bundled = list(_bundled_entries())
    path_text = os.fspath(price_book) if price_book is not None else ""
    if not path_text:
        return Catalog(bundled)
    path = Path(path_text).expanduser()
    overrides = _read_entries(path, inherit=Catalog(bundled))
    return Catalog(_merge(bundled, overrides), price_book=path)


_current: dict[tuple[str, int], Catalog] = {}
#: The process's price book, as `use_price_book` named it ("" for none).
_price_book = ""


def use_price_book(path: str | os.PathLike[str] | None) -> None:
    """Name the price book `current_catalog` lays over the bundled catalog (None or "" for none).

    Where the path comes from is the caller's business (costbot's front ends read `COSTBOT_PRICES`); costing
    never reads the environment. The file is read at the next `current_catalog`, and again whenever it changes.
    """
    global _price_book
    _price_book = os.fspath(path) if path else ""
    _current.clear()


def current_catalog() -> Catalog:
    """The bundled catalog plus the price book `use_price_book` named, reloaded when that file changes.

    Raises:
        CatalogError: The price book is missing or invalid.
    """
    path = _price_book
    if not path:
        return _bundled_catalog()
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        stamp = -1  # load_catalog names the missing file
    key = (path, stamp)
    catalog = _current.get(key)
    if catalog is None:
        catalog = load_catalog(path)
        _current.clear()
        _current[key] = catalog
    return catalog


@functools.cache
def _bundled_catalog() -> Catalog:
    return load_catalog("")
