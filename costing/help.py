"""The /cost language explained by example. Every example here is tested to parse and price."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HELP_SECTIONS", "HelpSection"]


@dataclass(frozen=True, slots=True)
class HelpSection:
    title: str
    lines: tuple[str, ...]
    examples: tuple[str, ...] = ()


HELP_SECTIONS: tuple[HelpSection, ...] = (
    HelpSection(
        "Estimate a workload",
        (
            "<workload> [model] [x <count> [noun]]… [per day|week|month|year] [at <price>] [value <value>]",
            "Words can come in any order; counts multiply; the first count of people (users, devs, seats, "
            "customers, employees) is the user base for per-user figures.",
        ),
        ("video 10s x 1M users", "video 8s veo-3.1 1080p x 3 per user per day x 50k users"),
    ),
    HelpSection(
        "Workloads",
        (
            "video: 10s, 1.5 min, 480p…1080p or 4k, with audio",
            "image: 3 images, 1024x1536, low | medium | high | standard | hd",
            "chat: 1500 in 500 out, 2k tokens, text 500 words",
            "agent: 40 steps x 6k tokens (each step re-reads its context)",
            "tts: 30s or 2k chars · transcribe: 10 min · embed: 1M tokens",
        ),
        (
            "image high 1024x1536 x 50k per day",
            "chat 1500 in 500 out claude-sonnet x 200k per day",
            "agent 40 steps x 6k tokens for 200 devs x 5 per day",
            "tts 2k chars elevenlabs-flash x 10k per month",
            "transcribe 10 min x 5k per week",
            "embed 1M tokens x 30 per month",
        ),
    ),
    HelpSection(
        "Models",
        (
            "An id (veo-3.1-fast, gpt-image-2, gpt-4o), a family (claude-haiku, mistral-large: its newest model on "
            "sale) or provider/model as LiteLLM and OpenRouter spell it (together/llama-3.1-70b): the answer says "
            "which model it priced. Without one, the workload's default.",
            "Shut-down models still price, as they were, with a warning naming the provider's replacement.",
        ),
        ("chat 1500 in 500 out claude-haiku x 200k per day", "chat 2k tokens together/llama-3.1-70b x 1M per day"),
    ),
    HelpSection(
        "Counts and periods",
        (
            "x 1M users, x 50k, for 200 devs, x 3 per user per day; numbers take k, M, B, commas and decimals.",
            "With a period you get day, week, month (365/12 days) and year figures; without one, a one-off total.",
        ),
        ("video 10s x 1.5M users monthly",),
    ),
    HelpSection(
        "Your own prices",
        (
            "at $0.25/s, at $0.04/image, at $2/1M in $8/1M out, at $1 each, discount 30%",
            "gpu $2.50/h sets the GPU rate used for the compute cost.",
        ),
        ("video 10s x 1M users at $0.25/s gpu $6.88/h", "chat 2k tokens x 1M per day discount 30%"),
    ),
    HelpSection(
        "Is it worth it?",
        (
            "value $0.05 each, value $20/user/month, revenue $9.99/user/month, saves 10 min @ $70/h",
            "You get the value for the same period, value ÷ spend and the break-even price per unit.",
        ),
        (
            "chat 2k tokens x 200 devs x 20 per day value $20/user/month",
            "agent 40 steps x 6k tokens x 100 per day saves 30 min @ $70/h",
        ),
    ),
    HelpSection(
        "Saved scenarios (in Slack)",
        (
            "save NAME [estimate] — keep it in this channel (without an estimate: your last one here); its card is "
            "posted in the channel and its thread is the discussion: replies like what if 2M users, with "
            "veo-3.1-fast or at $0.2/s get the new figures and the difference",
            "list · show NAME · compare A B · delete NAME · value NAME $20/user/month · budget NAME $5,000/month",
            "Names are unique per channel; quote names with spaces. Only the author or a workspace admin may "
            "delete a scenario or change its value or budget.",
        ),
        ("save launch-video video 10s x 1M users per month", "compare launch-video launch-video-fast"),
    ),
    HelpSection(
        "Weekly digests (in Slack)",
        (
            "digest on [day HH:MM] [time zone] — every week, this channel's scenarios: spend (API and compute) "
            "against value, budgets, what changed since last week and why, a chart; Mondays at 09:00 in your "
            "Slack time zone unless you say otherwise",
            "digest now — one right away · digest status — the next one and the last · digest off",
        ),
        ("digest on fri 16:30 Europe/London", "digest status"),
    ),
    HelpSection(
        "Commands",
        (
            "help — this text · prices [filter] — what I know, with sources and dates",
            "In Slack, Save keeps an answer as a scenario, Share in channel posts it for everyone, Adjust changes "
            "any part of it; the message shortcut Estimate cost runs /cost on any message.",
        ),
        ("prices veo",),
    ),
)
