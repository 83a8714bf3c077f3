"""The calibration's data: published measurements of GPU time, the hardware they ran on and its hourly rate,
the model families they belong to, how priced models map to families, and independent figures to check
against — read from `data/calibration.yaml`, `data/calibration.csv` and `data/classes.yaml`, each row checked
as it is read. `costing.calibration` fits the families' curves to these rows.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from costing.datafile import DATA, DataFileError, Fields

__all__ = [
    "REGIME_WORDS",
    "CrossCheck",
    "FamilySpec",
    "Hardware",
    "Kind",
    "Measurement",
    "ModelClass",
    "ModelClasses",
    "Precision",
    "Regime",
    "Work",
    "clip_seconds",
    "pixels_of",
    "read_calibration",
    "read_classes",
    "work_of",
]


class Regime(StrEnum):
    BATCHED = "batched"
    SERVING = "serving"
    SINGLE = "single"


#: What each regime is, in an answer.
REGIME_WORDS = {
    Regime.BATCHED: "batched serving at scale",
    Regime.SERVING: "serving at scale",
    Regime.SINGLE: "one request at a time",
}


class Kind(StrEnum):
    TOKENS = "tokens"
    IMAGE = "image"
    VIDEO = "video"
    SPEECH = "speech"


# --- the work a unit does --------------------------------------------------------------------------------


class Work(NamedTuple):
    """One unit of work as the compute model sees it (per request for tokens; per image, clip or audio)."""

    tokens_in: float = 0.0  # per request
    tokens_out: float = 0.0  # per request
    requests: float = 1.0
    steps: float | None = None
    pixels: float | None = None
    seconds: float | None = None  # video length, or audio length


def work_of(workload: Mapping[str, float]) -> Work:
    """A workload as the calibration writes it (`input_tokens`, `steps`, `width`, `frames`, `audio_seconds`, …)
    as the compute model sees one unit of it."""
    w = workload
    if "audio_seconds" in w:
        return Work(seconds=w["audio_seconds"])
    if "input_tokens" in w or "output_tokens" in w:
        return Work(tokens_in=w.get("input_tokens", 0.0), tokens_out=w.get("output_tokens", 0.0))
    return Work(steps=w.get("steps"), pixels=pixels_of(w), seconds=clip_seconds(w))


def pixels_of(work: Mapping[str, float]) -> float | None:
    return work["width"] * work["height"] if "width" in work and "height" in work else None


def clip_seconds(work: Mapping[str, float]) -> float | None:
    return work["frames"] / work["fps"] if "frames" in work and "fps" in work else None


# --- the data files --------------------------------------------------------------------------------------


class Hardware(NamedTuple):
    id: str
    name: str
    usd_per_hour: Decimal
    rate_basis: str
    rate_source: str
    rate_checked: date


class FamilySpec(NamedTuple):
    name: str
    kind: Kind
    #: A distilled model runs its own few steps: a request's step count doesn't change its cost.
    own_steps: bool = False


_MEASURED_KEYS = {
    "output_tokens_per_second",
    "input_tokens_per_second",
    "ttft_ms",
    "itl_ms",
    "server_tokens_per_second",
    "offline_tokens_per_second",
    "seconds_per_unit",
    "seconds_per_batch",
    "batch",
    "units_per_second",
    "seconds_per_step",
    "realtime_factor",
    "realtime_streams",
}
#: The workload figures a measurement may state: calibration.csv's workload columns.
_WORKLOAD_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "context_tokens",
    "steps",
    "width",
    "height",
    "frames",
    "fps",
    "audio_seconds",
)
_WORKLOAD_KEYS = frozenset(_WORKLOAD_COLUMNS)


class Precision(StrEnum):
    FP8 = "fp8"
    BF16 = "bf16"
    FP16 = "fp16"
    FP32 = "fp32"
    INT8 = "int8"


class Measurement(NamedTuple):
    """One published figure: what was run, on what, and what it took."""

    family: str
    model: str
    hardware: str
    gpus: int
    precision: Precision
    regime: Regime
    workload: dict[str, float]
    measured: dict[str, float]
    source: str
    published: date
    note: str | None = None
    #: A third party's report rather than the maker's or a benchmark body's: said in the answer.
    third_party: bool = False

    @classmethod
    def read(cls, row: Any, where: str) -> Measurement:
        f = Fields(row, where)
        measurement = cls(
            family=f.text("family"),
            model=f.text("model"),
            hardware=f.text("hardware"),
            gpus=f.integer("gpus", low=1, high=1024),
            precision=f.choice("precision", Precision),
            regime=f.choice("regime", Regime),
            workload=f.numbers("workload"),
            measured=f.numbers("measured"),
            source=f.url("source"),
            published=f.day("published"),
            note=f.text("note", None),
            third_party=f.flag("third_party", False),
        )
        f.done()
        unknown = (set(measurement.measured) - _MEASURED_KEYS) | (set(measurement.workload) - _WORKLOAD_KEYS)
        if unknown:
            raise DataFileError(f"{where}: unknown workload or measured field(s): {', '.join(sorted(unknown))}")
        if any(value <= 0 for value in measurement.measured.values()):
            raise DataFileError(f"{where}: every measured figure must be positive")
        return measurement

    @property
    def is_ratio(self) -> bool:
        """A serving row measured as latency-bounded throughput beside max throughput on the same system."""
        return "server_tokens_per_second" in self.measured

    def serving_factor(self) -> float:
        """How much more a unit costs served under latency limits than at max load (a ratio row's figure)."""
        return self.measured["offline_tokens_per_second"] / self.measured["server_tokens_per_second"]

    def gpu_seconds(self) -> float:
        """GPU-seconds the measured workload took, per unit (a request, an image, a clip, the audio given)."""
        m, w, gpus = self.measured, self.workload, self.gpus
        if "output_tokens_per_second" in m and w.get("output_tokens"):
            return gpus * w["output_tokens"] / m["output_tokens_per_second"]
        if "input_tokens_per_second" in m:
            return gpus * w["input_tokens"] / m["input_tokens_per_second"]
        if "ttft_ms" in m:
            return gpus * (m["ttft_ms"] + w.get("output_tokens", 0) * m.get("itl_ms", 0)) / 1000
        if "seconds_per_batch" in m:
            return gpus * m["seconds_per_batch"] / m["batch"]
        if "seconds_per_step" in m:
            return gpus * m["seconds_per_step"] * w["steps"]
        if "seconds_per_unit" in m:
            return gpus * m["seconds_per_unit"]
        if "units_per_second" in m:
            return gpus / m["units_per_second"]
        if "realtime_factor" in m:
            return gpus * w["audio_seconds"] / m["realtime_factor"]
        if "realtime_streams" in m:
            return gpus * w["audio_seconds"] / m["realtime_streams"]
        raise DataFileError(f"{self.model}: nothing to compute GPU-seconds from")

    def work(self) -> Work:
        """The measured workload as the compute model sees one unit of it (for checking a fit against its row)."""
        return work_of(self.workload)

    def describe(self, hardware: Hardware) -> str:
        """`Llama 3.3 70B Instruct on 2× NVIDIA H100 SXM 80 GB, FP8`."""
        gpus = f"{self.gpus}× " if self.gpus > 1 else ""
        return f"{self.model} on {gpus}{hardware.name}, {self.precision.upper()}"


class ModelClass(NamedTuple):
    """How a priced model maps to a family: published size, or a stated class for closed models."""

    family: str
    why: str
    #: Fixed diffusion steps for a distilled tier (`fast`, `turbo`): the quality words don't change them.
    steps: int | None = None

    @classmethod
    def read(cls, row: Any, where: str, *, pattern: bool = False) -> tuple[str | None, ModelClass]:
        f = Fields(row, where)
        match = f.text("match") if pattern else None
        read = cls(family=f.text("family"), why=f.text("why"), steps=f.integer("steps", low=1, high=1000, default=None))
        f.done()
        return match, read


class Figure_(StrEnum):
    LOW = "low"
    POINT = "point"
    HIGH = "high"


class CrossCheck(NamedTuple):
    """An independent published figure a family must agree with (checked by the tests)."""

    what: str
    source: str
    family: str | None
    model: str | None
    text: str | None
    workload: dict[str, float] | None
    figure: Figure_ | None
    between: tuple[Figure_, Figure_] | None
    expected_usd: Decimal | None
    expected_gpu_seconds: Decimal | None
    tolerance: Decimal | None

    @classmethod
    def read(cls, row: Any, where: str) -> CrossCheck:
        f = Fields(row, where)
        between = f.items("between", None)
        check = cls(
            what=f.text("what"),
            source=f.url("source"),
            family=f.text("family", None),
            model=f.text("model", None),
            text=f.text("text", None),
            workload=f.numbers("workload") if "workload" in row else None,
            figure=f.choice("figure", Figure_, None),
            between=(Figure_(between[0]), Figure_(between[1])) if between else None,
            expected_usd=f.decimal("expected_usd") if "expected_usd" in row else None,
            expected_gpu_seconds=f.decimal("expected_gpu_seconds") if "expected_gpu_seconds" in row else None,
            tolerance=f.decimal("tolerance") if "tolerance" in row else None,
        )
        f.done()
        return check


class ModelClasses(NamedTuple):
    quality_steps: dict[str, int]
    catalog: dict[str, ModelClass]
    tokens: tuple[tuple[str, ModelClass], ...]
    modality_defaults: dict[str, ModelClass]


def read_calibration(
    data: Any,
) -> tuple[
    dict[Kind, dict[str, Any]],
    dict[str, Hardware],
    dict[str, FamilySpec],
    tuple[Measurement, ...],
    tuple[CrossCheck, ...],
]:
    top = Fields(data, "calibration.yaml")
    kinds = {Kind(k): dict(v) for k, v in top.mapping("kinds").items()}
    hardware = {}
    for key, spec in top.mapping("hardware").items():
        f = Fields(spec, f"calibration.yaml: hardware {key}")
        hardware[key] = Hardware(
            key,
            f.text("name"),
            f.decimal("usd_per_hour"),
            f.text("rate_basis"),
            f.url("rate_source"),
            f.day("rate_checked"),
        )
        f.done()
    families = {}
    for key, spec in top.mapping("families").items():
        f = Fields(spec, f"calibration.yaml: family {key}")
        families[key] = FamilySpec(f.text("name"), f.choice("kind", Kind), f.flag("own_steps", False))
        f.done()
    rows = tuple(_read_measurements())
    checks = tuple(
        CrossCheck.read(row, f"calibration.yaml: cross-check {n}")
        for n, row in enumerate(top.items("cross_checks", []), start=1)
    )
    top.done()
    return kinds, hardware, families, rows, checks


def _read_measurements() -> list[Measurement]:
    """calibration.csv: one published measurement a row (see calibration.yaml for the columns)."""
    rows = []
    with (DATA / "calibration.csv").open(encoding="utf-8", newline="") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            where = f"calibration.csv: line {line} ({raw.get('model') or '?'})"
            row: dict[str, Any] = {k: v for k, v in raw.items() if k not in _WORKLOAD_COLUMNS and v != ""}
            row["workload"] = {k: raw[k] for k in _WORKLOAD_COLUMNS if raw.get(k)}
            try:
                row["measured"] = dict(pair.split("=", 1) for pair in raw.get("measured", "").split("; ") if pair)
            except ValueError:
                raise DataFileError(f"{where}: 'measured' must read name=value; name=value") from None
            if "third_party" in row:
                row["third_party"] = {"yes": "true", "no": "false"}.get(row["third_party"], row["third_party"])
            rows.append(Measurement.read(row, where))
    return rows


def read_classes(data: Any) -> ModelClasses:
    top = Fields(data, "classes.yaml")
    steps = {str(k): int(v) for k, v in top.mapping("quality_steps").items()}
    catalog = {k: ModelClass.read(v, f"classes.yaml: {k}")[1] for k, v in top.mapping("catalog").items()}
    tokens = []
    for n, row in enumerate(top.items("tokens"), start=1):
        match, cls = ModelClass.read(row, f"classes.yaml: token class {n}", pattern=True)
        assert match is not None
        tokens.append((match, cls))
    defaults = {
        k: ModelClass.read(v, f"classes.yaml: default {k}")[1] for k, v in top.mapping("modality_defaults").items()
    }
    top.done()
    return ModelClasses(steps, catalog, tuple(tokens), defaults)
