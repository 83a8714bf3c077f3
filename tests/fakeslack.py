"""A local stand-in for Slack: its Web API, response_url endpoints, file uploads and Socket Mode, on 127.0.0.1.

It records every call's body so tests can read what the bot sent, and answers like Slack does. It also builds
requests the way Slack sends them to an app: payloads of the right shape, signed with the signing secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_TOKEN = "xoxb-111-222-fakebottokenvalue"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
APP_TOKEN = "xapp-1-A111-333-fakeapptokenvalue"
TEAM = "T0TEAM1"
BOT_USER = "U0BOT"
#: The Slack app's OAuth credentials, for installs into many workspaces.
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "fakeclientsecret0123456789abcdef"
STATE_SECRET = "fake-state-secret-0123456789abcdef"


@dataclass
class Call:
    """One request the bot made: a Web API method, a response_url post or an upload."""

    kind: str  # api | response | upload
    name: str  # the method (chat.postMessage) or the path's last part
    body: dict[str, Any]
    headers: dict[str, str]
    raw: bytes = b""
    #: When it arrived (time.monotonic()), to check the pace the bot keeps between posts.
    at: float = field(default_factory=time.monotonic)

    @property
    def token(self) -> str:
        """The token it was made with (`Authorization: Bearer …`)."""
        return self.headers.get("Authorization", "").removeprefix("Bearer ")


_DROP = -1  # the status _handle returns for "close the connection, answer nothing"


@dataclass
class _Failure:
    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    #: Slack did the work, but the answer never arrived (a 5xx or a dropped connection after the post).
    after: bool = False
    #: The connection is closed with no answer (with `after`: once the work is done).
    drop: bool = False
    #: Seconds Slack takes before answering (the work is done first): past the client's timeout, its answer is
    #: lost as a dropped one is.
    delay: float = 0.0


@dataclass
class FakeSlack:
    """The fake: start() it, point the bot's SLACK_API_URL at `.api_url`, read `.calls`."""

    calls: list[Call] = field(default_factory=list)
    auth_error: str | None = None
    #: Users whose users.info says is_admin; channels whose conversations.info says is_private.
    admins: set[str] = field(default_factory=set)
    private_channels: set[str] = field(default_factory=set)
    #: Public channels the bot is not a member of (conversations.join makes it one, unless refused).
    outside_channels: set[str] = field(default_factory=set)
    #: Channels where posting fails with Slack's error (archived, bot removed): channel -> error code.
    broken_channels: dict[str, str] = field(default_factory=dict)
    #: Messages posted (chat.postMessage that succeeded), per channel, oldest first, as conversations.history
    #: returns them: ts, text, blocks, thread_ts and metadata.
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Seconds every Web API call takes (a slow day at Slack), after the work is done.
    latency: float = 0.0
    _failures: dict[str, list[_Failure]] = field(default_factory=dict)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    socket_url: str | None = None
    #: Bot tokens Slack accepts -> their workspace (team id, name). A rotated-away token is refused as expired.
    tokens: dict[str, tuple[str, str]] = field(default_factory=lambda: {BOT_TOKEN: (TEAM, "Fake Team")})
    expired_tokens: set[str] = field(default_factory=set)
    #: OAuth codes Slack would hand an installer's browser -> what exchanging each installs (`offer_install`).
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Refresh tokens of rotating installs -> (team, name, seconds each new token lasts).
    _refresh: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    _socket_server: Any = None
    _socket_connection: Any = None
    #: Web API calls being answered now, and the most there were at once (how many posts the bot makes at once).
    in_flight: int = 0
    most_in_flight: int = 0
    _generation: int = 0

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload, extra = fake._handle(self.path, raw, dict(self.headers.items()))
                if status == _DROP:  # the connection closes with no answer at all
                    self.close_connection = True
                    return
                data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(payload, bytes) else "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._socket_server is not None:
            self._socket_server.shutdown()

    # --- Socket Mode ------------------------------------------------------------------------------------
    def start_socket_mode(self) -> None:
        """Serve Socket Mode's WebSocket; `apps.connections.open` hands out its URL to the app token."""
        from websockets.sync.server import serve

        def session(connection: Any) -> None:
            with self._lock:
                self._socket_connection = connection
                self._lock.notify_all()
            connection.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}}))
            for message in connection:
                reply = json.loads(message)
                with self._lock:
                    self.calls.append(Call("socket", reply.get("envelope_id", ""), reply.get("payload") or {}, {}))
                    self._lock.notify_all()

        self._socket_server = serve(session, "127.0.0.1", 0)
        port = self._socket_server.socket.getsockname()[1]
        self.socket_url = f"ws://127.0.0.1:{port}/link/?ticket=fake"
        threading.Thread(target=self._socket_server.serve_forever, daemon=True).start()

    def send_envelope(self, kind: str, payload: dict[str, Any], *, envelope_id: str) -> Call:
        """Deliver a request to the connected app over Socket Mode and wait for its acknowledgement."""
        with self._lock:
            while self._socket_connection is None:
                if not self._lock.wait(10):
                    raise AssertionError("the app never connected over Socket Mode")
            connection = self._socket_connection
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        connection.send(json.dumps(envelope))
        calls = self.wait_for(lambda calls: any(c.kind == "socket" and c.name == envelope_id for c in calls))
        return next(c for c in calls if c.kind == "socket" and c.name == envelope_id)

    # --- addresses --------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response URL shaped as Slack's are (`…/commands/TEAM/ID/SECRET`): a short-lived credential."""
        return f"{self.base_url}/commands/{TEAM}/{name}/s3cretPart0f1t"

    # --- scripting failures -----------------------------------------------------------------------------
    def fail_next(self, method: str, *, error: str | None = None, status: int = 200,
                  retry_after: int | None = None, after: bool = False, drop: bool = False,
                  delay: float = 0.0) -> None:  # fmt: skip
        """The next call of `method` fails: with Slack's `{"ok": false, "error": …}`, an HTTP status, a dropped
        connection (`drop`), or an answer `delay` seconds late (then it answers normally).

        With `after`, the call takes effect (the message is posted) and then the failure is what comes back,
        as when Slack's answer is lost on the way.
        """
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(error, status, retry_after, after, drop, delay))

    # --- reading what was sent --------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()
            self.auth_error = None
            self.admins.clear()
            self.private_channels.clear()
            self.outside_channels.clear()
            self.broken_channels.clear()
            self.messages.clear()
            self.latency = 0.0
            self.in_flight = self.most_in_flight = 0
            self._generation += 1
            self.tokens = {BOT_TOKEN: (TEAM, "Fake Team")}
            self.expired_tokens.clear()
            self._codes.clear()
            self._refresh.clear()

    # --- installs (OAuth) --------------------------------------------------------------------------------
    def offer_install(self, code: str, *, team: str, name: str, token: str, expires_in: int | None = None) -> None:
        """An installer approved the app in workspace `team`: Slack redirects their browser with `code`, which
        `oauth.v2.access` exchanges (once) for `token`. With `expires_in`, the token rotates: it comes with a
        refresh token and lasts that many seconds."""
        with self._lock:
            self._codes[code] = {"team": team, "name": name, "token": token, "expires_in": expires_in}

    def token_calls(self, token: str, method: str | None = None) -> list[Call]:
        """Web API calls made with `token` (of `method`, if given)."""
        with self._lock:
            return [c for c in self.calls if c.kind == "api" and c.token == token and method in {None, c.name}]

    def _oauth(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        basic = headers.get("Authorization", "").removeprefix("Basic ")
        sent = base64.b64decode(basic).decode() if basic else f"{body.get('client_id')}:{body.get('client_secret')}"
        if sent != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            if body.get("grant_type") == "refresh_token":
                found = self._refresh.pop(str(body.get("refresh_token")), None)
                if found is None:
                    return {"ok": False, "error": "invalid_refresh_token"}
                team, name, lasts = found
                for old in [t for t, (owner, _) in self.tokens.items() if owner == team]:
                    del self.tokens[old]
                    self.expired_tokens.add(old)
                token = f"xoxe.xoxb-1-{team}-{next(self._ts)}"
                return {"ok": True, "token_type": "bot", "team": {"id": team, "name": name},
                        **self._grant(team, name, token, lasts)}  # fmt: skip
            offer = self._codes.pop(str(body.get("code")), None)
            if offer is None:
                return {"ok": False, "error": "invalid_code"}
            team, name = offer["team"], offer["name"]
            return {
                "ok": True, "app_id": "A0APP", "authed_user": {"id": "U0INSTALLER"}, "token_type": "bot",
                "scope": "commands,chat:write", "bot_user_id": f"U0BOT{team}",
                "team": {"id": team, "name": name}, "enterprise": None, "is_enterprise_install": False,
                **self._grant(team, name, offer["token"], offer["expires_in"]),
            }  # fmt: skip

    def _grant(self, team: str, name: str, token: str, lasts: int | None) -> dict[str, Any]:
        self.tokens[token] = (team, name)
        if lasts is None:
            return {"access_token": token}
        refresh = f"xoxe-1-refresh-{team}-{next(self._ts)}"
        self._refresh[refresh] = (team, name, lasts)
        return {"access_token": token, "refresh_token": refresh, "expires_in": lasts}

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages that reached a channel (top level and in threads), oldest first."""
        with self._lock:
            if channel is not None:
                return list(self.messages.get(channel, []))
            return [m for messages in self.messages.values() for m in messages]

    def api_calls(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.kind == "api" and c.name == method]

    def responses(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.kind == "response"]

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0) -> list[Call]:
        """Block until `predicate(calls)` holds (the bot works in threads after acknowledging)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.calls):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"Slack never saw the expected calls; it saw {[c.name for c in self.calls]}")
                self._lock.wait(remaining)
            return list(self.calls)

    def wait_for_api(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        self.wait_for(lambda calls: sum(c.kind == "api" and c.name == method for c in calls) >= count, timeout)
        return self.api_calls(method)

    def wait_for_responses(self, count: int = 1, timeout: float = 10.0) -> list[Call]:
        self.wait_for(lambda calls: sum(c.kind == "response" for c in calls) >= count, timeout)
        return self.responses()

    # --- the server side --------------------------------------------------------------------------------
    def _handle(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            generation = self._generation  # a call still answering an earlier test is not counted in this one's
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self._handle_one(path, raw, headers)
        finally:
            with self._lock:
                if generation == self._generation:
                    self.in_flight -= 1

    def _handle_one(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        kind, _, name = path.lstrip("/").partition("/")
        if kind in {"commands", "actions"}:  # a response URL: …/commands/TEAM/NAME/SECRET
            kind, name = "response", [*name.split("/"), ""][1]
        # An upload's body is the file itself (read it from `Call.raw`).
        body = {"size": len(raw)} if kind == "upload" else _decode(raw, headers.get("Content-Type", ""))
        with self._lock:
            self.calls.append(Call(kind, name, body, headers, raw))
            self._lock.notify_all()
            failures = self._failures.get(name) or []
            failure = failures.pop(0) if failures else None
        if kind == "response":  # a response_url; Slack's expire after 30 minutes or 5 uses
            if failure is not None and failure.status != 200:  # fail_next(NAME, status=500): that URL fails once
                return failure.status, b"internal_error", {}
            return (404, b"expired_url", {}) if name.startswith("expired") else (200, b"ok", {})
        if kind == "upload":
            return 200, b"ok", {}
        slow = failure.delay if failure is not None else self.latency
        if slow:  # the work done, then the answer late
            answer = self._answer(name, body, headers)
            time.sleep(slow)
            return 200, answer, {}
        if failure is not None and failure.after:
            self._answer(name, body, headers)
        if failure is not None and failure.drop:
            return _DROP, b"", {}
        if failure is not None:
            extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            if failure.status != 200:
                return (
                    failure.status,
                    {"ok": False, "error": "ratelimited" if failure.status == 429 else "fatal"},
                    extra,
                )
            return 200, {"ok": False, "error": failure.error}, extra
        return 200, self._answer(name, body, headers), {}

    def _answer(self, method: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if method == "apps.connections.open":
            if token != APP_TOKEN or self.socket_url is None:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.socket_url}
        if method == "oauth.v2.access":
            return self._oauth(body, headers)
        if token in self.expired_tokens:
            return {"ok": False, "error": "token_expired"}
        if token not in self.tokens:
            return {"ok": False, "error": "invalid_auth"}
        team, team_name = self.tokens[token]
        if method == "auth.test":
            if self.auth_error:
                return {"ok": False, "error": self.auth_error}
            user = BOT_USER if team == TEAM else f"U0BOT{team}"
            return {"ok": True, "url": "https://fake.slack.com/", "team": team_name, "user": "costbot",
                    "team_id": team, "user_id": user, "bot_id": f"B0BOT{team}"}  # fmt: skip
        channel = str(body.get("channel") or body.get("channel_id") or "")
        if channel in self.broken_channels and method in {
            "chat.postMessage",
            "conversations.history",
            "conversations.replies",
            "files.completeUploadExternal",
            "chat.getPermalink",
        }:
            return {"ok": False, "error": self.broken_channels[channel]}
        if method == "chat.postMessage":
            ts = f"{int(time.time())}.{next(self._ts):06d}"  # as Slack's: the posting time, unique per channel
            message = {"ts": ts, "text": body.get("text"), "blocks": body.get("blocks"),
                       "thread_ts": body.get("thread_ts"), "metadata": body.get("metadata")}  # fmt: skip
            with self._lock:
                self.messages.setdefault(channel, []).append(message)
                self._lock.notify_all()
            return {"ok": True, "channel": channel, "ts": ts, "message": body}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": body.get("ts"), "message": body}
        if method == "conversations.replies":
            parent = str(body.get("ts"))
            with self._lock:
                thread = [m for m in self.messages.get(channel, []) if m["ts"] == parent or m["thread_ts"] == parent]
            return {"ok": True, "messages": [{"type": "message", **m} for m in thread], "has_more": False}
        if method == "conversations.history":
            oldest = float(body.get("oldest") or 0)
            with_metadata = str(body.get("include_all_metadata", "")).lower() in {"1", "true"}
            with self._lock:
                found = [m for m in self.messages.get(channel, []) if not m["thread_ts"] and float(m["ts"]) > oldest]
            found = [{"type": "message", **{k: v for k, v in m.items() if with_metadata or k != "metadata"}}
                     for m in reversed(found)]  # fmt: skip
            return {"ok": True, "messages": found[: int(body.get("limit") or 100)], "has_more": False}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0VIEW", **(body.get("view") or {})}}
        if method == "users.info":
            user = body.get("user")
            return {"ok": True, "user": {"id": user, "tz": "Europe/Berlin", "is_admin": user in self.admins}}
        if method == "chat.getPermalink":
            ts = str(body.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": body.get("channel"),
                    "permalink": f"https://fake.slack.com/archives/{body.get('channel')}/p{ts}"}  # fmt: skip
        if method == "conversations.info":
            channel = str(body.get("channel", ""))
            return {"ok": True, "channel": {"id": channel, "is_private": channel in self.private_channels,
                                            "is_im": channel.startswith("D"), "is_mpim": False,
                                            "is_member": channel not in self.outside_channels}}  # fmt: skip
        if method == "conversations.join":
            with self._lock:
                self.outside_channels.discard(str(body.get("channel", "")))
            return {"ok": True, "channel": {"id": body.get("channel")}}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME", **(body.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base_url}/upload/F0FILE", "file_id": "F0FILE"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F0FILE"}]}
        return {"ok": False, "error": "unknown_method"}


def _decode(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    if "x-www-form-urlencoded" in content_type:
        body: dict[str, Any] = dict(urllib.parse.parse_qsl(raw.decode()))
        for key in ("blocks", "view", "attachments"):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        return body
    return {"raw": raw.decode(errors="replace")}


# --- requests as Slack sends them ----------------------------------------------------------------------


def sign(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack adds: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


_TRIGGERS = itertools.count(1)


def new_trigger_id() -> str:
    """A fresh trigger id: Slack gives each command and interaction its own, so no two requests are alike."""
    return f"1337.{next(_TRIGGERS)}.abcd"


def command_body(text: str, *, response_url: str, user: str = "U0ALICE", channel: str = "C0GENERAL",
                 team: str = TEAM, trigger_id: str | None = None) -> bytes:  # fmt: skip
    """A `/cost` slash command, form-encoded as Slack posts it."""
    trigger_id = trigger_id or new_trigger_id()
    return urllib.parse.urlencode({
        "token": "deprecated-verification-token", "team_id": team, "team_domain": "fake",
        "channel_id": channel, "channel_name": "general", "user_id": user, "user_name": "alice",
        "command": "/cost", "text": text, "api_app_id": "A0APP", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": trigger_id,
    }).encode()  # fmt: skip


def interaction_body(payload: dict[str, Any]) -> bytes:
    """An interactivity request (button, modal submission): `payload=<json>`, form-encoded."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def button_payload(action_id: str, value: str, *, response_url: str, ephemeral: bool = True,
                   user: str = "U0ALICE", channel: str = "C0GENERAL", team: str = TEAM) -> dict[str, Any]:  # fmt: skip
    """A `block_actions` payload for a button on a message from /cost (ephemeral) or in the channel."""
    container = {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel,
                 "is_ephemeral": ephemeral}  # fmt: skip
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "username": "alice", "team_id": team},
        "api_app_id": "A0APP", "token": "deprecated", "container": container, "trigger_id": new_trigger_id(),
        "team": {"id": team, "domain": "fake"}, "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "estimate_actions", "type": "button", "value": value,
                     "action_ts": "1700000001.000001"}],
    }  # fmt: skip
    if not ephemeral:
        payload["message"] = {"type": "message", "ts": "1700000000.000001", "text": "…"}
    return payload


def view_submission_payload(view: dict[str, Any], values: dict[str, Any], *, user: str = "U0ALICE",
                            team: str = TEAM) -> dict[str, Any]:  # fmt: skip
    """A `view_submission` payload for a modal that was opened with `view` and filled with `values`."""
    return {
        "type": "view_submission", "team": {"id": team, "domain": "fake"}, "trigger_id": new_trigger_id(),
        "user": {"id": user, "username": "alice", "team_id": team}, "api_app_id": "A0APP",
        "view": {**view, "id": "V0VIEW", "team_id": team, "state": {"values": values}},
    }  # fmt: skip


def event_body(event: dict[str, Any], *, event_id: str = "Ev0001", team: str = TEAM) -> bytes:
    """An Events API `event_callback`, as JSON."""
    return json.dumps({
        "token": "deprecated", "team_id": team, "api_app_id": "A0APP", "event": event, "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
    }).encode()  # fmt: skip


def message_event(text: str, *, ts: str, thread_ts: str | None = None, user: str = "U0BOB",
                  channel: str = "C0GENERAL", **extra: Any) -> dict[str, Any]:  # fmt: skip
    """A `message` event as a channel message or (with `thread_ts`) a reply in a thread."""
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
             "channel_type": "channel", "event_ts": ts, **extra}  # fmt: skip
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def shortcut_payload(text: str, *, response_url: str, user: str = "U0ALICE", channel: str = "C0GENERAL",
                     team: str = TEAM, callback_id: str = "estimate_cost") -> dict[str, Any]:  # fmt: skip
    """A message shortcut (`message_action`) on a message saying `text`."""
    return {
        "type": "message_action", "callback_id": callback_id, "trigger_id": new_trigger_id(),
        "team": {"id": team, "domain": "fake"}, "user": {"id": user, "name": "alice", "team_id": team},
        "channel": {"id": channel, "name": "general"}, "response_url": response_url, "token": "deprecated",
        "message_ts": "1700000000.000009", "api_app_id": "A0APP",
        "message": {"type": "message", "user": "U0BOB", "ts": "1700000000.000009", "text": text},
    }  # fmt: skip


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST to the app (status and body; a 4xx/5xx is returned, not raised)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
