"""The weekly digest's chart: API spend, GPU compute and value per scenario, as a PNG for the digest's thread.

Why matplotlib's Agg backend without pyplot: the bot renders charts on worker threads of a server with no
display. pyplot keeps global state (a current figure, a registry of open figures, a backend chosen once per
process and possibly a GUI one), which is neither thread-safe nor needed to draw one picture. A bare
`matplotlib.figure.Figure` drawn by `FigureCanvasAgg` touches no global state beyond matplotlib's caches, so
each call owns its figure outright and nothing leaks between calls or threads.

matplotlib is imported inside `spend_value_chart`, not at module level: the bot imports this module at
start-up, and matplotlib (about half a second to import) is only needed once a week when a digest is posted.

Amounts are `Decimal` in costbot and become floats only here, for drawing; the exact figures are in the
digest's text, the chart shows their sizes.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from costing import format_usd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from costing import Digest, DigestLine

__all__ = ["spend_value_chart"]

#: Scenario names longer than this are cut, with "…", so that the bars keep most of the width.
NAME_LENGTH = 32
#: Above this ratio between the largest and smallest positive amount, a linear axis would flatten the small
#: bars to nothing: the axis goes logarithmic.
LOG_RATIO = 100
DPI = 100
WIDTH_INCHES = 9.0
#: Room for the title, legend, axis label and note; each scenario adds `ROW_INCHES`.
BASE_INCHES = 2.0
ROW_INCHES = 0.55

_SERIES = (
    ("API spend / week", "#3b6fb6"),
    ("GPU compute / week", "#e08a3c"),
    ("Value / week", "#3d9a5b"),
)
_BAR_HEIGHT = 0.27
_NO_VALUE = "no value stated"
_WHITESPACE = re.compile(r"\s+")
_MISSING_GLYPH = "□"


@dataclass(frozen=True, slots=True)
class _Bars:
    """The scenarios the chart shows, highest API spend first, and how many it leaves out."""

    lines: tuple[DigestLine, ...]
    hidden: int


def _bars(digest: Digest, limit: int) -> _Bars:
    """The top `limit` recurring lines by weekly API spend (ties by name), and the count of the rest."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    ordered = sorted(digest.lines, key=lambda line: (-line.api_week, line.name.casefold()))
    return _Bars(lines=tuple(ordered[:limit]), hidden=max(len(ordered) - limit, 0))


def spend_value_chart(digest: Digest, *, title: str, limit: int = 15) -> bytes | None:
    """Draw a digest's weekly API spend, GPU compute and value per scenario as a PNG.

    Each scenario gets three horizontal bars (API spend, GPU compute, value, per week), the highest API spend
    at the top; a scenario that states no value is marked "no value stated" in place of its value bar. Only
    the top `limit` scenarios by API spend are drawn, with a note under the chart counting the others. The
    x-axis is logarithmic when the amounts span more than a factor of 100, linear otherwise.

    The same digest and arguments always give the same bytes (fixed size, dpi and no software metadata).
    Safe to call from several threads at once: it uses no pyplot and no shared figure.

    Args:
        digest: The channel's week, from `costing.digest.build_digest`; only its recurring lines are drawn.
        title: The chart's title, e.g. the channel and the week (a `$` in it is shown as is).
        limit: The most scenarios to draw.

    Returns:
        The PNG image, or None when the digest has no recurring scenarios (nothing to draw).

    Raises:
        ValueError: `limit` is less than 1.
    """
    bars = _bars(digest, limit)
    if not bars.lines:
        return None
    return _render(bars, title)


# --- drawing -------------------------------------------------------------------------------------------------


def _render(bars: _Bars, title: str) -> bytes:
    buffer = io.BytesIO()
    _figure(bars, title).savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _figure(bars: _Bars, title: str) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, NullFormatter

    rows = len(bars.lines)
    figure = Figure(figsize=(WIDTH_INCHES, BASE_INCHES + ROW_INCHES * rows), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself to the figure; savefig then draws with Agg
    axes = figure.add_subplot()

    amounts = _amounts(bars)
    positive = [amount for series in amounts for amount in series if amount is not None and amount > 0]
    log = _uses_log_axis(bars)
    if log:
        # Bars start at a power of ten below the smallest amount, not at zero (log 0 is -inf); a zero or
        # negative amount draws no bar, only its label.
        floor = 10.0 ** math.floor(math.log10(min(positive) / 2))
        axes.set_xscale("log")
        axes.set_xlim(floor, max(positive) * 10**0.7)  # room right of the longest bar for its label
    else:
        floor = 0.0
        low = min([0.0, *(a for series in amounts for a in series if a is not None)])
        high = max([0.0, *positive])
        axes.set_xlim(low * 1.2, high * 1.2 if high > 0 else 1.0)

    # Row i (0 = highest spend) is centred on y = rows - 1 - i, so the highest spend is at the top; within a
    # row, API spend is the top bar and value the bottom one.
    centres = [rows - 1 - index for index in range(rows)]
    for position, ((label, colour), series) in enumerate(zip(_SERIES, amounts, strict=True)):
        offset = (1 - position) * _BAR_HEIGHT
        ys = [centre + offset for centre in centres]
        widths = [_width(amount, floor, log) for amount in series]
        axes.barh(ys, widths, height=_BAR_HEIGHT * 0.92, left=floor, color=colour, label=label)
        for y, amount in zip(ys, series, strict=True):
            if amount is None:
                axes.text(
                    0.005,
                    y,
                    _NO_VALUE,
                    transform=axes.get_yaxis_transform(),
                    va="center",
                    ha="left",
                    fontsize=8,
                    fontstyle="italic",
                    color="#666666",
                )
            else:
                axes.annotate(
                    _escape(_compact_usd(amount)),
                    xy=(max(amount, floor), y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontsize=7,
                    color="#333333",
                )

    axes.set_yticks(centres, [_escape(_label(line)) for line in bars.lines], fontsize=9)
    axes.set_ylim(-0.6, rows - 0.4)
    axes.tick_params(axis="y", length=0)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _escape(_compact_usd(x))))
    axes.xaxis.set_minor_formatter(NullFormatter())  # a log axis's minor labels would be 2×10¹, not dollars
    # Said when the scale is logarithmic: equal steps are tenfold there, and a reader must know it.
    axes.set_xlabel("US dollars per week, log scale (each step ×10)" if log else "US dollars per week")
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, frameon=False, fontsize=9)
    figure.suptitle(_escape(_printable(title)), fontsize=12, x=0.02, ha="left")
    if bars.hidden:
        _note(axes, f"+ {bars.hidden} more scenario{'s' if bars.hidden != 1 else ''} not shown")

    return figure


def _amounts(bars: _Bars) -> tuple[list[float | None], ...]:
    """API spend, GPU compute and value per week, one list each, in the bars' order (None: no value)."""
    return (
        [float(line.api_week) for line in bars.lines],
        [float(line.compute_week) for line in bars.lines],
        [None if line.value_week is None else float(line.value_week) for line in bars.lines],
    )


def _uses_log_axis(bars: _Bars) -> bool:
    """Whether the positive amounts span more than `LOG_RATIO` (zero and negative amounts don't count)."""
    positive = [amount for series in _amounts(bars) for amount in series if amount is not None and amount > 0]
    return bool(positive) and max(positive) / min(positive) > LOG_RATIO


def _width(amount: float | None, floor: float, log: bool) -> float:
    if amount is None:
        return 0.0
    if log:
        return max(amount - floor, 0.0)
    return amount


def _note(axes: Axes, text: str) -> None:
    """A line under the x-axis label, kept inside the figure by the constrained layout."""
    axes.annotate(
        text,
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -42),
        textcoords="offset points",
        va="top",
        ha="left",
        fontsize=9,
        fontstyle="italic",
        color="#444444",
        annotation_clip=False,
    )


# --- text ----------------------------------------------------------------------------------------------------


def _label(line: DigestLine) -> str:
    name = _printable(line.name) or f"scenario #{line.id}"
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1].rstrip() + "…"


def _printable(text: str) -> str:
    """One line of text the chart's font can draw: whitespace collapsed, glyphs it lacks shown as □."""
    text = _WHITESPACE.sub(" ", text).strip()
    charmap = _charmap()
    if not charmap:
        return text
    return "".join(char if ord(char) in charmap else _MISSING_GLYPH for char in text)


@lru_cache(maxsize=1)
def _charmap() -> frozenset[int]:
    """The code points of the font the chart's text is drawn in (empty when it cannot be read).

    A character outside it would be drawn as an empty box anyway, with a "Glyph missing" warning per
    character; replacing it first draws the same box without the warnings.
    """
    from matplotlib.font_manager import FontProperties, findfont, get_font

    try:
        return frozenset(get_font(findfont(FontProperties())).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()


def _escape(text: str) -> str:
    """Text shown as typed: a `$` would otherwise start matplotlib's mathtext."""
    return text.replace("$", r"\$")


def _compact_usd(amount: float) -> str:
    """Dollars for an axis or a bar: `$7M`, `$350k`, `$1.53`, `$0.1`, `$0.0042`."""
    amount = float(amount)  # tick locators hand over numpy floats
    if amount < 0:
        return "-" + _compact_usd(-amount)
    if amount == 0:
        return "$0"
    if amount < 1:
        text = format_usd(Decimal(str(amount)))  # two significant digits: $0.0042, $0.10
        return text.rstrip("0").rstrip(".") if "." in text else text
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if amount >= scale * 0.9995:  # 999,999 shows as $1M, not $1e+03k
            return f"${amount / scale:.3g}{suffix}"
    return f"${amount:.3g}"
