"""The price catalog: per-second video, per-image and audio prices, each sourced and dated.

The bundled `data/catalog.yaml` holds list prices; an operator's price book may replace or add entries
(`costing.price_book` reads both and keeps the catalog in use). Token prices of chat and embedding models
otherwise come from genai-prices (`costing.tokens`).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costing.errors import EstimateError
from costing.lexicon import Modality
from costing.lifecycle import Lifecycle, Status

__all__ = ["Catalog", "CatalogError", "PriceEntry", "normalise_name"]


Unit = Literal["second", "image", "char", "minute", "token"]

# What each kind of model can be priced per.
_UNITS_FOR: dict[str, frozenset[str]] = {
    "video": frozenset({"second"}),
    "image": frozenset({"image"}),
    "tts": frozenset({"char", "second"}),
    "transcribe": frozenset({"minute", "second"}),
    "chat": frozenset({"token"}),
    "agent": frozenset({"token"}),
    "embed": frozenset({"token"}),
}


class CatalogError(Exception):
    """A price file is unreadable or invalid. The message names the file and the entry."""


class KnownDifference(BaseModel):
    """Why an entry knowingly differs from LiteLLM's price file (a cut the file hasn't caught).

    It silences that entry's "differs" line in `costbot prices check`; the reason, source and date say why.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: str = Field(min_length=1)
    source: str = Field(min_length=1)
    date: date


class PriceEntry(BaseModel):
    """One price of one model variant, with where it comes from and where the model is in its life."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    provider: str
    modality: Modality
    aliases: tuple[str, ...] = ()
    variant: dict[str, str] = Field(default_factory=dict)
    default: bool = False
    usd: Decimal = Field(gt=0, le=Decimal(1_000_000))
    #: For token-priced entries (a price book's negotiated chat price): USD per `per` output tokens.
    output_usd: Decimal | None = Field(default=None, gt=0, le=Decimal(1_000_000))
    per: Decimal = Field(default=Decimal(1), gt=0)
    unit: Unit
    audio: bool | None = None
    status: Status = Status.ACTIVE
    #: Preview or launch date.
    status_date: date | None = None
    #: Deprecated: the announced shutdown; retired: the day it was shut down.
    shutdown: date | None = None
    #: The provider's recommended replacement.
    replacement: str | None = None
    #: Where the status comes from (the provider's deprecation page) and when it was read.
    lifecycle_source: str | None = None
    lifecycle_checked: date | None = None
    source: str = Field(min_length=1)
    source_kind: Literal["official", "aggregator", "blog", "reseller", "derived", "negotiated"]
    checked: date
    note: str | None = None
    #: The key of this price in LiteLLM's price file (model_prices_and_context_window.json), for `prices check`.
    litellm: str | None = None
    #: The field of that key to compare, when the default for the modality isn't it.
    litellm_field: str | None = None
    known_difference: KnownDifference | None = None
    #: A price book model's compute family (calibration.yaml); bundled models are mapped in classes.yaml.
    compute_family: str | None = None

    @field_validator("variant", mode="before")
    @classmethod
    def _variant_as_text(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): str(v).lower() for k, v in value.items()}
        return value

    @model_validator(mode="before")
    @classmethod
    def _retired_on_status_date(cls, data: Any) -> Any:
        # Price books written before shutdown dates existed gave a retired model's date as status_date.
        if isinstance(data, Mapping) and data.get("status") == "retired" and not data.get("shutdown"):
            return {**data, "shutdown": data.get("status_date")}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> PriceEntry:
        if self.status is Status.RETIRED and self.shutdown is None:
            raise ValueError("a retired entry needs shutdown (the day it was shut down)")
        if self.modality == "video" and ("resolution" not in self.variant or self.audio is None):
            raise ValueError("a video entry needs variant.resolution and audio: true|false")
        if self.unit not in _UNITS_FOR[self.modality]:
            raise ValueError(f"a {self.modality} price is per {' or '.join(sorted(_UNITS_FOR[self.modality]))}")
        if self.modality in {"chat", "agent"} and self.output_usd is None:
            raise ValueError("a chat entry needs output_usd (the output-token price)")
        return self

    @functools.cached_property
    def lifecycle(self) -> Lifecycle:
        """The model's status as announced, with its source; `status_on(day)` says what it is on a day."""
        return _lifecycle_of(self)

    @property
    def unit_usd(self) -> Decimal:
        """USD for one `unit` (one second, one image, one character, one minute, one input token)."""
        return self.usd / self.per

    @property
    def output_unit_usd(self) -> Decimal | None:
        return None if self.output_usd is None else self.output_usd / self.per

    def describe_variant(self) -> str:
        parts = [self.variant[k] for k in ("resolution", "quality", "size") if k in self.variant]
        if self.modality == "video":
            parts.append("audio" if self.audio else "silent")
        return ", ".join(parts)


def _lifecycle_of(entry: PriceEntry) -> Lifecycle:
    dated = entry.status in (Status.DEPRECATED, Status.RETIRED) and entry.shutdown is not None
    return Lifecycle(
        status=entry.status,
        since=entry.status_date if entry.status is Status.PREVIEW else None,
        shutdown=entry.shutdown,
        replacement=entry.replacement,
        source=entry.lifecycle_source or (entry.source if dated else None),
        checked=entry.lifecycle_checked or (entry.checked if dated else None),
    )


def normalise_name(name: str) -> str:
    """`Veo 3.1 Fast`, `veo-3-1-fast` and `VEO_3.1_FAST` all become `veo31fast`."""
    return re.sub(r"[\s._\-]+", "", name.lower())


class Catalog:
    """Every known priced model: lookup by name or alias, variant selection, suggestions."""

    def __init__(self, entries: Iterable[PriceEntry], *, price_book: Path | None = None) -> None:
        self.entries: tuple[PriceEntry, ...] = tuple(entries)
        self.price_book = price_book
        self._by_id: dict[str, list[PriceEntry]] = {}
        for entry in self.entries:
            self._by_id.setdefault(entry.id, []).append(entry)
        self._names: dict[str, str] = {}
        self._resolved: dict[str, str | None] = {}
        self._selected: dict[tuple[str, str | None, bool | None, str | None, str | None], PriceEntry] = {}
        for model_id, variants in self._by_id.items():
            for name in (model_id, *(a for e in variants for a in e.aliases)):
                key = normalise_name(name)
                if self._names.get(key, model_id) != model_id:
                    raise CatalogError(f"'{name}' names both {self._names[key]} and {model_id}")
                self._names[key] = model_id
        #: Every id and alias as typed, lower-case: what the parser should read as a model name.
        self.model_names = frozenset(self._by_id) | frozenset(a.lower() for e in self.entries for a in e.aliases)

    # --- lookup -------------------------------------------------------------------------------------------
    def resolve(self, name: str) -> str | None:
        """The canonical id for a name or alias, or None."""
        try:
            return self._resolved[name]
        except KeyError:
            found = self._resolved[name] = self._names.get(normalise_name(name))
            if len(self._resolved) > 4096:  # bounded: names come from users
                self._resolved.clear()
            return found

    def default_entry(self, model_id: str) -> PriceEntry:
        variants = self._by_id[model_id]
        return next((e for e in variants if e.default), variants[0])

    def ids(self, modality: Modality | None = None) -> list[str]:
        return [i for i, v in self._by_id.items() if modality is None or v[0].modality == modality]

    def suggest(
        self, name: str, *, modality: Modality | None = None, extra: Iterable[str] = (), limit: int = 3
    ) -> list[str]:
        """Up to `limit` known names closest to `name`, preferring the given modality."""
        candidates = {i: i for i in self.ids(modality)}
        for model_id in self.ids(modality):
            for alias in self.default_entry(model_id).aliases:
                candidates[alias] = model_id
        for other in extra:
            candidates.setdefault(other, other)
        keyed = {normalise_name(k): v for k, v in candidates.items()}
        close = difflib.get_close_matches(normalise_name(name), list(keyed), n=6, cutoff=0.6)
        seen: list[str] = []
        for key in close:
            if keyed[key] not in seen:
                seen.append(keyed[key])
        return seen[:limit]

    def select(
        self,
        model_id: str,
        *,
        resolution: str | None = None,
        audio: bool | None = None,
        quality: str | None = None,
        size: str | None = None,
    ) -> PriceEntry:
        """The entry of `model_id` matching the request; the model's default where the request is silent.

        Raises:
            EstimateError: The model has no price for what was asked (e.g. sora-2 at 4k), listing what it has.
        """
        key = (model_id, resolution, audio, quality, size)
        try:
            return self._selected[key]
        except KeyError:
            pass
        chosen = self._select(model_id, resolution=resolution, audio=audio, quality=quality, size=size)
        if len(self._selected) >= 4096:  # bounded, though the words it is keyed by are few
            self._selected.clear()
        self._selected[key] = chosen
        return chosen

    def _select(
        self, model_id: str, *, resolution: str | None, audio: bool | None, quality: str | None, size: str | None
    ) -> PriceEntry:
        variants = self._by_id[model_id]
        wanted = {"resolution": resolution, "quality": quality, "size": size}
        default = self.default_entry(model_id)

        def matches(entry: PriceEntry) -> bool:
            for key, value in wanted.items():
                if value is not None and key in entry.variant and entry.variant[key] != value:
                    return False
            if key_missing(entry):
                return False
            return audio is None or entry.audio is None or entry.audio == audio

        def key_missing(entry: PriceEntry) -> bool:
            # Asking for 4k from a model priced only per resolution that lacks 4k is a miss, not a match.
            return any(
                value is not None and key not in entry.variant and any(key in e.variant for e in variants)
                for key, value in wanted.items()
            )

        candidates = [e for e in variants if matches(e)]
        if not candidates:
            options = "; ".join(sorted({e.describe_variant() or "one price" for e in variants}))
            asked = ", ".join(
                [v for v in (resolution, quality, size) if v]
                + ([("with audio" if audio else "without audio")] if audio is not None else [])
            )
            raise EstimateError(
                f"{default.name} has no price for {asked}. It is priced for: {options}.",
                example=f"{default.modality} {model_id} {_example_variant(default)}".strip(),
            )

        # Prefer the default entry, then the one agreeing with the default on the unspecified keys.
        def closeness(entry: PriceEntry) -> tuple[int, int]:
            same = sum(entry.variant.get(k) == default.variant.get(k) for k in default.variant)
            return (0 if entry is default else 1, -same)

        return min(candidates, key=closeness)


def _example_variant(entry: PriceEntry) -> str:
    if entry.modality == "video":
        return f"10s {entry.variant['resolution']}"
    return " ".join(entry.variant.get(k, "") for k in ("quality", "size")).strip()
