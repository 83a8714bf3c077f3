"""Replies as Slack delivers them, made plain before they are read as what-ifs."""

from __future__ import annotations

import pytest

from bot.slack_text import plain_text
from costing import EstimateError, WhatIf, read_change

SAVED = "video 10s x 1M users"


@pytest.mark.parametrize(
    ("delivered", "plain"),
    [
        ("<@U0123ABC> what if 2M users", "what if 2M users"),
        ("what if 2M users <https://example.com|see>", "what if 2M users"),
        ("*what if 2M users*", "what if 2M users"),
        ("what if `2M users` :thinking_face:", "what if 2M users"),
        ("_try_ ~3M~ 2M users &amp; 4k", "try 3M 2M users & 4k"),
        ("&lt;!channel&gt; hi", "!channel hi"),
    ],
)
def test_markup_entities_shortcodes_and_marks_are_taken_out(delivered: str, plain: str) -> None:
    assert plain_text(delivered) == plain


@pytest.mark.parametrize(
    "reply",
    [
        "<@U0123ABC> what if 2M users",
        "what if 2M users <@U0123ABC>",
        "*what if 2M users*",
        "what if `2M users` :thinking_face:",
        "what if 2M users <https://example.com|see>",
        '"*2M users*"',
        "“*2M users*”",
        "what if “*2M users*”",
    ],
)
def test_a_what_if_with_slack_markup_reads_as_the_change_it_asks(reply: str) -> None:
    assert read_change(SAVED, plain_text(reply)) == WhatIf("video 10s x 2M users", ("counts",))


@pytest.mark.parametrize("reply", ["what if <@U123>", "try :+1:"])
def test_a_what_if_with_only_markup_in_it_says_so(reply: str) -> None:
    with pytest.raises(EstimateError, match="found nothing in it to change"):
        read_change(SAVED, plain_text(reply))


def test_markup_in_a_reply_is_never_echoed() -> None:
    with pytest.raises(EstimateError) as caught:
        read_change(SAVED, plain_text("what if <!channel> banana <@U999>"))
    assert "<" not in str(caught.value) and "U999" not in str(caught.value)
