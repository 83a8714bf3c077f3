"""Requests to the app as a WSGI server receives them, built here: for tests of what reaches POST /slack/events."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.server import EVENTS_PATH

__all__ = ["FORM", "JSON_TYPE", "Unreadable", "call", "serving"]

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


@contextmanager
def serving(server: Any) -> Iterator[int]:
    """Run a waitress server from `bot.server.http_server` in a thread; its port. On the way out it is closed and
    its thread joined: the select() it was waiting in may fail on the closed socket, which is the stop, not an
    error."""
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)
