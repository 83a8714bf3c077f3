"""Each model family's cost curve, fitted once per regime to its published measurements (`costing.measurements`).

- `batched` (the estimate's **low**): the best published throughput, what a provider's fleet pays per unit;
- `serving` (the **point** an answer leads with): a production serving stack at scale;
- `single` (the **high**): one request at a time on the reference pipeline.

A regime a family has no rows for is derived from one it has, times the ratio measured on its kind's reference
family, and the basis says so. Curves are simple and stated: tokens cost `a x input + b x output (+ c x output
x context)` GPU-seconds per request; diffusion costs `k x steps x seconds x (pixels / reference)^e` (images:
no seconds); speech costs `k` per second of audio.

Fitting is a few dozen floating-point operations per family, done on first use: GPU-seconds are physical
estimates, not money.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any, NamedTuple

from costing.datafile import DataFileError, load_data
from costing.lexicon import Modality
from costing.measurements import (
    REGIME_WORDS,
    FamilySpec,
    Hardware,
    Kind,
    Measurement,
    ModelClass,
    ModelClasses,
    Regime,
    Work,
    clip_seconds,
    pixels_of,
    read_calibration,
    read_classes,
)

__all__ = ["Calibration", "Curve", "DiffusionCurve", "Family", "Fit", "SpeechCurve", "TokenCurve", "calibration"]

_REF_IMAGE_PIXELS = 1024 * 1024
_REF_VIDEO_PIXELS = 1280 * 720


class TokenCurve(NamedTuple):
    a: float  # GPU-s per input token
    b: float  # GPU-s per output token
    c: float  # GPU-s per output token per token of context

    def __call__(self, work: Work) -> float:
        i, o = work.tokens_in, work.tokens_out
        return work.requests * (self.a * i + self.b * o + self.c * o * (i + o / 2))

    def scaled(self, other: TokenCurve, base: TokenCurve) -> TokenCurve:
        """This curve moved to another regime by `other`/`base`, coefficient by coefficient; a term this curve
        lacks takes the other's, scaled by how this curve compares with `base` on a 1,000 in / 1,000 out request."""
        probe = Work(tokens_in=1000, tokens_out=1000)
        size = self(probe) / base(probe)

        def move(mine: float, theirs: float, their_base: float) -> float:
            return mine * theirs / their_base if mine > 0 and their_base > 0 else theirs * size

        return TokenCurve(move(self.a, other.a, base.a), move(self.b, other.b, base.b), move(self.c, other.c, base.c))

    def times(self, factor: float) -> TokenCurve:
        return TokenCurve(self.a * factor, self.b * factor, self.c * factor)


class DiffusionCurve(NamedTuple):
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

    def scaled(self, factor: float) -> DiffusionCurve:
        return DiffusionCurve(self.k * factor, self.e, self.reference_pixels, self.top_pixels, self.own_steps)


class SpeechCurve(NamedTuple):
    k: float  # GPU-s per second of audio

    def __call__(self, work: Work) -> float:
        return self.k * (work.seconds or 0.0)

    def scaled(self, factor: float) -> SpeechCurve:
        return SpeechCurve(self.k * factor)


Curve = TokenCurve | DiffusionCurve | SpeechCurve


class Fit(NamedTuple):
    """One regime of a family: its curve, the hardware it ran on, and where it comes from."""

    regime: Regime
    curve: Curve
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
    fits: dict[Regime, Fit]
    #: (low, high) of each workload figure the rows cover: steps, pixels, seconds, tokens in and out.
    ranges: dict[str, tuple[float, float]]

    def sources(self) -> list[str]:
        return list(dict.fromkeys(row.source for row in self.rows))


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


def _fit_tokens(rows: list[Measurement], shape: TokenCurve | None) -> TokenCurve:
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
    return TokenCurve(*(coefficients + [0.0] * (3 - len(coefficients))))


def _fit_diffusion(
    spec: FamilySpec, by_regime: dict[Regime, list[Measurement]], exponent: float | None
) -> dict[str, Any]:
    """Per-regime `k` and one shared pixel exponent, by least squares in logs (exponent given: not fitted)."""
    reference = _REF_VIDEO_PIXELS if spec.kind is Kind.VIDEO else _REF_IMAGE_PIXELS
    points: dict[Regime, list[tuple[float, float]]] = {}
    for regime, rows in by_regime.items():
        for row in rows:
            w = row.workload
            steps = 1.0 if spec.own_steps else w.get("steps", 1.0)
            seconds = clip_seconds(w) or 1.0
            x = math.log((pixels_of(w) or reference) / reference)
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
    top = max((pixels_of(r.workload) or reference) for r in all_rows)
    return {"k": ks, "e": e, "fitted": exponent is not None, "reference": reference, "top": top}


class Calibration:
    """Every family, fitted; the hardware; and how priced models map to families."""

    def __init__(self, data: Any, classes: ModelClasses) -> None:
        self.kinds, self.hardware, specs, self.measurements, self.cross_checks = read_calibration(data)
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

    def _fit(self, family_id: str, spec: FamilySpec) -> Family:
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
        fits: dict[Regime, Fit] = {}
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
                    assert isinstance(batched.curve, TokenCurve)
                    served = batched.curve.times(factor)
                    fits[Regime.SERVING] = Fit(Regime.SERVING, served, batched.hardware, tuple(ratio_rows), how)
        else:
            exponent = None
            if spec.kind is Kind.VIDEO and reference is not None and reference.id != family_id:
                pixel_sizes = {pixels_of(r.workload) for r in rows}
                if len(pixel_sizes) < 2:
                    exponent = _exponent_of(reference)
            if spec.kind is Kind.SPEECH:
                for regime, regime_rows in by_regime.items():
                    per_second = [r.gpu_seconds() / r.workload["audio_seconds"] for r in regime_rows]
                    k = math.exp(sum(math.log(v) for v in per_second) / len(per_second))
                    fits[regime] = self._fit_of(regime, SpeechCurve(k), regime_rows)
            else:
                fitted = _fit_diffusion(spec, by_regime, exponent)
                for regime, regime_rows in by_regime.items():
                    curve = DiffusionCurve(
                        fitted["k"][regime], fitted["e"], fitted["reference"], fitted["top"], spec.own_steps
                    )
                    fits[regime] = self._fit_of(regime, curve, regime_rows)
        self._derive_missing(family_id, spec, fits, reference)
        return Family(family_id, spec.name, spec.kind, rows, fits, _ranges(spec, rows))

    def _fit_of(self, regime: Regime, curve: Curve, rows: list[Measurement]) -> Fit:
        return Fit(regime, curve, self.hardware[rows[0].hardware], tuple(rows))

    def _derive_missing(self, family_id: str, spec: FamilySpec, fits: dict[Regime, Fit], ref: Family | None) -> None:
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
            if isinstance(base.curve, TokenCurve):
                assert isinstance(theirs, TokenCurve) and isinstance(their_base, TokenCurve)
                curve: Curve = base.curve.scaled(theirs, their_base)
            else:
                assert not isinstance(theirs, TokenCurve) and not isinstance(their_base, TokenCurve)
                curve = base.curve.scaled(theirs.k / their_base.k)
            # A ratio across two of the reference's GPUs moves the figure to the other GPU as well.
            ref_hw, ref_base_hw = ref.fits[regime].hardware, ref.fits[base_regime].hardware
            hardware = base.hardware if ref_hw == ref_base_hw else ref_hw
            fits[regime] = Fit(regime, curve, hardware, base.rows, how)

    # --- mapping priced models to families ------------------------------------------------------------------
    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one Calibration per process
    def class_of(self, model_id: str, modality: Modality, *, catalog: bool) -> ModelClass:
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
        if isinstance(fit.curve, DiffusionCurve):
            return fit.curve.e
    return None


def _ranges(spec: FamilySpec, rows: Iterable[Measurement]) -> dict[str, tuple[float, float]]:
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
            if (px := pixels_of(w)) is not None:
                values.setdefault("pixels", []).append(px)
            if (secs := clip_seconds(w)) is not None:
                values.setdefault("seconds", []).append(secs)
    return {key: (min(v), max(v)) for key, v in values.items()}


@functools.cache
def calibration() -> Calibration:
    """The bundled calibration, read and fitted once."""
    return Calibration(load_data("calibration.yaml"), read_classes(load_data("classes.yaml")))
