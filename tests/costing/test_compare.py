"""compare_estimates() and Difference: old → new on a like-for-like basis, described exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costing import Comparison, Difference, compare_estimates, current_catalog, estimate, read_change
from costing.compare import MINUS
from costing.value import DAYS

D = Decimal


def compared(old: str, new: str) -> Comparison:
    return compare_estimates(estimate(old), estimate(new))


def row(comparison: Comparison, label: str) -> Difference:
    found = [d for d in comparison.differences if d.label == label]
    assert len(found) == 1, [d.label for d in comparison.differences]
    return found[0]


def labels(comparison: Comparison) -> list[str]:
    return [d.label for d in comparison.differences]


# --- Difference ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "kind", "text"),
    [
        (D(1_000_000), D(2_000_000), "usd", "$1,000,000 → $2,000,000 (+$1,000,000, +100%)"),
        (D(1000), D(600), "usd", f"$1,000 → $600.00 ({MINUS}$400.00, {MINUS}40%)"),
        (D(800), D(900), "usd", "$800.00 → $900.00 (+$100.00, +12.5%)"),
        (D(1), D(20), "usd", "$1.00 → $20.00 (+$19.00, +1,900%)"),
        (D(1_000_000), D(1_000_001), "usd", "$1,000,000 → $1,000,001 (+$1.00, +<0.1%)"),
        (D("0.0042"), D("0.0021"), "usd", f"$0.0042 → $0.0021 ({MINUS}$0.0021, {MINUS}50%)"),
        (D(0), D(5), "usd", "$0 → $5.00 (+$5.00)"),
        (D(20), D(20), "usd", "$20.00 (unchanged)"),
        (None, D(20), "usd", "none → $20.00"),
        (D(20), None, "usd", "$20.00 → none"),
        (None, None, "usd", "none"),
        (D(1_000_000), D(2_500_000), "count", "1,000,000 → 2,500,000 (+1,500,000, +150%)"),
        (D(3), D("13035714.2857142857"), "count", "3 → 13,035,714 (+13,035,711, +434,523,710%)"),  # whole units
        (D("0.25"), D("1.755"), "count", "0.25 → 1.76 (+1.51, +602%)"),  # below ten: hundredths still show
        (D("2.5"), D(5), "ratio", "2.50× → 5.00× (+2.50×, +100%)"),
        (D(150), D("1234.4"), "ratio", "150× → 1,234× (+1,084×, +722.9%)"),
        (D("0.66"), D("0.22"), "ratio", f"0.66× → 0.22× ({MINUS}0.44×, {MINUS}66.7%)"),
    ],
)
def test_describe_says_old_new_and_the_signed_change(
    old: Decimal | None, new: Decimal | None, kind: str, text: str
) -> None:
    assert Difference("x", old, new, kind).describe() == text


def test_delta_and_pct_are_decimals_or_none() -> None:
    up = Difference("API spend per day", D(800), D(900), "usd")
    assert up.delta == D(100) and isinstance(up.delta, Decimal)
    assert up.pct == D("12.5") and isinstance(up.pct, Decimal)
    assert Difference("API spend per day", D(0), D(5), "usd").pct is None  # no percentage of nothing
    assert Difference("value", None, D(5), "usd").delta is None
    assert Difference("value", D(5), None, "usd").pct is None
    assert Difference("value", D(5), D(5), "usd").delta == 0


def test_amounts_equal_but_for_decimal_rounding_are_unchanged() -> None:
    month = D(3_000_000) * DAYS["month"]
    same = Difference("API spend per month", month, D(3_000_000) * 7 / DAYS["week"] * DAYS["month"], "usd")
    assert same.unchanged and same.delta == 0 and same.describe() == "$91,250,000 (unchanged)"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        Difference("x", D(1), D(2), "eur")


# --- bases --------------------------------------------------------------------------------------------------


def test_the_same_period_compares_that_periods_totals() -> None:
    c = compared("video 10s x 1M users per day", "video 10s x 2M users per day")
    assert c.basis == "per day"
    assert labels(c) == ["API price per unit", "API spend per day", "GPU compute per day",
                         "API spend per user per day", "videos per day"]  # fmt: skip
    assert row(c, "API spend per day").describe() == "$1,000,000 → $2,000,000 (+$1,000,000, +100%)"
    assert row(c, "API price per unit").describe() == "$1.00 (unchanged)"
    assert row(c, "API spend per user per day").describe() == "$1.00 (unchanged)"
    assert row(c, "videos per day").describe() == "1,000,000 → 2,000,000 (+1,000,000, +100%)"
    assert row(c, "GPU compute per day").pct == 100
    assert c.changes == () and c.notes == ()


def test_the_count_is_named_by_the_unit_when_both_count_the_same() -> None:
    assert "embedding batches per month" in labels(
        compared("embed 1M tokens x 3 per month", "embed 1M tokens x 4 per month")
    )
    assert "units per month" in labels(compared("video 10s x 3 per month", "image x 4 per month"))


def test_different_periods_compare_monthly_projections() -> None:
    old = estimate("video 10s x 1M users x 3 per user per day")
    new = estimate("video 10s x 1M users x 3 per user per week")
    c = compare_estimates(old, new)
    assert c.basis == "per month"
    assert old.projections is not None and new.projections is not None
    spend = row(c, "API spend per month")
    assert (spend.old, spend.new) == (old.projections["month"], new.projections["month"])
    assert spend.describe() == f"$91,250,000 → $13,035,714 ({MINUS}$78,214,286, {MINUS}85.7%)"
    assert old.compute.projections is not None and new.compute.projections is not None
    compute = row(c, "GPU compute per month")
    assert (compute.old, compute.new) == (old.compute.projections["month"], new.compute.projections["month"])
    assert row(c, "videos per month").describe() == (f"91,250,000 → 13,035,714 ({MINUS}78,214,286, {MINUS}85.7%)")
    assert row(c, "API spend per user per month").describe() == f"$91.25 → $13.04 ({MINUS}$78.21, {MINUS}85.7%)"
    assert c.changes == (("period", "per day", "per week"),)
    assert c.notes == ("The old estimate is per day and the new one per week; both are shown per month "
                       "(a month is 365/12 days).",)  # fmt: skip


def test_two_one_offs_compare_totals_in_all() -> None:
    c = compared("video 10s x 1M users", "video 20s x 1M users")
    assert c.basis == "in all"
    assert row(c, "API spend in all").describe() == "$1,000,000 → $2,000,000 (+$1,000,000, +100%)"
    assert row(c, "API price per unit").describe() == "$1.00 → $2.00 (+$1.00, +100%)"
    assert c.changes == (("workload", "10 s video, 720p", "20 s video, 720p"),)
    assert c.notes == ()


def test_a_one_off_against_a_periodic_estimate_compares_stated_totals_and_says_they_differ() -> None:
    c = compared("video 10s x 1M users per day", "video 10s x 1M users")
    assert c.basis == "as stated"
    assert row(c, "API spend as stated").describe() == "$1,000,000 (unchanged)"
    assert c.changes == (("period", "per day", "one-off"),)
    assert len(c.notes) == 1 and "aren't like for like" in c.notes[0]
    assert "old estimate is per day" in c.notes[0] and "'per day' to the new one" in c.notes[0]
    backwards = compared("video 10s x 1M users", "video 10s x 1M users per week")
    assert "new estimate is per week" in backwards.notes[0] and "'per week' to the old one" in backwards.notes[0]


# --- rows that depend on what the estimates have --------------------------------------------------------------


def test_per_user_only_when_both_have_users() -> None:
    c = compared("chat 2k tokens gpt-4o x 1000 per day", "chat 2k tokens gpt-4o x 200 devs x 5 per day")
    assert not any("per user" in label for label in labels(c))
    both = compared("chat 2k tokens gpt-4o x 100 devs x 10 per day", "chat 2k tokens gpt-4o x 200 devs x 5 per day")
    assert row(both, "API spend per user per day").describe() == f"$0.088 → $0.044 ({MINUS}$0.044, {MINUS}50%)"


def test_value_on_one_side_shows_none_on_the_other() -> None:
    c = compared("video 10s x 1M users per day", "video 10s x 1M users per day value $20/user/month")
    value = row(c, "value per day")
    assert value.old is None and value.new == D(20_000_000) / DAYS["month"]
    assert value.describe() == "none → $657,534"
    assert row(c, "value ÷ API spend").describe() == "none → 0.66×"
    assert c.changes == (("value", "none", "value: $20.00 per user per month"),)
    gone = compared("video 10s x 1M users per day value $20/user/month", "video 10s x 1M users per day")
    assert row(gone, "value per day").describe() == "$657,534 → none"


def test_value_rows_only_when_either_has_a_value() -> None:
    assert not any("value" in label for label in labels(compared("video 10s x 1M users", "video 10s x 2M users")))


def test_values_on_different_periods_are_brought_to_the_common_basis() -> None:
    c = compared("chat 2k tokens x 200 devs x 20 per day value $20/user/month",
                 "chat 2k tokens x 200 devs x 140 per week value $30/user/month")  # fmt: skip
    value = row(c, "value per month")
    assert value.old is not None and value.new is not None
    assert (value.old.quantize(D("0.01")), value.new.quantize(D("0.01"))) == (D(4000), D(6000))
    assert value.describe() == "$4,000 → $6,000 (+$2,000, +50%)"
    ratio = row(c, "value ÷ API spend")
    assert ratio.old is not None and ratio.new is not None and ratio.pct is not None and ratio.pct > 0


def test_a_recurring_value_on_one_off_spend_is_shown_per_its_own_period_without_a_ratio() -> None:
    c = compared("video 10s x 1M users value $20/user/month", "video 10s x 2M users value $20/user/month")
    assert row(c, "value per month").describe() == "$20,000,000 → $40,000,000 (+$20,000,000, +100%)"
    assert "value ÷ API spend" not in labels(c)  # payback, not a ratio, for one-off spend


# --- what isn't a number --------------------------------------------------------------------------------------


def test_model_and_price_source_changes_are_listed() -> None:
    c = compared("video 10s sora-2 x 1M users", "video 10s veo-3.1-fast x 1M users")
    assert ("model", "Sora 2", "Veo 3.1 Fast") in c.changes
    assert [what for what, _, _ in c.changes] == ["model", "price source"]
    assert row(c, "API spend in all").describe() == "$1,000,000 (unchanged)"
    own = compared("video 10s x 1M users", "video 10s x 1M users at $0.2/s")
    (what, _, after), *_ = own.changes
    assert what == "price source" and after == "your price"
    assert row(own, "API price per unit").describe() == "$1.00 → $2.00 (+$1.00, +100%)"


def test_different_units_are_noted() -> None:
    c = compared("chat 1500 in 500 out x 200k per day", "image high x 50k per day")
    assert any("requests and the new one images" in note for note in c.notes)
    assert [what for what, _, _ in c.changes][:2] == ["workload", "model"]


def test_every_figure_is_a_decimal() -> None:
    c = compared("chat 2k tokens x 200 devs x 20 per day value $20/user/month",
                 "chat 2k tokens gpt-4o-mini x 300 devs x 20 per week")  # fmt: skip
    for difference in c.differences:
        for side in (difference.old, difference.new, difference.delta, difference.pct):
            assert side is None or isinstance(side, Decimal)
        assert difference.kind in {"usd", "count", "ratio"}
        assert difference.describe()


def test_a_what_if_answer_compares_the_saved_estimate_with_the_new_one() -> None:
    saved = "video 10s x 1M users x 3 per user per day"
    what_if = read_change(saved, "what if 2M users", model_names=current_catalog().model_names)
    assert what_if is not None
    c = compared(saved, what_if.text)
    assert c.basis == "per day"
    assert row(c, "API spend per day").describe() == "$3,000,000 → $6,000,000 (+$3,000,000, +100%)"
    assert row(c, "API spend per user per day").describe() == "$3.00 (unchanged)"


def test_a_price_source_change_is_said_in_words_without_a_url() -> None:
    listed = estimate("video 10s veo-3.1-fast x 1M users per month")
    own = estimate("video 10s veo-3.1-fast x 1M users per month at $0.10/s")
    (change,) = [c for c in compare_estimates(listed, own).changes if c[0] == "price source"]
    assert change[2] == "your price" and change[1].startswith("list price: ") and "http" not in change[1]
