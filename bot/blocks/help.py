"""`/cost help`: the language by example, every example ready to copy."""

from __future__ import annotations

from typing import Any

from bot.blocks.mrkdwn import clip, escape
from costing import HELP_SECTIONS

__all__ = ["help_message"]


def help_message() -> dict[str, Any]:
    """The help text as a message: one section per topic, examples as `/cost …` lines."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*costbot* — what will this AI feature cost at scale, and is it worth it? "
                "Each answer shows the API price beside the raw GPU compute cost, with sources and assumptions.",
            },
        }
    ]
    for section in HELP_SECTIONS:
        lines = [f"*{escape(section.title)}*", *(escape(line) for line in section.lines)]
        lines += [f"`/cost {escape(example)}`" for example in section.examples]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip("\n".join(lines))}})
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "`/cost` answers are only shown to you until you press *Share in channel*; "
                    "`@costbot` answers in the thread, for everyone in it. Help and problems are only for you.",
                }
            ],
        }
    )
    return {"text": "costbot help: /cost video 10s x 1M users, /cost prices veo, …", "blocks": blocks}
