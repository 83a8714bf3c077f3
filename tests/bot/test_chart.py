"""The digest's chart: a PNG of spend against value per scenario, drawn without pyplot, from any thread."""

from __future__ import annotations

import dataclasses
import datetime
import io
import struct
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest

import costing
from bot.chart import _bars, _compact_usd, _escape, _figure, _label, _uses_log_axis, spend_value_chart
from costing.digest import Digest, build_digest
from costing.recost import SavedScenario

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VIDEO = "video 10s x 1M users per day value $0.05 each"  # $7M a week of API spend
CHAT = "chat 500 tokens x 100 per day"  # about $1.50 a week, no value stated


def _digest(*scenarios: tuple[str, str]) -> Digest:
    """A digest of (name, /cost text) scenarios, built the way the bot builds one."""
    saved = [
        SavedScenario(id=number, name=name, version=1, estimate=costing.estimate(text))
        for number, (name, text) in enumerate(scenarios, start=1)
    ]
    return build_digest(saved, catalog=costing.current_catalog(), at=datetime.datetime.now(datetime.UTC))


def _chats(count: int) -> list[tuple[str, str]]:
    """`count` recurring chat scenarios whose API spend grows with their number."""
    return [
        (f"chat {number}", f"chat {100 * number} tokens x {10 * number} per day value ${number} each")
        for number in range(1, count + 1)
    ]


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _decode(png: bytes) -> tuple[int, int]:
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png))
    return pixels.shape[1], pixels.shape[0]


@pytest.fixture(scope="module")
def mixed() -> Digest:
    """A $7M-a-week video feature beside a $1.50-a-week chat bot with no value, and a one-off cost."""
    return _digest(("Video teaser", VIDEO), ("Support bot", CHAT), ("Launch video", "video 10s x 100"))


@pytest.fixture(scope="module")
def mixed_png(mixed: Digest) -> bytes:
    png = spend_value_chart(mixed, title="#ai-costs — week of 2 June")
    assert png is not None
    return png


def test_chart_is_a_png_that_decodes_to_its_stated_size(mixed_png: bytes) -> None:
    width, height = _size(mixed_png)
    assert width == 900  # 9 inches at 100 dpi
    assert 200 <= height <= 1000
    assert _decode(mixed_png) == (width, height)


def test_chart_height_grows_with_the_number_of_scenarios(mixed_png: bytes) -> None:
    one = spend_value_chart(_digest(("Support bot", CHAT)), title="one")
    assert one is not None
    assert _size(one)[1] < _size(mixed_png)[1]


def test_no_chart_without_recurring_scenarios() -> None:
    assert spend_value_chart(_digest(("Launch video", "video 10s x 100")), title="one-offs only") is None
    assert spend_value_chart(_digest(), title="nothing saved") is None


def test_more_scenarios_than_the_limit_still_render_at_the_limits_height() -> None:
    many = spend_value_chart(_digest(*_chats(27)), title="27 scenarios", limit=15)
    fifteen = spend_value_chart(_digest(*_chats(15)), title="15 scenarios", limit=15)
    assert many is not None and fifteen is not None
    assert _size(many) == _size(fifteen)
    assert _decode(many) == _size(many)
    assert len(many) < 300_000


def test_bars_keep_the_top_spenders_highest_first_and_count_the_rest() -> None:
    digest = _digest(*_chats(27))
    bars = _bars(digest, 15)
    assert [line.name for line in bars.lines] == [f"chat {number}" for number in range(27, 12, -1)]
    assert bars.hidden == 12
    spends = [line.api_week for line in bars.lines]
    assert spends == sorted(spends, reverse=True)
    everything = _bars(digest, 100)
    assert len(everything.lines) == 27
    assert everything.hidden == 0


def test_a_limit_below_one_is_refused(mixed: Digest) -> None:
    with pytest.raises(ValueError, match="limit"):
        spend_value_chart(mixed, title="none", limit=0)


def test_dollar_and_unicode_names_render_without_mathtext_or_glyph_warnings() -> None:
    # Unescaped, `$\bad_$` is mathtext with an unknown symbol: matplotlib raises ValueError while drawing.
    digest = _digest(("$5 deal $ plan", CHAT), ("Café Ωmega — 🎬 漢字 naïve", VIDEO), ("50% off $\\bad_$ deal", CHAT))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph missing from font" warnings fail the test
        png = spend_value_chart(digest, title="#café $ spend $")
    assert png is not None
    assert _decode(png) == _size(png)


def test_names_are_escaped_and_cut_to_about_32_characters() -> None:
    digest = _digest(("$5 deal $ plan", CHAT), ("A very long scenario name that goes on and on", VIDEO))
    labels = {line.name: _label(line) for line in digest.lines}
    assert _escape(labels["$5 deal $ plan"]) == r"\$5 deal \$ plan"
    long = labels["A very long scenario name that goes on and on"]
    assert long.endswith("…")
    assert len(long) <= 32


def test_an_unvalued_scenario_renders(mixed: Digest) -> None:
    assert [line.value_week is None for line in mixed.lines] == [False, True]
    png = spend_value_chart(_digest(("Support bot", CHAT)), title="unvalued")
    assert png is not None
    assert _decode(png) == _size(png)


def test_amounts_across_orders_of_magnitude_use_a_log_axis(mixed: Digest) -> None:
    assert _uses_log_axis(_bars(mixed, 15))
    # Your own price close to the compute cost, and a value close to both: $0.07, ~$0.05 and $0.07 a week.
    close = _digest(("Support bot", "chat 500 tokens gpt-4o x 100 per day at $0.0001 each value $0.0001 each"))
    assert not _uses_log_axis(_bars(close, 15))


def test_a_log_axis_says_so_in_its_label(mixed: Digest) -> None:
    assert _figure(_bars(mixed, 15), "mixed").axes[0].get_xlabel() == "US dollars per week, log scale (each step ×10)"
    close = _digest(("Support bot", "chat 500 tokens gpt-4o x 100 per day at $0.0001 each value $0.0001 each"))
    assert _figure(_bars(close, 15), "close").axes[0].get_xlabel() == "US dollars per week"


def test_zero_amounts_do_not_break_a_log_axis(mixed: Digest) -> None:
    video, chat = mixed.lines
    lines = (dataclasses.replace(video, compute_week=Decimal(0)), dataclasses.replace(chat, api_week=Decimal(0)))
    zeroed = dataclasses.replace(mixed, lines=lines)
    assert _uses_log_axis(_bars(zeroed, 15))
    png = spend_value_chart(zeroed, title="zeros")
    assert png is not None
    assert _decode(png) == _size(png)


def test_the_same_digest_gives_the_same_bytes(mixed: Digest, mixed_png: bytes) -> None:
    assert spend_value_chart(mixed, title="#ai-costs — week of 2 June") == mixed_png


def test_charts_render_from_several_threads_at_once(mixed: Digest, mixed_png: bytes) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: spend_value_chart(mixed, title="#ai-costs — week of 2 June"), range(6)))
    assert results == [mixed_png] * 6


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "$0"),
        (0.1, "$0.1"),
        (0.0042, "$0.0042"),
        (40, "$40"),
        (1.53125, "$1.53"),
        (1000, "$1k"),
        (1500, "$1.5k"),
        (999_999, "$1M"),
        (7_000_000, "$7M"),
        (2.5e9, "$2.5B"),
        (-350_000, "-$350k"),
    ],
)
def test_dollar_labels_are_compact(amount: float, text: str) -> None:
    assert _compact_usd(amount) == text


def test_importing_the_module_does_not_import_pyplot_or_matplotlib() -> None:
    code = "import bot.chart, sys; print('matplotlib.pyplot' in sys.modules, 'matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
