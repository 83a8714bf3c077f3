"""Requests to the app as a WSGI server receives them, built here: for tests of what reaches POST /slack/events."""

from __future__ import annotations

import io
from typing import Any

from bot.server import EVENTS_PATH

__all__ = ["FORM", "JSON_TYPE", "Unreadable", "call"]

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


class Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


def call(
    app: Any,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    content_type: str = FORM,
    method: str = "POST",
    path: str = EVENTS_PATH,
    length: str | None = None,
    stream: Any = None,
) -> tuple[int, bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)) if length is None else length,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": stream or io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    answered: list[str] = []
    chunks = app(environ, lambda status, _headers, *_: answered.append(status))
    return int(answered[0].split()[0]), b"".join(chunks)
