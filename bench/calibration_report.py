"""The calibration, family by family: each published measurement beside what the fitted curve gives for it.

Not a test (tests/costing/test_compute.py holds every row to a factor of 1.5): a table for people, in Markdown.

    python bench/calibration_report.py             # every row
    python bench/calibration_report.py --summary   # one line per family
"""

from __future__ import annotations

from costing.calibration import calibration
from costing.measurements import Regime

REGIME_SHOWN = {Regime.BATCHED: "low (batched)", Regime.SERVING: "point (serving)", Regime.SINGLE: "high (single)"}


def summary() -> None:
    """One line per family: its rows, how far the fit strays from any of them, and where they come from."""
    cal = calibration()
    print("| family | rows | fitted/published (min–max) | regimes measured | sources |")
    print("|---|---:|---|---|---|")
    for family in cal.families.values():
        ratios = [family.fits[r.regime].curve(r.work()) / r.gpu_seconds() for r in family.rows if not r.is_ratio]
        measured = sorted({str(r.regime) for r in family.rows})
        hosts = sorted({r.source.split("/")[2] for r in family.rows})
        print(f"| {family.name} | {len(family.rows)} | {min(ratios):.2f}–{max(ratios):.2f} | {', '.join(measured)} | "
              f"{', '.join(hosts)} |")  # fmt: skip


def main() -> None:
    cal = calibration()
    print("| family | regime | measurement | published GPU-s/unit | fitted | ratio | source (date) |")
    print("|---|---|---|---:|---:|---:|---|")
    worst = 1.0
    for family in cal.families.values():
        for row in family.rows:
            fit = family.fits[row.regime]
            if row.is_ratio:
                shown = f"{row.describe(cal.hardware[row.hardware])}: Server vs Offline throughput"
                print(f"| {family.id} | {REGIME_SHOWN[row.regime]} | {shown} | × {row.serving_factor():.3f} | "
                      f"(ratio) | | {row.source} ({row.published}) |")  # fmt: skip
                continue
            measured, fitted = row.gpu_seconds(), fit.curve(row.work())
            ratio = fitted / measured
            worst = max(worst, ratio, 1 / ratio)
            print(f"| {family.id} | {REGIME_SHOWN[row.regime]} | {row.describe(cal.hardware[row.hardware])} | "
                  f"{measured:.4g} | {fitted:.4g} | {ratio:.2f} | {row.source} ({row.published}) |")  # fmt: skip
    derived = [(f.id, r) for f in cal.families.values() for r, fit in f.fits.items() if fit.derived]
    print(f"\nWorst row: fitted/published within ×{worst:.2f}. Derived regimes (no rows of their own): "
          + ", ".join(f"{fid} {r}" for fid, r in derived))  # fmt: skip


if __name__ == "__main__":
    import sys

    summary() if "--summary" in sys.argv else main()
