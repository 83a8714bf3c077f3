"""The small Block Kit pieces every view is built of: one `section`, one `context`, lines packed into sections.

Each cuts its text to Slack's limit without leaving half a link (`<…`) or half an entity (`&am`) behind, which
Slack would show as broken markup or refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.blocks.mrkdwn import SECTION_LIMIT, fit

__all__ = ["context", "section", "sections", "split_messages"]


def section(text: str, *, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A section block of mrkdwn `text`."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text, limit)}}


def context(text: str, *, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A context block (small grey text) of mrkdwn `text`."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(text, limit)}]}


def sections(lines: Iterable[str], *, limit: int = SECTION_LIMIT) -> list[dict[str, Any]]:
    """Lines packed into as few section blocks as `limit` allows; no line is split across two."""
    blocks: list[dict[str, Any]] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = fit(raw, limit)
        if current and size + 1 + len(line) > limit:
            blocks.append(section("\n".join(current), limit=limit))
            current, size = [], 0
        size += len(line) + (1 if current else 0)
        current.append(line)
    if current:
        blocks.append(section("\n".join(current), limit=limit))
    return blocks


def _text_size(block: dict[str, Any]) -> int:
    size = 0
    if "text" in block:
        size += len(block["text"]["text"])
    for part in [*block.get("fields", ()), *block.get("elements", ())]:
        size += len(part.get("text", ""))
    return size


def split_messages(
    blocks: Sequence[dict[str, Any]], *, max_blocks: int, text_budget: int
) -> list[list[dict[str, Any]]]:
    """Blocks in order, cut into messages of at most `max_blocks` blocks and `text_budget` characters of text
    (Slack refuses a message whose blocks carry too much text in all, `msg_blocks_too_long`)."""
    messages: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for block in blocks:
        block_size = _text_size(block)
        if current and (len(current) >= max_blocks or size + block_size > text_budget):
            messages.append(current)
            current, size = [], 0
        current.append(block)
        size += block_size
    if current:
        messages.append(current)
    return messages
