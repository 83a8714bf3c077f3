"""Raw compute cost: GPU-seconds per unit of work, calibrated per model family on published measurements.

Every family (`data/calibration.yaml`) is a set of published measurements: a serving stack, its hardware, a
workload and what was measured. Each family's cost curve is fitted to its rows, once per regime:

- `batched` (the estimate's **low**): the best published throughput, what a provider's fleet pays per unit;
- `serving` (the **point** an answer leads with): a production serving stack at scale;
- `single` (the **high**): one request at a time on the reference pipeline.

A regime a family has no rows for is derived from one it has, times the ratio measured on its kind's reference
family, and the basis says so. Curves are simple and stated: tokens cost `a x input + b x output (+ c x output
x context)` GPU-seconds per request; diffusion costs `k x steps x seconds x (pixels / reference)^e` (images:
no seconds); speech costs `k` per second of audio. A workload outside what its family was measured at (more
pixels, longer clips, more steps, longer prompts) is costed along the curve and the answer says so.

Fitting is a few dozen floating-point operations per family, done on first use: GPU-seconds are physical
estimates, not money; dollars come out as `Decimal`.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Context, Decimal
from enum import StrEnum
from itertools import combinations
from typing import Any, NamedTuple

from costing.datafile import DATA, DataFileError, Fields, load_data
from costing.lexicon import Modality

__all__ = [
    "Calibration",
    "ComputeEstimate",
    "Family",
    "Figure",
    "Hardware",
    "Kind",
    "Measurement",
    "Regime",
    "Work",
    "calibration",
    "estimate_compute",
    "work_of",
]

_HOUR = Decimal(3600)
_REF_IMAGE_PIXELS = 1024 * 1024
_REF_VIDEO_PIXELS = 1280 * 720


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


# --- the data file --------------------------------------------------------------------------------------


class Hardware(NamedTuple):
    id: str
    name: str
    usd_per_hour: Decimal
    rate_basis: str
    rate_source: str
    rate_checked: date


class _FamilySpec(NamedTuple):
    name: str
    kind: Kind
    #: A distilled model runs its own few steps: a request's step count doesn't change its cost.
    own_steps: bool = False


_MEASURED_KEYS = {
    "output_tokens_per_second", "input_tokens_per_second", "ttft_ms", "itl_ms", "server_tokens_per_second",
    "offline_tokens_per_second", "seconds_per_unit", "seconds_per_batch", "batch", "units_per_second",
    "seconds_per_step", "realtime_factor", "realtime_streams",
}  # fmt: skip
_WORKLOAD_KEYS = {
    "input_tokens", "output_tokens", "context_tokens", "steps", "width", "height", "frames", "fps", "audio_seconds",
}  # fmt: skip


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
            family=f.text("family"), model=f.text("model"), hardware=f.text("hardware"),
            gpus=f.integer("gpus", low=1, high=1024), precision=f.choice("precision", Precision),
            regime=f.choice("regime", Regime), workload=f.numbers("workload"), measured=f.numbers("measured"),
            source=f.url("source"), published=f.day("published"), note=f.text("note", None),
            third_party=f.flag("third_party", False),
        )  # fmt: skip
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


class _Class(NamedTuple):
    """How a priced model maps to a family: published size, or a stated class for closed models."""

    family: str
    why: str
    #: Fixed diffusion steps for a distilled tier (`fast`, `turbo`): the quality words don't change them.
    steps: int | None = None

    @classmethod
    def read(cls, row: Any, where: str, *, pattern: bool = False) -> tuple[str | None, _Class]:
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
            what=f.text("what"), source=f.url("source"), family=f.text("family", None), model=f.text("model", None),
            text=f.text("text", None), workload=f.numbers("workload") if "workload" in row else None,
            figure=f.choice("figure", Figure_, None),
            between=(Figure_(between[0]), Figure_(between[1])) if between else None,
            expected_usd=f.decimal("expected_usd") if "expected_usd" in row else None,
            expected_gpu_seconds=f.decimal("expected_gpu_seconds") if "expected_gpu_seconds" in row else None,
            tolerance=f.decimal("tolerance") if "tolerance" in row else None,
        )  # fmt: skip
        f.done()
        return check


class _Classes(NamedTuple):
    quality_steps: dict[str, int]
    catalog: dict[str, _Class]
    tokens: tuple[tuple[str, _Class], ...]
    modality_defaults: dict[str, _Class]


def _read_calibration(
    data: Any,
) -> tuple[
    dict[Kind, dict[str, Any]],
    dict[str, Hardware],
    dict[str, _FamilySpec],
    tuple[Measurement, ...],
    tuple[CrossCheck, ...],
]:
    top = Fields(data, "calibration.yaml")
    kinds = {Kind(k): dict(v) for k, v in top.mapping("kinds").items()}
    hardware = {}
    for key, spec in top.mapping("hardware").items():
        f = Fields(spec, f"calibration.yaml: hardware {key}")
        hardware[key] = Hardware(key, f.text("name"), f.decimal("usd_per_hour"), f.text("rate_basis"),
                                 f.url("rate_source"), f.day("rate_checked"))  # fmt: skip
        f.done()
    families = {}
    for key, spec in top.mapping("families").items():
        f = Fields(spec, f"calibration.yaml: family {key}")
        families[key] = _FamilySpec(f.text("name"), f.choice("kind", Kind), f.flag("own_steps", False))
        f.done()
    rows = tuple(_read_measurements())
    checks = tuple(
        CrossCheck.read(row, f"calibration.yaml: cross-check {n}")
        for n, row in enumerate(top.items("cross_checks", []), start=1)
    )
    top.done()
    return kinds, hardware, families, rows, checks


_WORKLOAD_COLUMNS = ("input_tokens", "output_tokens", "context_tokens", "steps", "width", "height", "frames", "fps",
                     "audio_seconds")  # fmt: skip


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


def _read_classes(data: Any) -> _Classes:
    top = Fields(data, "classes.yaml")
    steps = {str(k): int(v) for k, v in top.mapping("quality_steps").items()}
    catalog = {k: _Class.read(v, f"classes.yaml: {k}")[1] for k, v in top.mapping("catalog").items()}
    tokens = []
    for n, row in enumerate(top.items("tokens"), start=1):
        match, cls = _Class.read(row, f"classes.yaml: token class {n}", pattern=True)
        assert match is not None
        tokens.append((match, cls))
    defaults = {k: _Class.read(v, f"classes.yaml: default {k}")[1] for k, v in top.mapping("modality_defaults").items()}
    top.done()
    return _Classes(steps, catalog, tuple(tokens), defaults)


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
    return Work(steps=w.get("steps"), pixels=_pixels(w), seconds=_clip_seconds(w))


# --- curves ----------------------------------------------------------------------------------------------


class _TokenCurve(NamedTuple):
    a: float  # GPU-s per input token
    b: float  # GPU-s per output token
    c: float  # GPU-s per output token per token of context

    def __call__(self, work: Work) -> float:
        i, o = work.tokens_in, work.tokens_out
        return work.requests * (self.a * i + self.b * o + self.c * o * (i + o / 2))

    def scaled(self, other: _TokenCurve, base: _TokenCurve) -> _TokenCurve:
        """This curve moved to another regime by `other`/`base`, coefficient by coefficient; a term this curve
        lacks takes the other's, scaled by how this curve compares with `base` on a 1,000 in / 1,000 out request."""
        probe = Work(tokens_in=1000, tokens_out=1000)
        size = self(probe) / base(probe)

        def move(mine: float, theirs: float, their_base: float) -> float:
            return mine * theirs / their_base if mine > 0 and their_base > 0 else theirs * size

        return _TokenCurve(move(self.a, other.a, base.a), move(self.b, other.b, base.b), move(self.c, other.c, base.c))

    def times(self, factor: float) -> _TokenCurve:
        return _TokenCurve(self.a * factor, self.b * factor, self.c * factor)


class _DiffusionCurve(NamedTuple):
    k: float  # GPU-s per step (per second of video) at the reference pixels
    e: float  # pixel exponent
    reference_pixels: float
    top_pixels: float  # the largest size measured: beyond it, cost grows in proportion to pixels
    own_steps: bool

    def __call__(self, work: Work) -> float:
        steps = 1.0 if self.own_steps else (work.steps or 1.0)
        pixels = work.pixels or self.reference_pixels
        seconds = work.seconds if work.seconds is not None else 1.0
        if pixels > self.top_pixels:
            scale = (self.top_pixels / self.reference_pixels) ** self.e * pixels / self.top_pixels
        else:
            scale = (pixels / self.reference_pixels) ** self.e
        return float(self.k * steps * seconds * scale)

    def scaled(self, factor: float) -> _DiffusionCurve:
        return _DiffusionCurve(self.k * factor, self.e, self.reference_pixels, self.top_pixels, self.own_steps)


class _SpeechCurve(NamedTuple):
    k: float  # GPU-s per second of audio

    def __call__(self, work: Work) -> float:
        return self.k * (work.seconds or 0.0)

    def scaled(self, factor: float) -> _SpeechCurve:
        return _SpeechCurve(self.k * factor)


_Curve = _TokenCurve | _DiffusionCurve | _SpeechCurve


class _Fit(NamedTuple):
    """One regime of a family: its curve, the hardware it ran on, and where it comes from."""

    regime: Regime
    curve: _Curve
    hardware: Hardware
    rows: tuple[Measurement, ...]
    #: Set when the regime has no rows of its own: how it was derived, for the answer.
    derived: str | None = None


class Family(NamedTuple):
    """A model family: its measurements and the cost curve fitted to them, per regime."""

    id: str
    name: str
    kind: Kind
    rows: tuple[Measurement, ...]
    fits: dict[Regime, _Fit]
    #: (low, high) of each workload figure the rows cover: steps, pixels, seconds, tokens in and out.
    ranges: dict[str, tuple[float, float]]

    def sources(self) -> list[str]:
        return list(dict.fromkeys(row.source for row in self.rows))


class Figure(NamedTuple):
    """GPU time and its cost for one unit in one regime."""

    regime: Regime
    gpu_seconds: Decimal
    usd: Decimal
    hardware: Hardware
    usd_per_hour: Decimal


class ComputeEstimate(NamedTuple):
    """Compute for one unit of work: low ≤ point ≤ high, the family used, and what the answer must say."""

    family: Family
    why: str
    low: Figure
    point: Figure
    high: Figure
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...]

    def basis(self) -> dict[str, Any]:
        """`compute.basis` in an estimate's JSON: the family, why, and each figure's measurement and source."""
        return _basis(self.family.id, self.why, self.low.regime, self.point.regime, self.high.regime)


@functools.lru_cache(maxsize=256)
def _basis(family_id: str, why: str, low: Regime, point: Regime, high: Regime) -> dict[str, Any]:
    family = calibration().families[family_id]

    def one(regime: Regime) -> dict[str, Any]:
        fit = family.fits[regime]
        row = fit.rows[0]
        return {
            "regime": str(regime),
            "measurement": row.describe(fit.hardware) + (f" ({fit.derived})" if fit.derived else ""),
            "source": row.source,
            "published": row.published.isoformat(),
            "hardware": fit.hardware.name,
            **({"third_party": True} if row.third_party else {}),
        }

    return {
        "family": family.id, "family_name": family.name, "why": why,
        "low": one(low), "point": one(point), "high": one(high),
    }  # fmt: skip


# --- fitting ---------------------------------------------------------------------------------------------


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gaussian elimination for a small square system; None when singular."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-300:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                f = a[r][col] / a[col][col]
                for c in range(col, n + 1):
                    a[r][c] -= f * a[col][c]
    return [a[i][n] / a[i][i] for i in range(n)]


def _relative_nnls(features: list[list[float]], targets: list[float]) -> list[float]:
    """Non-negative coefficients minimising the squared *relative* error (every subset of terms tried)."""
    width = len(features[0])
    scaled = [[f / y for f in row] for row, y in zip(features, targets, strict=True)]
    best: tuple[float, list[float]] | None = None
    for size in range(1, width + 1):
        for subset in combinations(range(width), size):
            if size > len(targets):
                continue
            matrix = [[sum(r[i] * r[j] for r in scaled) for j in subset] for i in subset]
            vector = [sum(r[i] for r in scaled) for i in subset]
            solution = _solve(matrix, vector)
            if solution is None or any(x < 0 for x in solution):
                continue
            coefficients = [0.0] * width
            for index, value in zip(subset, solution, strict=True):
                coefficients[index] = value
            error = sum((sum(c * f for c, f in zip(coefficients, r, strict=True)) - 1) ** 2 for r in scaled)
            if best is None or error < best[0] - 1e-12:
                best = (error, coefficients)
    if best is None:
        raise ValueError("no non-negative fit")
    return best[1]


def _token_features(work: Mapping[str, float]) -> list[float]:
    i, o = work.get("input_tokens", 0.0), work.get("output_tokens", 0.0)
    return [i, o, o * (i + o / 2)]


def _fit_tokens(rows: list[Measurement], shape: _TokenCurve | None) -> _TokenCurve:
    """The curve through `rows`; rows that can't tell input from output (all with one in:out ratio) scale
    `shape` (the reference family's curve) instead."""
    ratios = {round(r.workload.get("input_tokens", 0) / max(r.workload.get("output_tokens", 0), 1e-9), 2) for r in rows}
    if len(ratios) < 2 and shape is not None:
        works = [
            Work(tokens_in=r.workload.get("input_tokens", 0), tokens_out=r.workload.get("output_tokens", 0))
            for r in rows
        ]
        logs = [math.log(r.gpu_seconds() / shape(w)) for r, w in zip(rows, works, strict=True)]
        return shape.times(math.exp(sum(logs) / len(logs)))
    features = [_token_features(r.workload) for r in rows]
    if sum(1 for f in features if f[0] > 0 and f[1] > 0) < 4:  # too few mixed rows to tell context apart
        features = [f[:2] for f in features]
    coefficients = _relative_nnls(features, [r.gpu_seconds() for r in rows])
    return _TokenCurve(*(coefficients + [0.0] * (3 - len(coefficients))))


def _pixels(work: Mapping[str, float]) -> float | None:
    return work["width"] * work["height"] if "width" in work and "height" in work else None


def _clip_seconds(work: Mapping[str, float]) -> float | None:
    return work["frames"] / work["fps"] if "frames" in work and "fps" in work else None


def _fit_diffusion(
    spec: _FamilySpec, by_regime: dict[Regime, list[Measurement]], exponent: float | None
) -> dict[str, Any]:
    """Per-regime `k` and one shared pixel exponent, by least squares in logs (exponent given: not fitted)."""
    reference = _REF_VIDEO_PIXELS if spec.kind is Kind.VIDEO else _REF_IMAGE_PIXELS
    points: dict[Regime, list[tuple[float, float]]] = {}
    for regime, rows in by_regime.items():
        for row in rows:
            w = row.workload
            steps = 1.0 if spec.own_steps else w.get("steps", 1.0)
            seconds = _clip_seconds(w) or 1.0
            x = math.log((_pixels(w) or reference) / reference)
            z = math.log(row.gpu_seconds() / (steps * seconds))
            points.setdefault(regime, []).append((x, z))
    if exponent is None:
        num = den = 0.0
        for pts in points.values():
            mx = sum(x for x, _ in pts) / len(pts)
            mz = sum(z for _, z in pts) / len(pts)
            num += sum((x - mx) * (z - mz) for x, z in pts)
            den += sum((x - mx) ** 2 for x, _ in pts)
        exponent = num / den if den > 1e-9 else None
    e = 1.0 if exponent is None else exponent
    ks = {r: math.exp(sum(z - e * x for x, z in pts) / len(pts)) for r, pts in points.items()}
    all_rows = [row for rows in by_regime.values() for row in rows]
    top = max((_pixels(r.workload) or reference) for r in all_rows)
    return {"k": ks, "e": e, "fitted": exponent is not None, "reference": reference, "top": top}


class Calibration:
    """Every family, fitted; the hardware; and how priced models map to families."""

    def __init__(self, data: Any, classes: _Classes) -> None:
        self.kinds, self.hardware, specs, self.measurements, self.cross_checks = _read_calibration(data)
        self.classes = classes
        for row in self.measurements:
            if row.family not in specs:
                raise DataFileError(f"calibration.yaml: measurement '{row.model}' names unknown family '{row.family}'")
            if row.hardware not in self.hardware:
                raise DataFileError(
                    f"calibration.yaml: measurement '{row.model}' names unknown hardware '{row.hardware}'"
                )
        self.families: dict[str, Family] = {}
        references = {v["reference"] for v in self.kinds.values()}
        for family_id in sorted(specs, key=lambda f: f not in references):  # the references first: others borrow
            self.families[family_id] = self._fit(family_id, specs[family_id])
        self._token_patterns = [(re.compile(match), cls) for match, cls in classes.tokens]
        for name, cls in [*classes.catalog.items(), *classes.modality_defaults.items(), *classes.tokens]:
            if cls.family not in self.families:
                raise DataFileError(f"classes.yaml: {name} maps to unknown family '{cls.family}'")

    def _reference(self, kind: Kind) -> Family | None:
        return self.families.get(self.kinds[kind]["reference"])

    def _fit(self, family_id: str, spec: _FamilySpec) -> Family:
        rows = tuple(r for r in self.measurements if r.family == family_id)
        if not rows:
            raise DataFileError(f"calibration.yaml: family '{family_id}' has no measurements")
        by_regime: dict[Regime, list[Measurement]] = {}
        for row in rows:
            by_regime.setdefault(row.regime, []).append(row)
        for regime, regime_rows in by_regime.items():
            if len({r.hardware for r in regime_rows}) > 1:
                raise DataFileError(f"calibration.yaml: {family_id} mixes hardware within the {regime} regime")
        reference = self._reference(spec.kind)
        fits: dict[Regime, _Fit] = {}
        if spec.kind is Kind.TOKENS:
            ratio_rows = [r for r in by_regime.get(Regime.SERVING, []) if r.is_ratio]
            for regime, regime_rows in by_regime.items():
                direct = [r for r in regime_rows if not r.is_ratio]
                if direct:
                    shape = reference.fits[regime].curve if reference and regime in reference.fits else None
                    fits[regime] = self._fit_of(regime, _fit_tokens(direct, shape), direct)  # type: ignore[arg-type]
            if Regime.SERVING not in fits and Regime.BATCHED in fits:
                batched = fits[Regime.BATCHED]
                if ratio_rows:
                    factor = sum(r.serving_factor() for r in ratio_rows) / len(ratio_rows)
                    how = f"max throughput × {factor:.2f}, the measured cost of latency limits"
                    assert isinstance(batched.curve, _TokenCurve)
                    served = batched.curve.times(factor)
                    fits[Regime.SERVING] = _Fit(Regime.SERVING, served, batched.hardware, tuple(ratio_rows), how)
        else:
            exponent = None
            if spec.kind is Kind.VIDEO and reference is not None and reference.id != family_id:
                pixel_sizes = {_pixels(r.workload) for r in rows}
                if len(pixel_sizes) < 2:
                    exponent = _exponent_of(reference)
            if spec.kind is Kind.SPEECH:
                for regime, regime_rows in by_regime.items():
                    per_second = [r.gpu_seconds() / r.workload["audio_seconds"] for r in regime_rows]
                    k = math.exp(sum(math.log(v) for v in per_second) / len(per_second))
                    fits[regime] = self._fit_of(regime, _SpeechCurve(k), regime_rows)
            else:
                fitted = _fit_diffusion(spec, by_regime, exponent)
                for regime, regime_rows in by_regime.items():
                    curve = _DiffusionCurve(
                        fitted["k"][regime], fitted["e"], fitted["reference"], fitted["top"], spec.own_steps
                    )
                    fits[regime] = self._fit_of(regime, curve, regime_rows)
        self._derive_missing(family_id, spec, fits, reference)
        return Family(family_id, spec.name, spec.kind, rows, fits, _ranges(spec, rows))

    def _fit_of(self, regime: Regime, curve: _Curve, rows: list[Measurement]) -> _Fit:
        return _Fit(regime, curve, self.hardware[rows[0].hardware], tuple(rows))

    def _derive_missing(self, family_id: str, spec: _FamilySpec, fits: dict[Regime, _Fit], ref: Family | None) -> None:
        """Regimes without rows: one the family has, times the ratio its kind's reference family measured."""
        if len(fits) == len(Regime):
            return
        if ref is None or ref.id == family_id:
            missing = ", ".join(r for r in Regime if r not in fits)
            raise DataFileError(f"calibration.yaml: reference family '{family_id}' lacks the {missing} regime")
        base_regime = next(r for r in (Regime.SERVING, Regime.SINGLE, Regime.BATCHED) if r in fits)
        base = fits[base_regime]
        for regime in Regime:
            if regime in fits:
                continue
            theirs, their_base = ref.fits[regime].curve, ref.fits[base_regime].curve
            how = f"derived: {REGIME_WORDS[base_regime]} × the ratio measured for {ref.name}"
            if isinstance(base.curve, _TokenCurve):
                assert isinstance(theirs, _TokenCurve) and isinstance(their_base, _TokenCurve)
                curve: _Curve = base.curve.scaled(theirs, their_base)
            else:
                assert not isinstance(theirs, _TokenCurve) and not isinstance(their_base, _TokenCurve)
                curve = base.curve.scaled(theirs.k / their_base.k)
            # A ratio across two of the reference's GPUs moves the figure to the other GPU as well.
            ref_hw, ref_base_hw = ref.fits[regime].hardware, ref.fits[base_regime].hardware
            hardware = base.hardware if ref_hw == ref_base_hw else ref_hw
            fits[regime] = _Fit(regime, curve, hardware, base.rows, how)

    # --- mapping priced models to families ------------------------------------------------------------------
    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one Calibration per process
    def class_of(self, model_id: str, modality: Modality, *, catalog: bool) -> _Class:
        """The family a priced model is costed as, and why."""
        if catalog and model_id in self.classes.catalog:
            return self.classes.catalog[model_id]
        if modality in {"chat", "agent", "embed"}:
            name = model_id.lower()
            for pattern, cls in self._token_patterns:
                if pattern.search(name):
                    return cls
        return self.classes.modality_defaults[modality]


def _exponent_of(family: Family) -> float | None:
    for fit in family.fits.values():
        if isinstance(fit.curve, _DiffusionCurve):
            return fit.curve.e
    return None


def _ranges(spec: _FamilySpec, rows: Iterable[Measurement]) -> dict[str, tuple[float, float]]:
    values: dict[str, list[float]] = {}
    for row in rows:
        if row.is_ratio:
            continue
        w = row.workload
        if spec.kind is Kind.TOKENS:
            context = w.get("context_tokens", 0) + w.get("input_tokens", 0) + w.get("output_tokens", 0)
            values.setdefault("context_tokens", []).append(context)
        elif spec.kind in (Kind.IMAGE, Kind.VIDEO):
            if not spec.own_steps and "steps" in w:
                values.setdefault("steps", []).append(w["steps"])
            if (px := _pixels(w)) is not None:
                values.setdefault("pixels", []).append(px)
            if (secs := _clip_seconds(w)) is not None:
                values.setdefault("seconds", []).append(secs)
    return {key: (min(v), max(v)) for key, v in values.items()}


@functools.cache
def calibration() -> Calibration:
    """The bundled calibration, read and fitted once."""
    return Calibration(load_data("calibration.yaml"), _read_classes(load_data("classes.yaml")))


# --- estimating ------------------------------------------------------------------------------------------


def estimate_compute(
    model_id: str,
    modality: Modality,
    work: Work,
    *,
    catalog_model: bool,
    family: str | None = None,
    usd_per_hour: Decimal | None = None,
    quality: str | None = None,
) -> ComputeEstimate:
    """Low, point and high compute for one unit of `work` on `model_id`.

    Args:
        model_id: The priced model (a catalog id, or a genai-prices id for token models).
        modality: video, image, chat, agent, embed, tts or transcribe.
        work: The unit of work; image steps are filled from `quality` when the model's class sets none.
        catalog_model: Whether `model_id` is a catalog entry (mapped by id) or a token model (mapped by name).
        family: A family named by the model's price-book entry, which wins over the mapping.
        usd_per_hour: The user's GPU rate (`gpu $2/h`); each figure's hardware rate otherwise.
        quality: Image quality word (low, medium, high, standard, hd), for the steps it stands for.
    """
    cal = calibration()
    if family is not None and family in cal.families:
        cls = _Class(family=family, why="the family your price book names")
    else:
        cls = cal.class_of(model_id, modality, catalog=catalog_model)
    fam = cal.families[cls.family]
    assumptions: list[str] = []
    if fam.kind is Kind.IMAGE and not fam.fits[Regime.SERVING].curve.own_steps:  # type: ignore[union-attr]
        steps = cls.steps or cal.classes.quality_steps.get(quality or "medium", cal.classes.quality_steps["medium"])
        work = Work(steps=steps, pixels=work.pixels)
        assumptions.append(_steps_note(cls, quality, steps))
    elif fam.kind is Kind.VIDEO and cls.steps is not None:
        work = Work(steps=cls.steps, pixels=work.pixels, seconds=work.seconds)
    elif fam.kind is Kind.VIDEO and work.steps is None:
        work = Work(steps=_typical_steps(fam), pixels=work.pixels, seconds=work.seconds)
    fits = fam.fits
    batched = _figure(fits[Regime.BATCHED], work, usd_per_hour)
    serving = _figure(fits[Regime.SERVING], work, usd_per_hour)
    single = _figure(fits[Regime.SINGLE], work, usd_per_hour)
    if batched.usd <= serving.usd <= single.usd:  # the usual order: batching is cheapest, one at a time dearest
        low, point, high = batched, serving, single
    else:  # GPUs at different rates can reorder them: the range is still lowest to highest
        low, point, high = sorted((batched, serving, single), key=_figure_order)
        point = serving if low.usd <= serving.usd <= high.usd else point
    return ComputeEstimate(fam, cls.why, low, point, high, tuple(assumptions), _outside(fam, work))


def _figure_order(figure: Figure) -> tuple[Decimal, Decimal]:
    return figure.usd, figure.gpu_seconds


def _figure(fit: _Fit, work: Work, usd_per_hour: Decimal | None) -> Figure:
    """One regime's figure; the user's rate wins over the hardware's."""
    gpu_seconds = fit.curve(work)
    seconds = _decimal(gpu_seconds) if gpu_seconds > 0 else _ZERO
    rate = usd_per_hour or fit.hardware.usd_per_hour
    return Figure(fit.regime, seconds, seconds * rate / _HOUR, fit.hardware, rate)


_ZERO = Decimal(0)
#: A float as a `Decimal` of 15 significant digits (all a fitted curve can claim, and every float holds them).
_decimal = Context(prec=15).create_decimal_from_float


def _typical_steps(family: Family) -> float:
    steps = family.ranges.get("steps")
    return steps[0] if steps else 1.0


def _steps_note(cls: _Class, quality: str | None, steps: int) -> str:
    if cls.steps is not None:
        return f"Image compute at {steps} diffusion steps (a distilled, few-step tier)."
    return (
        f"Image quality '{quality or 'medium'}' taken as {steps} diffusion steps (an assumption: providers don't say)."
    )


def _outside(family: Family, work: Work) -> tuple[str, ...]:
    """Where a workload goes beyond what its family was measured at, said plainly."""
    ranges = family.ranges
    beyond: list[str] = []
    if family.kind is Kind.TOKENS:
        # Short requests are the easy case of a per-token curve; only longer contexts than measured are a stretch.
        context = work.tokens_in + work.tokens_out
        if "context_tokens" in ranges and context > ranges["context_tokens"][1] * 1.001:
            beyond.append(f"{context:,.0f} tokens per request (measured: up to {ranges['context_tokens'][1]:,.0f})")
    else:
        if _beyond(ranges, "steps", work.steps):
            beyond.append(f"{work.steps:g} steps (measured: {_span(ranges.get('steps'))})")
        if _beyond(ranges, "pixels", work.pixels):
            beyond.append(f"{_megapixels(work.pixels)} (measured: {_pixel_span(ranges['pixels'])})")  # type: ignore[arg-type]
        if family.kind is Kind.VIDEO and _beyond(ranges, "seconds", work.seconds):
            beyond.append(f"{work.seconds:g} s clips (measured: {_span(ranges.get('seconds'), ' s')})")
    if not beyond:
        return ()
    larger = work.pixels is not None and "pixels" in ranges and work.pixels > ranges["pixels"][1] * 1.001
    how = " (beyond the largest frames measured, in proportion to pixels)" if larger else ""
    upscaled = (
        " Providers often render large frames by upscaling a smaller generation, which costs less." if larger else ""
    )
    return (
        f"Compute is extrapolated beyond what {family.name} was measured at: {'; '.join(beyond)}. "
        f"The figures follow the fitted curve{how}; treat them as rougher.{upscaled}",
    )


def _beyond(ranges: dict[str, tuple[float, float]], key: str, value: float | None) -> bool:
    """Whether `value` lies outside the measured range of `key` (10% either side: a "5 s clip" is one of the
    measured 5.06 s ones)."""
    if value is None or not value or key not in ranges:
        return False
    low, high = ranges[key]
    return value < low * 0.9 or value > high * 1.1


def _span(values: tuple[float, float] | None, unit: str = "") -> str:
    if values is None:
        return "n/a"
    low, high = values
    return f"{low:,.3g}{unit}" if low == high else f"{low:,.3g}–{high:,.3g}{unit}"


def _megapixels(pixels: float) -> str:
    return f"{pixels / 1e6:.2g} MP frames"


def _pixel_span(values: tuple[float, float]) -> str:
    low, high = values
    return f"{low / 1e6:.2g} MP" if low == high else f"{low / 1e6:.2g}–{high / 1e6:.2g} MP"
