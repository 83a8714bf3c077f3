"""What a digest keeps between weeks, as pydantic models read and written as JSON: the figures of a saved
estimate (`EstimateFigures`, about a tenth of the estimate) and the snapshot a posted digest leaves for the next
one to compare with (`DigestSnapshot`).

Amounts are `Decimal`s kept as exact text in JSON; a JSON number from elsewhere is read by its shortest text.
What can't be read is refused (`ValidationError`, a `ValueError`), never guessed at: an entry of a snapshot that
is damaged is set aside by name, so the digest compares what it can.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass

from costing.lexicon import Period

if TYPE_CHECKING:
    from costing.digest import Digest
    from costing.estimate import Estimate

__all__ = [
    "SNAPSHOT_VERSION",
    "ComputePerUnit",
    "DigestSnapshot",
    "EstimateFigures",
    "PerUnit",
    "SnapshotLine",
    "SnapshotTotals",
    "StoredValue",
]

#: Bumped when `DigestSnapshot` changes shape; an older snapshot is then read as no previous digest.
SNAPSHOT_VERSION = 1
#: The sections of an estimate's text that set its unit price (`costing.digest.unit_key`).
_PRICING_SECTIONS = ("workload", "model", "price")


#: An exact amount: text in JSON; pydantic refuses NaN and infinities in a Decimal unless told otherwise.
Amount = Decimal


class _Stored(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# The figures come by the thousand (one per scenario, one line per scenario in a snapshot): validated pydantic
# dataclasses with slots, which weigh less on memory and the garbage collector than models do.
_record = pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=ConfigDict(extra="ignore"))


def _lenient(default: Any) -> WrapValidator:
    """A field that reads as `default` when what was stored can't be read as it."""

    def read(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            return default

    return WrapValidator(read)


@_record
class PerUnit:
    unit_usd: Amount


@_record
class ComputePerUnit:
    """Compute per unit, with its range where it was saved with one (estimates before ranges have none)."""

    unit_usd: Amount
    low_usd: Annotated[Amount | None, _lenient(None)] = None
    high_usd: Annotated[Amount | None, _lenient(None)] = None


@_record
class StoredValue:
    total_usd: Amount
    period: Period | None = None
    description: str = ""


@_record
class EstimateFigures:
    """The few parts of a saved `Estimate` a digest reads; validated from the whole estimate's JSON or from its
    own, so a digest of 10,000 scenarios reads 10,000 of these rather than 10,000 estimates."""

    text: str
    #: The sections that set the unit price, as typed.
    sections: dict[str, str] = dataclasses.field(default_factory=dict)
    model: str
    model_name: str
    unit: str
    quantity: Amount
    period: Period | None = None
    api: PerUnit
    compute: ComputePerUnit
    value: StoredValue | None = None

    @classmethod
    def of(cls, estimate: Estimate) -> EstimateFigures:
        """The figures of an estimate, as storage keeps them."""
        data = estimate.model_dump(include=_FIELDS)
        data["sections"] = {key: estimate.sections[key] for key in _PRICING_SECTIONS if estimate.sections.get(key)}
        return cls.read(data)

    @classmethod
    def read(cls, data: Any) -> EstimateFigures:
        """Figures from their JSON (`stored()`) or a whole estimate's (`Estimate.model_dump()`).

        Raises:
            ValidationError: It isn't a saved estimate's (a part missing, an amount that isn't a finite number).
        """
        return _FIGURES.validate_python(data)

    def stored(self) -> dict[str, Any]:
        """As JSON, amounts as exact text."""
        return _FIGURES.dump_python(self, mode="json")  # type: ignore[no-any-return]


_FIGURES = TypeAdapter(EstimateFigures)
# mypy doesn't see a pydantic dataclass as a dataclass
_FIELDS = {field.name for field in dataclasses.fields(EstimateFigures)} - {"sections"}  # type: ignore[arg-type]


@_record
class SnapshotLine:
    """One scenario as a digest showed it. The figures a comparison needs must be readable, or the entry is
    set aside; the others, which only describe it, fall back to a default when damaged."""

    name: Annotated[str, _lenient("?")] = "?"
    version: int
    model_name: Annotated[str, _lenient("")] = ""
    unit: Annotated[str, _lenient("")] = ""
    #: What set its unit price (`costing.digest.unit_key`); absent from the oldest snapshots.
    unit_key: Annotated[str | None, _lenient(None)] = None
    api_unit_usd: Amount
    compute_unit_usd: Amount
    api_week: Amount
    compute_week: Annotated[Amount, _lenient(Decimal(0))] = Decimal(0)
    value_week: Annotated[Amount | None, _lenient(None)] = None


@_record
class SnapshotTotals:
    api_week: Amount
    compute_week: Amount
    value_week: Amount
    valued_api_week: Amount
    #: Written since compute has a range; absent from older snapshots.
    compute_low_week: Annotated[Amount | None, _lenient(None)] = None
    compute_high_week: Annotated[Amount | None, _lenient(None)] = None


_LINE = TypeAdapter(SnapshotLine)
_LINES = TypeAdapter(dict[str, SnapshotLine])
_TOTALS = TypeAdapter(SnapshotTotals)


class DigestSnapshot(_Stored):
    """What a posted digest leaves for the next: each recurring scenario by id, and the totals."""

    version: int = SNAPSHOT_VERSION
    scenarios: dict[str, SnapshotLine] = {}
    #: Entries that couldn't be read, by id: their names where they had one (`scenario ID` where not).
    damaged: dict[str, str] = {}
    totals: SnapshotTotals | None = None

    @model_validator(mode="before")
    @classmethod
    def _set_aside_damage(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        raw = data.get("scenarios")
        raw = raw if isinstance(raw, Mapping) else {}
        damaged: dict[str, str] = {}
        try:
            good: dict[str, SnapshotLine] = _LINES.validate_python(raw)  # all at once; one by one if damaged
            raw = {}
        except ValidationError:
            good = {}
        for key, entry in raw.items():
            try:
                good[str(key)] = _LINE.validate_python(entry)
            except ValidationError:
                damaged[str(key)] = str(entry.get("name", "?")) if isinstance(entry, Mapping) else f"scenario {key}"
        try:
            totals = _TOTALS.validate_python(data["totals"]) if data.get("totals") else None
        except ValidationError:
            totals = None
        version = {"version": data["version"]} if "version" in data else {}
        return {**version, "scenarios": good, "damaged": damaged, "totals": totals}

    @classmethod
    def read(cls, data: Mapping[str, Any] | DigestSnapshot | None) -> DigestSnapshot | None:
        """A stored snapshot; None for none, or for one of another version (read as no previous digest)."""
        if data is None or isinstance(data, DigestSnapshot):
            return data
        if not isinstance(data, Mapping) or data.get("version") != SNAPSHOT_VERSION:
            return None
        return cls.model_validate({**data, "version": SNAPSHOT_VERSION})

    @classmethod
    def of(cls, digest: Digest) -> DigestSnapshot:
        """What `digest` leaves for the next one."""
        lines = {
            str(line.id): {
                "name": line.name,
                "version": line.version,
                "model_name": line.model_name,
                "unit": line.unit,
                "unit_key": line.unit_key,
                "api_unit_usd": line.api_unit_usd,
                "compute_unit_usd": line.compute_unit_usd,
                "api_week": line.api_week,
                "compute_week": line.compute_week,
                "value_week": line.value_week,
            }
            for line in digest.lines
        }
        # One validation for all the lines (a digest of 10,000 scenarios leaves 10,000), then the snapshot
        # around them, whose own validator is for reading what was stored.
        return cls.model_construct(
            version=SNAPSHOT_VERSION,
            scenarios=_LINES.validate_python(lines),
            damaged={},
            totals=_TOTALS.validate_python(dataclasses.asdict(digest.totals)),
        )

    def stored(self) -> dict[str, Any]:
        """As stored: JSON with amounts as exact text, without the damaged entries' names."""
        return self.model_dump(mode="json", exclude={"damaged"})
