"""The `costbot` command line: its commands, options and their help."""

from __future__ import annotations

import argparse

__all__ = ["command_line"]


class _Version(argparse.Action):
    """`--version`, reading the installed metadata only when asked (it costs start-up time otherwise)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"costbot {version('costbot')}")
        parser.exit()


def command_line() -> argparse.ArgumentParser:
    """Every command and option, with the help `costbot --help` and `costbot COMMAND --help` print."""
    parser = argparse.ArgumentParser(
        prog="costbot",
        description="What will this AI feature cost at scale, and is it worth it?",
        epilog='Example: costbot cost "video 10s x 1M users"   ·   costbot cost help',
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    cost = commands.add_parser(
        "cost",
        help='estimate a workload, e.g. costbot cost "video 10s x 1M users"',
        description="Estimate a workload in the /cost language. 'costbot cost help' explains it.",
    )
    cost.add_argument("text", nargs="+", metavar="TEXT", help='the estimate, e.g. "video 10s x 1M users"')
    cost.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    cost.add_argument(
        "--at",
        metavar="ISO8601",
        type=_moment,
        help="price as of this moment, e.g. 2026-12-12T09:00Z (time-of-day rates, shutdowns); now by default",
    )

    prices = commands.add_parser(
        "prices",
        help="list known prices with sources and dates; `prices check` holds them against LiteLLM's price file",
        description="List what costbot knows, with sources and dates. `costbot prices check [--against FILE_OR_URL]` "
        "compares the catalog with a LiteLLM-format price file (model_prices_and_context_window.json; LiteLLM's own "
        "by default) and lists prices that differ by more than 5%%, entries checked more than 90 days ago, models "
        "the file says are shut down, and video, image and audio models the catalog lacks; exit 1 when it finds any.",
    )
    prices.add_argument("filter", nargs="*", metavar="FILTER", help="a model, provider or kind, e.g. veo; or: check")
    prices.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    prices.add_argument(
        "--against",
        metavar="FILE_OR_URL",
        help="for `prices check`: a LiteLLM-format price file or its http(s) URL (default: LiteLLM's on GitHub)",
    )

    serve = commands.add_parser(
        "serve",
        help="answer Slack: /cost, buttons and mentions, over HTTP or Socket Mode",
        description="Serve Slack's slash commands, events and interactivity at POST /slack/events (GET /healthz "
        "answers 200), or connect over Socket Mode with --socket. Settings come from the environment or .env: "
        "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP), SLACK_APP_TOKEN (Socket Mode), SLACK_API_URL, DATABASE_URL "
        "(saved scenarios; the schema is brought up to date first).",
    )
    serve.add_argument("--port", type=_port, default=3000, help="HTTP port (default 3000; 0 picks a free one)")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--threads", type=_threads, default=8, help="requests handled at once (default 8)")
    serve.add_argument("--socket", action="store_true", help="use Socket Mode instead of HTTP (needs SLACK_APP_TOKEN)")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="don't post weekly digests from this process (run `costbot scheduler` or a cron "
        "`costbot digest run` instead)",
    )

    scheduler = commands.add_parser(
        "scheduler",
        help="post the weekly digests, as a process of its own (when serve runs with --no-scheduler)",
        description="Post every channel's weekly digest on time, and once: digests missed while costbot was down "
        "(less than a day late) go out at start, failed posts are retried. Settings: SLACK_BOT_TOKEN (one "
        "workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (every workspace installed), "
        "SLACK_API_URL, DATABASE_URL. Several schedulers (or serve processes) can run at once: one leads.",
    )
    scheduler.add_argument(
        "--metrics-port",
        type=_port,
        metavar="PORT",
        help="serve Prometheus metrics (leading or standing by, pass duration, digests) on this port; 0 picks one",
    )
    scheduler.add_argument(
        "--metrics-host", default="0.0.0.0", metavar="HOST", help="address for --metrics-port (default 0.0.0.0)"
    )
    digest = commands.add_parser(
        "digest",
        help="weekly digests: `digest run` posts the ones due now, for an external cron",
        description="Weekly spend-versus-value digests, set up in Slack with /cost digest on.",
    )
    digest_commands = digest.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    digest_run = digest_commands.add_parser(
        "run",
        help="post every digest due now (or that channel's) once, and retry failed ones",
        description="One pass of the scheduler: post every digest whose time passed less than a day ago and that "
        "isn't posted yet, then retry failed posts. Safe to run from cron every few minutes and beside running "
        "schedulers: each digest is posted once.",
    )
    digest_run.add_argument("--channel", metavar="C", help="only this channel's digest (a channel id, C…)")
    digest_run.add_argument(
        "--quiet", action="store_true", help="print only what failed (cron mails output: silence means all went out)"
    )
    digest_run.add_argument(
        "--now",
        metavar="ISO8601",
        type=_moment,
        help="act as if it were this time, e.g. 2026-11-30T09:05+01:00 (UTC if no offset)",
    )

    db = commands.add_parser(
        "db",
        help="the database: upgrade its schema, or say which revision it is at",
        description="Saved scenarios live in the database at DATABASE_URL (default: costbot.db here; "
        "postgresql+psycopg://user@host/db for PostgreSQL). `costbot serve` upgrades it at start-up as well.",
    )
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply every schema migration not applied yet")
    db_commands.add_parser("current", help="print the database's schema revision and the one this costbot needs")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0-65535)")
    return int(text)


def _moment(text: str):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO 8601 time, e.g. 2026-11-30T09:05+01:00") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _threads(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 256:
        raise argparse.ArgumentTypeError(f"'{text}' is not a thread count (1-256)")
    return int(text)
