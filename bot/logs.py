"""Logging for `costbot serve`: one record per line, as text or JSON (`COSTBOT_LOG_FORMAT`), and never a token
or secret in it."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

__all__ = ["LogFormat", "RedactingFormatter", "RedactingJsonFormatter", "configure_logging"]

# Slack tokens (xoxb-, xoxp-, xapp-, …) wherever they appear, even ones we were not given.
_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
# Response URLs (`https://hooks.slack.com/commands/T…/…/…`): anyone holding one can answer as the app for
# 30 minutes, so they are credentials too, in a payload, a URL or a request line.
_SLASH = r"(?:/|%2F|\\/)"  # as written, percent-encoded in a form, or escaped in JSON
_RESPONSE_URL = re.compile(
    rf"https?(?::|%3A){_SLASH}{_SLASH}[^\s'\"<>|&]+?{_SLASH}(?:commands|actions|workflows|app|services){_SLASH}[^\s'\"<>|,}}&]+",
    re.IGNORECASE,
)

# OAuth codes (an install's approval, exchanged once for its workspace's tokens): in a redirect's query, in the
# Web API client's DEBUG record of `oauth.v2.access`, and in Bolt's message when an exchange fails.
_OAUTH_CODE = re.compile(r"((?:[?&]code=)|(?:['\"]code['\"]:\s*['\"])|(?:with code: ))[^\s&'\"]+")


#: Secrets shorter than this are redacted only where they stand as a word of their own.
_SHORT = 6


def _redact(text: str, secrets: list[str]) -> str:
    text = _RESPONSE_URL.sub("[response_url]", _TOKEN.sub("[redacted]", text))
    text = _OAUTH_CODE.sub(r"\1[redacted]", text)
    for secret in secrets:
        if len(secret) >= _SHORT:
            text = text.replace(secret, "[redacted]")
        else:  # a short secret only as a word of its own, or every such letter in every line would go
            text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", "[redacted]", text)
    return text


def _longest_first(secrets: Iterable[str]) -> list[str]:
    return sorted((s for s in secrets if s), key=len, reverse=True)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks Slack tokens and the given secrets (tracebacks included)."""

    def __init__(self, fmt: str, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = _longest_first(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return _redact(super().format(record), self._secrets)


class RedactingJsonFormatter(JsonFormatter):
    """One JSON object per line (time, level, logger, message, and the record's own fields such as a request's
    kind, workspace, outcome and latency), redacted as `RedactingFormatter` redacts."""

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        # In a JSON string a secret may be written escaped (`\u00e4`, `\"`, `\\`): both forms are blanked.
        self._secrets = _longest_first({form for s in secrets if s for form in (s, json.dumps(s)[1:-1])})

    def format(self, record: logging.LogRecord) -> str:
        return _redact(super().format(record), self._secrets)


LogFormat = Literal["text", "json"]


def configure_logging(level: str, *, secrets: Iterable[str] = (), form: LogFormat = "text") -> None:
    """Log to stderr at `level`, as text or JSON lines, redacting Slack tokens and the given secrets from every
    record."""
    handler = logging.StreamHandler()
    formatter: logging.Formatter = (
        RedactingJsonFormatter(secrets=secrets)
        if form == "json"
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets=secrets)
    )
    handler.setFormatter(formatter)
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
