"""Slack's mrkdwn: escaping, links and limits."""

from __future__ import annotations

import re

__all__ = ["SECTION_LIMIT", "clip", "escape", "escape_slack_text", "fit", "link"]

#: The longest text a section block takes.
SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Make `text` safe for mrkdwn: `&`, `<` and `>` as entities, so no `<!channel>` or `<@U…>` survives."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")


def escape_slack_text(text: str) -> str:
    """Make text Slack sent us (a message, already escaped: `&amp;`, `&lt;`) safe to show again: its markup
    (`<@U…>`, `<!channel>`, links) becomes plain text, its entities stay as they are."""
    return _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def link(url_or_text: str) -> str:
    """A source as a link when it is a URL (`<url|host/path>`), as escaped text otherwise."""
    if url_or_text.startswith(("https://", "http://")) and not any(c in url_or_text for c in " <>|"):
        shown = url_or_text.split("://", 1)[1].rstrip("/")
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        return f"<{url_or_text.replace('&', '&amp;')}|{escape(shown)}>"
    return escape(url_or_text)


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut (Slack rejects longer texts outright)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit(text: str, limit: int = SECTION_LIMIT) -> str:
    """An mrkdwn text cut to `limit` characters without leaving half a link (`<…`) or half an entity (`&am`)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"
