"""The shared Block Kit pieces: texts cut to Slack's limits without half a link or half an entity."""

from __future__ import annotations

import re

from bot.blocks.digest import SECTION_BUDGET
from bot.blocks.mrkdwn import fit
from bot.blocks.parts import context, section, sections, split_messages


def test_a_single_over_long_line_is_shortened_not_split() -> None:
    line = "start <https://acme.slack.com/a|name> " + "word &amp; " * 400
    (block,) = sections([line], limit=SECTION_BUDGET)
    text = block["text"]["text"]
    assert len(text) <= 2900 and text.endswith("…") and text.startswith("start <https://acme.slack.com/a|name>")
    assert not re.search(r"&[a-z]*…$", text)
    assert fit("ab <https://x.example|" + "n" * 50 + ">", 30) == "ab…"


def test_lines_are_packed_into_as_few_sections_as_the_limit_allows() -> None:
    blocks = sections(["a" * 40, "b" * 40, "c" * 40], limit=100)
    assert [b["text"]["text"] for b in blocks] == ["a" * 40 + "\n" + "b" * 40, "c" * 40]


def test_a_section_and_a_context_are_mrkdwn_within_slacks_limit() -> None:
    long = "x" * 5000
    assert section("*hi*") == {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}
    assert len(section(long)["text"]["text"]) == 3000
    assert context("_note_")["elements"] == [{"type": "mrkdwn", "text": "_note_"}]
    assert len(context(long)["elements"][0]["text"]) == 3000


def test_blocks_are_split_into_messages_by_count_and_by_text() -> None:
    blocks = [section("x" * 100) for _ in range(7)]
    by_count = split_messages(blocks, max_blocks=3, text_budget=10_000)
    assert [len(message) for message in by_count] == [3, 3, 1]
    by_text = split_messages(blocks, max_blocks=50, text_budget=250)
    assert [len(message) for message in by_text] == [2, 2, 2, 1]
    assert [b for message in by_text for b in message] == blocks  # in order, none lost
    assert split_messages([], max_blocks=3, text_budget=10) == []
