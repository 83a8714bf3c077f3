from __future__ import annotations

import logging

from bot.logs import RedactingFormatter


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("t", logging.ERROR, __file__, 1, message, args, exc_info)


def test_slack_tokens_are_blanked_even_ones_we_were_not_given() -> None:
    formatter = RedactingFormatter("%(message)s")
    text = formatter.format(record("headers: %s", {"Authorization": "Bearer xoxb-123-456-abcDEF"}))
    assert text == "headers: {'Authorization': 'Bearer [redacted]'}"
    assert formatter.format(record("xapp-1-A1-2-zz and xoxp-9")) == "[redacted] and [redacted]"


def test_given_secrets_are_blanked_in_tracebacks_too() -> None:
    formatter = RedactingFormatter("%(message)s", secrets=["s3cr3t-signing"])
    try:
        raise ValueError("bad signature with s3cr3t-signing")
    except ValueError as error:
        text = formatter.format(record("failed", exc=error))
    assert "s3cr3t-signing" not in text and "ValueError: bad signature with [redacted]" in text
