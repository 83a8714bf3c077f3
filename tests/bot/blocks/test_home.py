from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.blocks.home import home_view
from costing.money import format_usd
from storage import ScenarioPublic
from storage.models import DigestSubscriptionPublic
from tests.bot.blocks.factories import AT, MONTHLY, PERMALINK, WHEN, scenario_public


def scenario(name: str = "launch", *, channel: str = "C0GENERAL", scenario_id: int = 1, **parts: Any) -> ScenarioPublic:
    return scenario_public(name=name, channel_id=channel, scenario_id=scenario_id, version=2, **parts)


def digest(channel: str = "C0GENERAL", *, weekday: int = 0, active: bool = True,
           last_error: str | None = None) -> DigestSubscriptionPublic:  # fmt: skip
    return DigestSubscriptionPublic(
        id=1, team_id="T0TEAM1", channel_id=channel, created_by="U0ALICE", weekday=weekday, at_time="09:00",
        timezone="Europe/Berlin", active=active, last_error=last_error, created_at=WHEN, updated_at=WHEN,
    )  # fmt: skip


def _listed(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks after the start (intro, New estimate, how to): the scenarios and digests."""
    blocks = view["blocks"]
    return blocks[next(n for n, b in enumerate(blocks) if b["type"] == "divider") + 1 :]


def sections(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in _listed(view) if b["type"] == "section"]


def headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def test_the_home_tab_lists_scenarios_then_digests() -> None:
    view = home_view([scenario()], [digest()])
    assert view["type"] == "home"
    assert headers(view) == ["Your scenarios", "Channel digests you set up"]
    assert [b["type"] for b in _listed(view)] == ["header", "section", "divider", "header", "section"]


def test_the_home_tab_starts_with_a_new_estimate_button_and_how_to() -> None:
    start = home_view([], [])["blocks"][:3]
    assert [b["type"] for b in start] == ["section", "actions", "section"]
    (button,) = start[1]["elements"]
    assert (button["action_id"], button["text"]["text"]) == ("new_estimate", "New estimate")
    how_to = start[2]["text"]["text"]
    assert how_to.startswith("*How to*") and "`/cost video 10s x 1M users per month`" in how_to
    assert "in *Messages* here" in how_to  # the Messages tab answers too


def test_a_scenario_links_to_its_card_with_its_channel_and_figures() -> None:
    (shown, _) = sections(home_view([scenario()], []))
    assert shown.startswith(f"<{PERMALINK}|launch> · <#C0GENERAL> · v2\n")
    compute = format_usd(scenario().estimate.compute.total_usd)
    assert f"Sora 2 · 10 s video, 720p · *$1,000,000*/month API · {compute}/month compute" in shown


def test_a_scenario_without_a_card_is_named_without_a_link() -> None:
    (shown, _) = sections(home_view([scenario(permalink=None)], []))
    assert shown.startswith("*launch* · <#C0GENERAL>")


def test_a_scenario_in_a_private_channel_shows_no_figures() -> None:
    (shown, _) = sections(home_view([scenario("secret", private=True, budget=Decimal(5))], []))
    assert shown == f"<{PERMALINK}|secret> · <#C0GENERAL> · :lock: private channel — open it there for the figures"
    assert "$" not in shown and "Sora" not in shown


def test_a_scenario_shows_its_value_ratio_and_budget_status() -> None:
    text = f"{MONTHLY} value $2 each"
    (shown, _) = sections(home_view([scenario(text=text, budget=Decimal(500_000))], []))
    assert "value ÷ spend 2.00×" in shown
    assert shown.endswith(":rotating_light: *over budget*: $1,000,000/month against $500,000/month (200%)")


def test_the_name_is_escaped() -> None:
    view = home_view([scenario("<!here> plan")], [])
    assert "<!here>" not in json.dumps(view)


def test_no_scenarios_and_no_digests_teach_how_to_get_some() -> None:
    view = home_view([], [])
    first, second = sections(view)
    assert first.startswith("None yet.") and "`/cost save NAME …`" in first
    assert second.startswith("None yet.") and "`/cost digest on`" in second


def test_more_scenarios_than_fit_say_how_many_are_left_out() -> None:
    many = [scenario(f"s{i:02}", scenario_id=i) for i in range(61)]
    view = home_view(many, [])
    assert len([s for s in sections(view) if s.startswith("<https://")]) == 55
    hint = next(b for b in view["blocks"] if b["type"] == "context")["elements"][0]["text"]
    assert hint.startswith("…and 6 older ones;")
    assert len(view["blocks"]) <= 100


def test_a_total_beyond_the_scenarios_given_counts_the_rest() -> None:
    view = home_view([scenario()], [], total=12)
    hint = next(b for b in view["blocks"] if b["type"] == "context")["elements"][0]["text"]
    assert hint.startswith("…and 11 older ones")


def test_a_digest_says_where_when_and_whether_it_is_on() -> None:
    view = home_view([], [digest("C0OPS", weekday=4)])
    assert sections(view)[-1] == "<#C0OPS> · Fridays at 09:00 (Europe/Berlin) · on"


def test_a_stopped_digest_stays_listed_marked_with_how_to_restart_it() -> None:
    view = home_view([], [digest("C0RUN"), digest("C0OPS", weekday=4, active=False)])
    assert sections(view)[-1] == (
        "<#C0OPS> · ~Fridays at 09:00 (Europe/Berlin)~ · :double_vertical_bar: stopped — "
        "`/cost digest on` there starts it again"
    )


def test_a_digest_that_failed_says_why_escaped() -> None:
    view = home_view([], [digest(last_error="not_in_channel <!channel>")])
    assert "\n:rotating_light: posting there failed: not_in_channel &lt;!channel&gt; — " in sections(view)[-1]


def test_home_snapshot(snapshot: Any) -> None:
    scenarios = [
        scenario(at=AT),
        scenario("pilot", text="image high x 1k per day", channel="C0DESIGN", private=True, permalink=None,
                 budget=Decimal(100), scenario_id=2, at=AT),
    ]  # fmt: skip
    subscriptions = [digest(), digest("C0DESIGN", weekday=4, active=False, last_error="channel_not_found")]
    assert home_view(scenarios, subscriptions) == snapshot(name="home")
    assert home_view([], []) == snapshot(name="empty")
