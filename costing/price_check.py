"""`costbot prices check`: the catalog held against LiteLLM's price file (model_prices_and_context_window.json).

Four kinds of finding, each a line a maintainer can act on:

- `differs`: an entry's price is more than 5% from the file's for the key it names (`litellm:` in
  catalog.yaml), unless the entry records why it knowingly differs (`known_difference`, with a source and date);
- `stale`: an entry checked more than 90 days before today;
- `shut down`: the file gives a deprecation date that has passed while the catalog still sells the model;
- `missing`: video, image and audio models in the file the catalog doesn't carry (resellers and models set
  aside in `data/prices_check.yaml` excepted).

Pure: the caller reads the file (from disk or a URL) and hands its text here.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fnmatch import fnmatch
from typing import Any

from pydantic import BaseModel, ConfigDict

from costing.catalog import Catalog, PriceEntry, normalise_name
from costing.datafile import load_data

__all__ = ["Finding", "FindingKind", "PriceFileError", "check_catalog", "read_price_file"]

MAX_AGE = timedelta(days=90)
TOLERANCE = Decimal("0.05")
#: Larger than any real price file (LiteLLM's is ~3.5 MB): a bigger one is refused, not parsed.
MAX_FILE_BYTES = 50_000_000

_MEDIA_MODES = {
    "video_generation": "video",
    "image_generation": "image",
    "audio_speech": "tts",
    "audio_transcription": "transcribe",
}
#: The file's fields for one unit of each modality and catalog unit, in the order they are tried.
_FIELDS = {
    ("video", "second"): ("output_cost_per_second", "output_cost_per_video_per_second"),
    ("image", "image"): ("output_cost_per_image", "input_cost_per_image"),
    ("tts", "char"): ("input_cost_per_character",),
    ("tts", "second"): ("output_cost_per_second",),
    ("tts", "minute"): ("output_cost_per_second",),
    ("transcribe", "second"): ("input_cost_per_second", "input_cost_per_audio_per_second"),
    ("transcribe", "minute"): ("input_cost_per_second", "input_cost_per_audio_per_second"),
}


class PriceFileError(ValueError):
    """The price file is unreadable, too large, or not shaped like LiteLLM's."""


class FindingKind(StrEnum):
    DIFFERS = "differs"
    STALE = "stale"
    SHUT_DOWN = "shut down"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    model: str
    detail: str


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Resellers and gateways whose copies of models are not the catalog's business.
    ignore_providers: frozenset[str]
    #: Models knowingly not carried: a name or glob pattern (on the file's key or its base name) → why and when.
    not_carried: dict[str, str] = {}


@functools.cache
def _rules() -> _Rules:
    return _Rules.model_validate(load_data("prices_check.yaml"))


def read_price_file(data: bytes | str) -> dict[str, dict[str, Any]]:
    """LiteLLM's price file, checked for shape.

    Raises:
        PriceFileError: Too large, not JSON, or not a mapping of model names to price mappings.
    """
    if len(data) > MAX_FILE_BYTES:
        raise PriceFileError(f"the file is {len(data):,} bytes; a LiteLLM price file is a few MB")
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
        raise PriceFileError(f"not valid JSON{where}") from None
    except RecursionError:
        raise PriceFileError("not a LiteLLM price file: nested far deeper than any price file") from None
    if not isinstance(raw, dict):
        raise PriceFileError("not a LiteLLM price file: expected a JSON object of model names")
    models = {k: v for k, v in raw.items() if k != "sample_spec" and isinstance(v, dict)}
    shaped = sum(1 for v in models.values() if "litellm_provider" in v or "mode" in v)
    if not models or shaped < len(models) / 2:
        raise PriceFileError("not a LiteLLM price file: its entries have no 'mode' or 'litellm_provider'")
    return models


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None


def _ours(entry: PriceEntry) -> Decimal:
    """The entry's price in the file's unit: per second of video or audio, per image, per character."""
    if entry.unit == "minute":
        return entry.unit_usd / 60
    return entry.unit_usd


def _theirs(entry: PriceEntry, row: Mapping[str, Any]) -> tuple[str, Decimal] | None:
    fields = (entry.litellm_field,) if entry.litellm_field else _FIELDS.get((entry.modality, entry.unit), ())
    for name in fields:
        value = _number(row.get(name)) if name else None
        if value is not None:
            return name, value
    return None


def _base(key: str, providers: frozenset[str]) -> str:
    """`vertex_ai/veo-3.1-generate-001` → `veo-3.1-generate-001`; `high/1024-x-1024/gpt-image-1` → `gpt-image-1`."""
    parts = key.lower().split("/")
    while len(parts) > 1 and (
        parts[0] in providers or re.fullmatch(r"[\w.-]*(x|steps|hd|standard|low|medium|high)", parts[0])
    ):
        parts = parts[1:]
    return "/".join(parts)


_SNAPSHOT = re.compile(r"(-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{4}|-v\d+(:\d+)?|:\d+|-preview|-latest|-generate(-\d+)?)$")


def _covers(names: set[str], base: str) -> bool:
    """Whether a file's model is one the catalog carries, under a dated, versioned or regional name."""
    name = re.sub(r"^(stability|amazon|us|eu|global)\.", "", base.split("/")[-1])
    previous = None
    while previous != name:
        previous, name = name, _SNAPSHOT.sub("", name)
    return normalise_name(name) in names or normalise_name(base.split("/")[-1]) in names


def check_catalog(catalog: Catalog, models: Mapping[str, Mapping[str, Any]], *, today: date) -> list[Finding]:
    """Every finding for `catalog` against the price file's `models` (see the module's docstring)."""
    findings: list[Finding] = []
    named: set[str] = set()
    stale: dict[str, date] = {}
    for entry in catalog.entries:
        variant = entry.describe_variant()
        label = f"{entry.id}" + (f" ({variant})" if variant else "")
        if today - entry.checked > MAX_AGE and entry.lifecycle.usable_on(today):  # a shut-down price can't move
            stale[entry.id] = min(stale.get(entry.id, entry.checked), entry.checked)
        if entry.litellm is None:
            continue
        named.add(entry.litellm.lower())
        row = models.get(entry.litellm)
        if row is None:
            if entry.known_difference is None:
                findings.append(Finding(FindingKind.DIFFERS, label, f"'{entry.litellm}' is not in the file"))
            continue
        theirs = _theirs(entry, row)
        ours = _ours(entry)
        if theirs is not None and entry.known_difference is None:
            field, value = theirs
            if abs(ours - value) > value * TOLERANCE:
                findings.append(
                    Finding(
                        FindingKind.DIFFERS,
                        label,
                        f"catalog {_usd(ours)} vs the file's {field} {_usd(value)} ({(ours - value) / value:+.0%}) "
                        f"for '{entry.litellm}'",
                    )
                )
        shutdown = _deprecation(row)
        if shutdown is not None and shutdown <= today and entry.lifecycle.usable_on(today):
            findings.append(
                Finding(
                    FindingKind.SHUT_DOWN,
                    label,
                    f"the file says '{entry.litellm}' shut down on {shutdown.isoformat()}; the catalog still sells it",
                )
            )
    for model_id, checked in sorted(stale.items()):
        findings.append(
            Finding(FindingKind.STALE, model_id, f"checked {checked.isoformat()}, {(today - checked).days} days ago")
        )
    findings.extend(_missing(catalog, models, named, today))
    return _unique(findings)


def _missing(catalog: Catalog, models: Mapping[str, Mapping[str, Any]], named: set[str], today: date) -> list[Finding]:
    rules = _rules()
    providers = (
        frozenset({str(v.get("litellm_provider", "")).lower() for v in models.values()}) | rules.ignore_providers
    )
    names = {normalise_name(n) for n in catalog.model_names}
    names |= {normalise_name(_base(k, providers).split("/")[-1]) for k in named}
    lacking: dict[str, str] = {}
    for key, row in models.items():
        modality = _MEDIA_MODES.get(str(row.get("mode")))
        if modality is None or key.lower() in named:
            continue
        provider = str(row.get("litellm_provider", "")).lower()
        if provider in rules.ignore_providers or key.split("/")[0].lower() in rules.ignore_providers:
            continue
        shutdown = _deprecation(row)
        if shutdown is not None and shutdown <= today:  # shut down: nothing to add
            continue
        base = _base(key, providers)
        if _covers(names, base) or any(fnmatch(key.lower(), p) or fnmatch(base, p) for p in rules.not_carried):
            continue
        lacking.setdefault(base, f"{modality} model in the file ({key}) that the catalog doesn't carry")
    return [Finding(FindingKind.MISSING, base, detail) for base, detail in sorted(lacking.items())]


def _deprecation(row: Mapping[str, Any]) -> date | None:
    value = row.get("deprecation_date")
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _usd(value: Decimal) -> str:
    # Per-minute prices compared per second come out as long fractions: eight significant digits say enough.
    return f"${value.quantize(Decimal(1).scaleb(value.adjusted() - 7)).normalize():f}"


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))
