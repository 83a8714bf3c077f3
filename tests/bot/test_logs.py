from __future__ import annotations

import json
import logging

import pytest

from bot.logs import RedactingFormatter, RedactingJsonFormatter


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


@pytest.mark.parametrize(
    "written",
    [
        "https://hooks.slack.com/commands/T0TEAM1/1234/s3cretPart0f1t",
        "http://127.0.0.1:8080/actions/T0TEAM1/99/s3cretPart0f1t",
        "https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0TEAM1%2F1234%2Fs3cretPart0f1t",
        "https:\\/\\/hooks.slack.com\\/commands\\/T0TEAM1\\/1234\\/s3cretPart0f1t",
    ],
)
def test_a_response_url_is_redacted_however_it_is_written(written: str) -> None:
    formatter = RedactingFormatter("%(message)s")
    record = logging.LogRecord(
        "slack_sdk", logging.DEBUG, __file__, 1, f"Sending a request - url: {written}&x=1", None, None
    )
    shown = formatter.format(record)
    assert "s3cretPart0f1t" not in shown and "[response_url]" in shown and shown.endswith("&x=1")


def test_a_short_secret_is_redacted_only_as_a_word_of_its_own() -> None:
    formatter = RedactingFormatter("%(message)s", secrets=["pw"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "password pw sent; upwards and onwards", None, None)
    assert formatter.format(record) == "password [redacted] sent; upwards and onwards"


def test_a_shortcuts_response_url_is_redacted_too() -> None:
    formatter = RedactingFormatter("%(message)s")
    record = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, "url: https://hooks.slack.com/app/T1/2/s3cretX", None, None
    )
    assert "s3cretX" not in formatter.format(record)


@pytest.mark.parametrize("secret", ["pässwort-123", 'quo"ted-secret', "back\\slash-secret", "plain-secret-9"])
def test_json_lines_blank_secrets_however_json_escapes_them(secret: str) -> None:
    formatter = RedactingJsonFormatter(secrets=[secret])
    line = formatter.format(record("connecting with %s", secret, exc=ValueError(f"refused {secret}")))
    data = json.loads(line)
    assert secret not in line and json.dumps(secret)[1:-1] not in line
    assert data["message"] == "connecting with [redacted]" and data["level"] == "ERROR" and data["logger"] == "t"
