"""What an operator watches: one log line per request from Slack, Prometheus metrics, and readiness.

Metrics live in costbot's own registry (`REGISTRY`, served at `GET /metrics`): requests by kind and outcome
(those the gate answers itself as kind `gate`) and the time costbot took to answer (measured at the gate,
`bot.gate`, from when the body has been read: waiting in waitress's queue before that isn't in it), digests
by outcome and whether they were a first try or a retry, the scheduler's pass duration and whether this
process runs and leads it, and acknowledged work carried out after a crash. No label ever holds a token, a
payload or a user's text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = [
    "ACK_SECONDS",
    "DIGESTS",
    "INSTALLS",
    "PASS_SECONDS",
    "REGISTRY",
    "REQUESTS",
    "SCHEDULER_LEADING",
    "SCHEDULER_RUNNING",
    "WORK_RECOVERED",
    "Readiness",
    "count_unverified",
    "observe_request",
]

log = logging.getLogger("costbot.requests")

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "costbot_requests", "Requests from Slack, by kind and outcome", ["kind", "outcome"], registry=REGISTRY
)
ACK_SECONDS = Histogram(
    "costbot_ack_seconds",
    "Seconds from a request's arrival to costbot's answer (Slack waits 3)",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
DIGESTS = Counter("costbot_digests", "Weekly digests, by outcome and try", ["outcome", "attempt"], registry=REGISTRY)
PASS_SECONDS = Histogram(
    "costbot_scheduler_pass_seconds",
    "Seconds the scheduler's minute pass took",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0),
    registry=REGISTRY,
)
SCHEDULER_RUNNING = Gauge(
    "costbot_scheduler_running", "1 while this process runs the digest scheduler", registry=REGISTRY
)
SCHEDULER_LEADING = Gauge(
    "costbot_scheduler_leading", "1 while this process's scheduler leads (its passes post)", registry=REGISTRY
)
WORK_RECOVERED = Counter(
    "costbot_work_recovered", "Acknowledged work taken over after a crash, by outcome", ["outcome"], registry=REGISTRY
)
INSTALLS = Counter(
    "costbot_installs",
    "Installs through Slack's OAuth flow (installed, or why one failed) and uninstalls",
    ["outcome"],
    registry=REGISTRY,
)


def _outcome(status: int) -> str:
    if status == 503:
        return "busy"
    if status >= 500:
        return "error"
    return "ok" if status < 400 else "refused"


def count_unverified(outcome: str) -> None:
    """A request the gate answered itself: `refused` (malformed, unsigned, stale, too large) or `repeated` (a
    replay, or Slack's certificate check)."""
    REQUESTS.labels(kind="gate", outcome=outcome).inc()


def observe_request(kind: str, workspace: str | None, status: int, seconds: float) -> None:
    """Count the request, time its answer, and log one line for it (logger `costbot.requests`)."""
    outcome = _outcome(status)
    REQUESTS.labels(kind=kind, outcome=outcome).inc()
    ACK_SECONDS.labels(kind=kind).observe(seconds)
    latency_ms = round(seconds * 1000, 2)
    fields = {"kind": kind, "workspace": workspace, "outcome": outcome, "status": status, "latency_ms": latency_ms}
    log.info(
        "request kind=%s workspace=%s outcome=%s status=%d latency_ms=%.2f",
        kind,
        workspace,
        outcome,
        status,
        seconds * 1000,
        extra=fields,
    )


@dataclass
class Readiness:
    """`GET /readyz`: whether this process can serve. Each check returns (fine, what it found)."""

    checks: dict[str, Callable[[], tuple[bool, str]]] = field(default_factory=dict)

    def __call__(self) -> tuple[bool, dict[str, str]]:
        found, ready = {}, True
        for name, check in self.checks.items():
            try:
                fine, what = check()
            except Exception as error:  # a check that breaks says so; it never takes /readyz down
                fine, what = False, f"check failed ({type(error).__name__})"
            found[name] = what
            ready = ready and fine
        return ready, found
