"""Raw compute cost: GPU-seconds per unit of work, calibrated per model family on published measurements.

Every family is a set of published measurements (`costing.measurements`), its cost curve fitted once per regime
(`costing.calibration`): `batched` is the estimate's low, `serving` the point an answer leads with, `single`
(one request at a time) the high. A workload outside what its family was measured at (more pixels, longer
clips, more steps, longer prompts) is costed along the curve and the answer says so. GPU-seconds are physical
estimates in floating point; dollars come out as `Decimal`.
"""

from __future__ import annotations

import functools
from decimal import Context, Decimal
from typing import Any, NamedTuple

from costing.calibration import Family, Fit, calibration
from costing.lexicon import Modality
from costing.measurements import Hardware, Kind, ModelClass, Regime, Work

__all__ = ["ComputeEstimate", "Figure", "Work", "estimate_compute"]

_HOUR = Decimal(3600)


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
        "family": family.id,
        "family_name": family.name,
        "why": why,
        "low": one(low),
        "point": one(point),
        "high": one(high),
    }


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
        cls = ModelClass(family=family, why="the family your price book names")
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


def _figure(fit: Fit, work: Work, usd_per_hour: Decimal | None) -> Figure:
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


def _steps_note(cls: ModelClass, quality: str | None, steps: int) -> str:
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
