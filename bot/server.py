"""Serving the app: HTTP on waitress (a production WSGI server, many requests at once) or Socket Mode."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.gate import MAX_BODY_BYTES, SlackGate
from bot.observe import REGISTRY, Readiness

__all__ = ["EVENTS_PATH", "http_server", "serve_http", "serve_socket", "wsgi_app"]

EVENTS_PATH = "/slack/events"

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, *, signing_secret: str, ready: Readiness | None = None) -> WsgiApp:
    """`POST /slack/events` for commands, events and interactivity, behind `bot.gate.SlackGate`; for operators,
    `GET /healthz` (the process answers), `GET /readyz` (it can serve: `ready`'s checks, as JSON; 503 when one
    fails) and `GET /metrics` (Prometheus); with installs (`bot.installs`), `GET /slack/install` and `GET
    /slack/oauth_redirect`, the pages of Slack's OAuth flow (a person's browser, not Slack, asks for them: no
    signature to check)."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    slack = SlackGate(bolt, signing_secret=signing_secret, path=EVENTS_PATH)
    ready = ready or Readiness()
    flow = app.oauth_flow
    pages = {flow.install_path, flow.redirect_uri_path} if flow is not None else set()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in {"GET", "HEAD"}:
            path = environ.get("PATH_INFO")
            if path == "/healthz":
                return _send(start_response, "200 OK", b"ok\n", "text/plain; charset=utf-8")
            if path == "/readyz":
                fine, found = ready()
                body = (json.dumps({"ready": fine, **found}) + "\n").encode()
                return _send(start_response, "200 OK" if fine else "503 Service Unavailable", body, "application/json")
            if path == "/metrics":
                return _send(start_response, "200 OK", generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
            if path in pages and environ["REQUEST_METHOD"] == "GET":
                return bolt(environ, start_response)
        return slack(environ, start_response)

    return application


def _send(start_response: Callable[..., Any], status: str, body: bytes, content_type: str) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def http_server(
    app: App, *, signing_secret: str, host: str, port: int, threads: int, ready: Readiness | None = None
) -> Any:
    """A waitress server for the app, bound and ready to `.run()`; `.effective_port` tells the port."""
    from waitress import create_server  # type: ignore[import-untyped]

    # waitress reads a whole body before the app sees it: its own limit refuses a larger one (413) unread.
    return create_server(
        wsgi_app(app, signing_secret=signing_secret, ready=ready),
        host=host,
        port=port,
        threads=threads,
        ident="costbot",
        max_request_body_size=MAX_BODY_BYTES,
    )


def _stop_on_sigterm() -> None:
    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def serve_http(server: Any) -> None:
    """Run a server from `http_server` until SIGTERM or Ctrl-C."""
    _stop_on_sigterm()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        log.info("costbot stopped")


def serve_socket(app: App, *, app_token: str) -> None:
    """Connect to Slack over Socket Mode (no public URL needed) and serve until SIGTERM or Ctrl-C."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    _stop_on_sigterm()
    try:
        handler.start()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        log.info("costbot stopped")
