"""App Home: a user's scenarios with their latest figures and links, and the digests they set up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.mrkdwn import escape
from bot.blocks.parts import context, section
from bot.blocks.scenarios import budget_status, figures_line, scenario_link
from bot.blocks.subscription import schedule_text
from storage import DigestSubscriptionPublic, ScenarioPublic

__all__ = ["HOME_SCENARIOS", "NEW_ESTIMATE_ACTION", "home_view"]

#: Blocks left for scenarios once the start, the headers and digests are in (Slack allows 100 in a Home tab).
HOME_SCENARIOS = 55
_HOME_DIGESTS = 30
#: The Home tab's button that opens an empty estimate form (answered in the user's messages with costbot).
NEW_ESTIMATE_ACTION = "new_estimate"
_HOW_TO = (
    "*How to* — in any channel, or in *Messages* here:\n"
    "• `/cost video 10s x 1M users per month` — API price and GPU compute, per unit and in total\n"
    "• `/cost chat 1500 in 500 out x 200k per day value $0.05 each` — is it worth it?\n"
    "• `/cost save launch video 10s x 1M users` — a scenario with a thread; reply `what if 2M users` there\n"
    "• `/cost digest on` — a weekly spend-versus-value digest in the channel · `/cost help` for the rest"
)


def _scenario(scenario: ScenarioPublic) -> dict[str, Any]:
    where = f"{scenario_link(scenario)} · <#{scenario.channel_id}>"
    if scenario.channel_private:
        # Private channels keep their figures to themselves: the link opens them for members only.
        text = f"{where} · :lock: private channel — open it there for the figures"
    else:
        e = scenario.estimate
        text = (
            f"{where} · v{scenario.version}\n{escape(e.model_name)} · {escape(e.workload)} · {figures_line(scenario)}"
        )
        status = budget_status(scenario)
        if status:
            text += f"\n{status}"
    return section(text)


def _digest(subscription: DigestSubscriptionPublic) -> dict[str, Any]:
    if not subscription.active:
        return section(
            f"<#{subscription.channel_id}> · ~{schedule_text(subscription)}~ · :double_vertical_bar: stopped — "
            "`/cost digest on` there starts it again"
        )
    text = f"<#{subscription.channel_id}> · {schedule_text(subscription)} · on"
    if subscription.last_error:
        text += (
            f"\n:rotating_light: posting there failed: {escape(subscription.last_error)} — the digest is skipped "
            "until that is fixed; `/cost digest status` there says more"
        )
    return section(text)


def home_view(
    scenarios: Sequence[ScenarioPublic], subscriptions: Sequence[DigestSubscriptionPublic], *, total: int | None = None
) -> dict[str, Any]:
    """The Home tab (`views.publish`): where to start (New estimate, how to), then the user's scenarios, most
    recently changed first, then the digests they set up, stopped ones marked."""
    blocks: list[dict[str, Any]] = [
        section(
            "*costbot* — what will an AI feature cost at scale, and is it worth it? Each answer puts the API price "
            "beside the raw GPU compute, with sources."
        ),
        {
            "type": "actions",
            "block_id": "home_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": NEW_ESTIMATE_ACTION,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "New estimate"},
                }
            ],
        },
        section(_HOW_TO),
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Your scenarios"}},
    ]
    if scenarios:
        blocks += [_scenario(s) for s in scenarios[:HOME_SCENARIOS]]
        hidden = (total or len(scenarios)) - min(len(scenarios), HOME_SCENARIOS)
        if hidden > 0:
            older = "older one" if hidden == 1 else "older ones"
            blocks.append(context(f"…and {hidden} {older}; `/cost list` in a channel lists its scenarios."))
    else:
        blocks.append(
            section(
                "None yet. In any channel, `/cost video 10s x 1M users` estimates a feature; press *Save* (or "
                "`/cost save NAME …`) to keep it, with a thread for the discussion."
            )
        )
    blocks.append({"type": "divider"})
    blocks.append({"type": "header", "text": {"type": "plain_text", "text": "Channel digests you set up"}})
    if subscriptions:
        blocks += [_digest(s) for s in subscriptions[:_HOME_DIGESTS]]
        if len(subscriptions) > _HOME_DIGESTS:
            blocks.append(context(f"…and {len(subscriptions) - _HOME_DIGESTS} more channels."))
    else:
        blocks.append(
            section(
                "None yet. In a channel with saved scenarios, `/cost digest on` posts a weekly spend-versus-value "
                "digest there (Mondays at 09:00 in your time zone; `/cost digest on fri 16:00 Europe/London` for "
                "another time)."
            )
        )
    return {"type": "home", "blocks": blocks}
