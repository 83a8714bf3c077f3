"""What the Block Kit tests build views from: saved scenarios as storage hands them out, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.replies import estimate_text
from costing import estimate
from storage import ScenarioPublic

MONTHLY = "video 10s sora-2 x 1M users per month"  # $1,000,000 a month at API price
PERMALINK = "https://fake.slack.com/archives/C0GENERAL/p1700000001000100"
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
#: A fixed moment for snapshots: lifecycle warnings count the days to a shutdown, and prices change on dates.
AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
_FROM_PERMALINK = "from the permalink"


def scenario_public(
    text: str = MONTHLY, *, name: str = "launch", version: int = 1, budget: Decimal | None = None,
    card_ts: str | None = _FROM_PERMALINK, permalink: str | None = PERMALINK, scenario_id: int = 7,
    private: bool = False, channel_id: str = "C0GENERAL", at: datetime | None = None,
) -> ScenarioPublic:  # fmt: skip
    """A saved scenario; its card is posted when it has a permalink (unless `card_ts` says otherwise), and its
    estimate is costed now, or at `at` for a figure that must not move."""
    if card_ts == _FROM_PERMALINK:
        card_ts = "1700000001.000100" if permalink else None
    return ScenarioPublic(
        id=scenario_id, team_id="T0TEAM1", channel_id=channel_id, name=name, author_id="U0ALICE", text=text,
        estimate=estimate(text, at=at) if at else estimate_text(text), value_text=None, budget_usd_month=budget,
        channel_private=private, card_ts=card_ts, card_permalink=permalink, version=version, created_at=WHEN,
        updated_at=WHEN,
    )  # fmt: skip
