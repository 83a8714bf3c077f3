"""Text as Slack delivers it, made plain before costbot reads it: no mentions or links, no entities, no
shortcodes, no formatting marks.

Slack sends `<@U123>`, `<#C1|general>` and `<https://…|label>` for mentions and links, escapes `&`, `<` and `>`
as entities, writes emoji as `:shortcodes:` and keeps mrkdwn's `*bold*`, `_italic_`, `~strike~` and `` `code` ``
marks. None of it is part of what a person asked, and none of it should be echoed back.
"""

from __future__ import annotations

import re

__all__ = ["plain_text"]

_MARKUP_RE = re.compile(r"<[^<>]*>?")  # <@U123>, <#C1|general>, <https://…|link>, and a dangling `<`
_SHORTCODE_RE = re.compile(r":[a-z0-9_+\-']+:", re.IGNORECASE)  # :+1:, :thinking_face:
# *bold*, _it_, ~strike~, `code`, with any quotes round them: `"*2M users*"` is marked, not a word with a star.
_MARK, _AROUND = r"[*_~`]", r"[*_~`'\"“”‘’]*"
_MARKS_RE = re.compile(rf"(?<!\S){_AROUND}{_MARK}{_AROUND}(?=\S)|(?<=\S){_AROUND}{_MARK}{_AROUND}(?!\S)")
_ENTITIES = {"&amp;": "&", "&lt;": " ", "&gt;": " "}


def plain_text(text: str) -> str:
    """`text` without Slack's markup, entities (`&amp;` reads as `&`), shortcodes and formatting marks."""
    text = _MARKUP_RE.sub(" ", text)
    for entity, plain in _ENTITIES.items():
        text = text.replace(entity, plain)
    text = _SHORTCODE_RE.sub(" ", text)
    return " ".join(_MARKS_RE.sub(" ", text).split())
