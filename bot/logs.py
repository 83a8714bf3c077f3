"""Logging for `costbot serve`: one record per line, and never a token or secret in it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["RedactingFormatter", "configure_logging"]

# Slack tokens (xoxb-, xoxp-, xapp-, …) wherever they appear, even ones we were not given.
_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
# Response URLs (`https://hooks.slack.com/commands/T…/…/…`): anyone holding one can answer as the app for
# 30 minutes, so they are credentials too, in a payload, a URL or a request line.
_SLASH = r"(?:/|%2F|\\/)"  # as written, percent-encoded in a form, or escaped in JSON
_RESPONSE_URL = re.compile(
    rf"https?(?::|%3A){_SLASH}{_SLASH}[^\s'\"<>|&]+?{_SLASH}(?:commands|actions|workflows|app|services){_SLASH}[^\s'\"<>|,}}&]+",
    re.IGNORECASE,
)


#: Secrets shorter than this are redacted only where they stand as a word of their own.
_SHORT = 6


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks Slack tokens and the given secrets (tracebacks included)."""

    def __init__(self, fmt: str, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = sorted((s for s in secrets if s), key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = _RESPONSE_URL.sub("[response_url]", _TOKEN.sub("[redacted]", super().format(record)))
        for secret in self._secrets:
            if len(secret) >= _SHORT:
                text = text.replace(secret, "[redacted]")
            else:  # a short secret only as a word of its own, or every such letter in every line would go
                text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", "[redacted]", text)
        return text


def configure_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at `level`, redacting Slack tokens and the given secrets from every record."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets=secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The HTTP client genai-prices' updater uses logs each request's full URL at INFO; costbot's own line says
    # what a refresh did, with the URL shown without credentials.
    logging.getLogger("httpx2").setLevel(max(logging.WARNING, root.level))
    # Alembic narrates every start-up ("Context impl SQLiteImpl…"); `costbot db current` tells the revision.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # APScheduler narrates every run of every job (the minute's pass included); costbot logs what a digest did.
    logging.getLogger("apscheduler").setLevel(
        max(logging.WARNING, root.level) if root.level > logging.DEBUG else logging.DEBUG
    )
