"""Verification first: what reaches `POST /slack/events` is checked before any of it is parsed.

Slack's own requests are small, typed and signed. So, in this order and without reading more than it must:

- a body larger than `MAX_BODY_BYTES` (or of no stated length) is refused before it is read (413, 411);
- anything but `application/x-www-form-urlencoded` or `application/json` in UTF-8 is refused (415);
- the timestamp must be a whole number of seconds within five minutes, and the signature Slack's HMAC of the
  body (401) — computed on the raw bytes, so nothing unauthenticated is decoded;
- a signed request seen before is not run again: it is answered 200 and dropped (a replay, or a duplicate);
- the body must then be what Slack sends: valid UTF-8, a form with a command, a `payload` that is a JSON object
  with a type, or a JSON object with a type (400).

Each refusal is one log line naming the reason, never the body or a header's value. Bolt then verifies the
signature again (it must: Socket Mode has no gate) and parses a body known to be well formed.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from bot.dedupe import RecentIds
from bot.observe import count_unverified, observe_request
from bot.router import ROUTES

__all__ = ["MAX_BODY_BYTES", "SlackGate"]

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: The largest body accepted. Slack's largest payloads (a modal's submission with its whole view) are tens of
#: kilobytes; a megabyte leaves room and refuses a flood before it costs memory.
MAX_BODY_BYTES = 1024 * 1024
#: How long a verified request is remembered: Slack's signatures are good for five minutes either way.
REPLAY_WINDOW_SECONDS = 11 * 60

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


#: Headers Bolt reads to run a listener's deferred half alone (`x-slack-bolt-lazy-only`, the function's name):
#: the signature doesn't cover headers, so they are dropped from every request that comes in.
_BOLT_HEADERS = "HTTP_X_SLACK_BOLT_"
#: Where the gate keeps a checked request's signature digest in its WSGI environment, on the way in.
_SIGNATURE_DIGEST = "costbot.signature_digest"


class _Refused(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SlackGate:
    """WSGI middleware in front of Bolt's handler for `path`; any other path is 404 without reading the body."""

    def __init__(
        self,
        inner: WsgiApp,
        *,
        signing_secret: str,
        path: str,
        clock: Callable[[], float] = time.time,
        seen: RecentIds | None = None,
    ) -> None:
        self._inner = inner
        self._path = path
        self._secret = signing_secret.encode()
        self._clock = clock
        self._seen = seen or RecentIds(ttl=REPLAY_WINDOW_SECONDS, capacity=200_000)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        began = time.perf_counter()
        try:
            checked = self._checked(environ)
        except _Refused as refusal:
            log.info("refused a request to %s: %s", environ.get("PATH_INFO", "?"), refusal.reason)
            count_unverified("refused")
            return _answer(start_response, refusal.status, refusal.reason, allow=refusal.status.startswith("405"))
        if checked is None:  # a replay (done once already) or Slack's certificate check: nothing to run
            count_unverified("repeated")
            return _answer(start_response, "200 OK", "")
        body, (kind, workspace) = checked
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        for header in [name for name in environ if name.startswith(_BOLT_HEADERS)]:
            del environ[header]  # Bolt's own "run only the deferred half" switch: never from the outside
        digest = environ.pop(_SIGNATURE_DIGEST)
        status_code = [500]

        def answered(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status_code[0] = int(status.split()[0])
            if not status.startswith(("1", "2", "3")):  # refused (busy, database down): Slack's retry must run,
                self._seen.forget(digest)  # though it may come within the second, signed the same
            return start_response(status, headers, *exc_info)

        try:
            return self._inner(environ, answered)
        finally:
            observe_request(kind, workspace, status_code[0], time.perf_counter() - began)

    def _checked(self, environ: dict[str, Any]) -> tuple[bytes, tuple[str, str | None]] | None:
        """The body, checked, with what it is (`shape_of`); None for a request that is answered 200 and not run
        (a replay, an ssl_check). Raises `_Refused` for anything else."""
        if environ.get("PATH_INFO") != self._path:
            raise _Refused("404 Not Found", "no such path")
        if environ.get("REQUEST_METHOD") != "POST":
            raise _Refused("405 Method Not Allowed", "only POST is served here")
        length = _length(environ.get("CONTENT_LENGTH"))
        _check_type(environ.get("CONTENT_TYPE") or "")
        body = _read(environ["wsgi.input"], length)
        if _is_ssl_check(body):  # Slack checks the certificate with an unsigned form that asks for nothing
            return None
        self._verify(environ, body)
        digest = hashlib.sha256(environ["HTTP_X_SLACK_SIGNATURE"].encode()).hexdigest()
        environ[_SIGNATURE_DIGEST] = digest
        if not self._seen.first_time(digest):
            log.info("ignored a repeated request (same signature within %d minutes)", REPLAY_WINDOW_SECONDS // 60)
            return None
        return body, shape_of(body, environ.get("CONTENT_TYPE") or "")

    def _verify(self, environ: dict[str, Any], body: bytes) -> None:
        if not self._secret:
            raise _Refused("401 Unauthorized", "no signing secret is configured")
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not _TIMESTAMP.fullmatch(timestamp):
            raise _Refused("401 Unauthorized", "the timestamp header is missing or not a whole number")
        if abs(self._clock() - int(timestamp)) > 5 * 60:
            raise _Refused("401 Unauthorized", "the request is more than five minutes old (or ahead)")
        if not _SIGNATURE.fullmatch(signature):
            raise _Refused("401 Unauthorized", "the signature header is missing or malformed")
        # Slack's scheme (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`) on the raw bytes: nothing is decoded yet.
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise _Refused("401 Unauthorized", "the signature does not match the body")


def _length(header: str | None) -> int:
    if not header:
        raise _Refused("411 Length Required", "no Content-Length")
    if not (header.isascii() and header.isdigit()):
        raise _Refused("400 Bad Request", "Content-Length is not a number")
    length = int(header)
    if length > MAX_BODY_BYTES:
        raise _Refused("413 Content Too Large", f"a body of {length:,} bytes (at most {MAX_BODY_BYTES:,})")
    return length


def _check_type(content_type: str) -> None:
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() not in {_FORM, _JSON}:
        raise _Refused("415 Unsupported Media Type", "the body is neither a form nor JSON")
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", params, re.IGNORECASE)
    if charset and charset.group(1).lower() not in {"utf-8", "utf8"}:
        raise _Refused("415 Unsupported Media Type", "the body is not UTF-8")


def _read(stream: Any, length: int) -> bytes:
    chunks, left = [], length
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    body = b"".join(chunks)
    if len(body) != length:
        raise _Refused("400 Bad Request", "the body is shorter than its Content-Length")
    return body


def _is_ssl_check(body: bytes) -> bool:
    """Slack's certificate check: `ssl_check=1&token=…`, unsigned, to be answered 200 and nothing else."""
    if len(body) > 1024:
        return False
    try:
        form = parse_qs(body.decode("ascii"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return False
    return form.get("ssl_check") == ["1"] and set(form) <= {"ssl_check", "token"}


def shape_of(body: bytes, content_type: str) -> tuple[str, str | None]:
    """What the body is (its kind and workspace, as `bot.observe` counts requests) if it is a shape Slack sends;
    raises `_Refused` (400) otherwise. The body is parsed once, here."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused("400 Bad Request", "the body is not valid UTF-8") from None
    if content_type.split(";")[0].strip().lower() == _JSON:
        data = _json_object(text)
        if not isinstance(data.get("type"), str):
            raise _Refused("400 Bad Request", "a JSON body without a type")
        return _kind_of(data)
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=200)
    except ValueError:
        raise _Refused("400 Bad Request", "a form that doesn't parse") from None
    if "payload" in form:
        payload = _json_object(form["payload"][0])
        if not isinstance(payload.get("type"), str):
            raise _Refused("400 Bad Request", "an interaction payload without a type")
        return _kind_of(payload)
    if "command" not in form and "ssl_check" not in form:
        raise _Refused("400 Bad Request", "a form that is neither a command nor an interaction")
    return _kind_of({name: values[0] for name, values in form.items()})


def _kind_of(request: dict[str, Any]) -> tuple[str, str | None]:
    """What a checked request is (`command:save`, `event:message`, `block_actions`, …; `bot.observe` counts
    requests by it) and its workspace: from a JSON body, an interaction's payload, or a command's form."""
    if request.get("type") == "event_callback":
        event = request.get("event") if isinstance(request.get("event"), dict) else {}
        return f"event:{event.get('type')}"[:40], _team(request.get("team_id"))
    if "command" in request:
        words = str(request.get("text") or "").split(maxsplit=1)
        word = words[0].lower() if words else ""
        return f"command:{word if word in ROUTES else 'estimate'}", _team(request.get("team_id"))
    team = request.get("team_id") or (request.get("team") if isinstance(request.get("team"), dict) else {}).get("id")
    return str(request.get("type"))[:40], _team(team)


def _team(value: Any) -> str | None:
    return value[:32] if isinstance(value, str) and value.isalnum() else None


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise _Refused("400 Bad Request", "JSON that doesn't parse (or nests too deep)") from None
    if not isinstance(value, dict):
        raise _Refused("400 Bad Request", "JSON that is not an object")
    return value


def _answer(start_response: Callable[..., Any], status: str, text: str, *, allow: bool = False) -> list[bytes]:
    body = (text + "\n").encode() if text else b""
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, [*headers, ("Allow", "POST")] if allow else headers)
    return [body]
