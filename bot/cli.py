"""The `costbot` command: `cost "TEXT"`, `prices [FILTER]`, `serve`, `scheduler`, `digest run`, `db upgrade|current`.

Exit status: 0 on success, 2 on bad input or configuration (the message on stderr, never a traceback), 1 when
`digest run` could not post a digest that was due.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Version(argparse.Action):
    """`--version`, reading the installed metadata only when asked (it costs start-up time otherwise)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"costbot {version('costbot')}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
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
    cost.add_argument("--at", metavar="ISO8601", type=_moment,
                      help="price as of this moment, e.g. 2026-12-12T09:00Z (time-of-day rates, shutdowns); now "
                           "by default")  # fmt: skip

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
    prices.add_argument("--against", metavar="FILE_OR_URL",
                        help="for `prices check`: a LiteLLM-format price file or its http(s) URL "
                             "(default: LiteLLM's on GitHub)")  # fmt: skip

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
    serve.add_argument("--no-scheduler", action="store_true",
                       help="don't post weekly digests from this process (run `costbot scheduler` or a cron "
                            "`costbot digest run` instead)")  # fmt: skip

    commands.add_parser(
        "scheduler",
        help="post the weekly digests, as a process of its own (when serve runs with --no-scheduler)",
        description="Post every channel's weekly digest on time, and once: digests missed while costbot was down "
        "(less than a day late) go out at start, failed posts are retried. Settings: SLACK_BOT_TOKEN, "
        "SLACK_API_URL, DATABASE_URL. Several schedulers (or serve processes) can run at once.",
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
    digest_run.add_argument("--quiet", action="store_true",
                            help="print only what failed (cron mails output: silence means all went out)")  # fmt: skip
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


def _fail(*messages: str) -> int:
    """Say what is wrong, one line per problem, and return the bad-input status."""
    for message in messages:
        print(f"costbot: {message}", file=sys.stderr)
    return EXIT_USAGE


def _console():  # rich is imported only when a table is printed: --json stays fast
    from rich.console import Console

    return Console(highlight=False)


def _cost(text: str, as_json: bool, at=None) -> int:  # type: ignore[no-untyped-def]
    from costing import CatalogError, EstimateError, estimate, not_an_estimate, subcommand_of

    try:
        command = subcommand_of(text)
        if command is not None:
            # The router's table says what a subcommand is; the terminal answers those that need no workspace.
            from bot.router import route_of

            route = route_of(command)
            if route is None or route.in_workspace:
                raise not_an_estimate(command)
            return TERMINAL_ANSWERS[command.name](command.args, as_json)
        result = estimate(text, at=at)
    except EstimateError as exc:
        return _fail(str(exc))
    except CatalogError as exc:
        return _fail(f"{PRICES_ENV}: {exc}")
    if as_json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        from bot.terminal import print_estimate

        print_estimate(result, _console())
    return EXIT_OK


def _help(args: str, as_json: bool) -> int:
    from bot.terminal import print_help

    print_help(_console())
    return EXIT_OK


def _prices(text: str, as_json: bool) -> int:
    from costing import CatalogError, list_prices

    try:
        listing = list_prices(text)
    except CatalogError as exc:
        return _fail(f"{PRICES_ENV}: {exc}")
    if as_json:
        rows = [
            {**{k: getattr(r, k) for k in r.__slots__}, "checked": r.checked.isoformat() if r.checked else None}
            for r in listing.rows
        ]
        print(json.dumps(rows, ensure_ascii=False))
    else:
        from bot.terminal import print_prices

        print_prices(listing, _console())
    return EXIT_OK


#: How the terminal answers the router's subcommands that need no workspace (`costbot cost help`, `… prices veo`).
TERMINAL_ANSWERS: dict[str, Callable[[str, bool], int]] = {"help": _help, "prices": _prices}

#: LiteLLM's price file, the default for `costbot prices check`.
LITELLM_PRICES_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"


def _prices_check(against: str | None, as_json: bool) -> int:
    from datetime import UTC, datetime

    from bot.price_files import PriceFileUnreadable, read_price_source, source_shown
    from costing import CatalogError, PriceFileError, check_catalog, current_catalog, read_price_file

    source = against or LITELLM_PRICES_URL
    try:
        models = read_price_file(read_price_source(source))
        catalog = current_catalog()
    except (PriceFileUnreadable, PriceFileError) as error:
        return _fail(f"{source_shown(source)}: {error}")
    except CatalogError as error:
        return _fail(f"{PRICES_ENV}: {error}")
    findings = check_catalog(catalog, models, today=datetime.now(UTC).date())
    if as_json:
        print(json.dumps([{"kind": str(f.kind), "model": f.model, "detail": f.detail} for f in findings]))
    else:
        for finding in findings:
            print(f"{finding.kind}: {finding.model}: {finding.detail}")
        counts = ", ".join(f"{sum(f.kind == k for f in findings)} {k}" for k in dict.fromkeys(f.kind for f in findings))
        _say(f"{len(findings)} finding(s) against {len(models):,} models in the file ({counts})" if findings
             else f"the catalog agrees with the file's {len(models):,} models")  # fmt: skip
    return EXIT_FAILED if findings else EXIT_OK


def _open_database(url: str):  # type: ignore[no-untyped-def]
    """The database at `url`, migrated to this version's schema.

    Raises:
        ConfigError: The URL is unusable or the database unreachable (one line, password masked).
    """
    from bot.config import ConfigError
    from storage import Database, DatabaseError, upgrade

    try:
        db = Database(url)
        upgrade(db)
    except DatabaseError as error:
        raise ConfigError([str(error)]) from None
    return db


def _db(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, load_settings
    from storage import Database, DatabaseError, current_revision, head_revision, safe_url

    try:
        settings = load_settings(mode="database")
        if args.db_command == "upgrade":
            db = _open_database(settings.database_url)
            _say(f"{safe_url(db.url)} is at schema revision {current_revision(db)} (up to date)")
            return EXIT_OK
        db = Database(settings.database_url)
        current = current_revision(db)
    except ConfigError as error:
        return _fail(*error.problems)
    except DatabaseError as error:
        return _fail(str(error))
    head = head_revision()
    state = "up to date" if current == head else "`costbot db upgrade` brings it up to date"
    print(f"{safe_url(db.url)}: revision {current or 'none (empty)'}; this costbot needs {head}: {state}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from bot.app import check_token, create_app, web_client
    from bot.config import ConfigError, load_settings
    from bot.logs import configure_logging
    from bot.server import http_server, serve_http, serve_socket
    from costing import CatalogError, current_catalog

    try:
        settings = load_settings(mode="socket" if args.socket else "http")
        current_catalog()  # a broken price book stops us here, not at the first /cost
        configure_logging(settings.costbot_log_level, secrets=settings.secret_values())
        db = _open_database(settings.database_url)
        client = web_client(settings)
        identity = check_token(client)
    except ConfigError as error:
        return _fail(*error.problems)
    except CatalogError as error:
        return _fail(f"{PRICES_ENV}: {error}")
    _start_price_updates(settings.costbot_price_updates)
    scheduler = None if args.no_scheduler else _digest_scheduler(db, client, identity)
    pace = scheduler.poster.pace if scheduler is not None else None
    app = create_app(settings, db=db, client=client, bot_user_id=identity.get("user_id"), digest_pace=pace)
    if scheduler is not None:
        scheduler.start()
    signed_in = f"signed in to {identity.get('team', 'Slack')} as {identity.get('user', 'the bot')}"
    if args.socket:
        _say(f"{signed_in}; connecting to Slack in Socket Mode")
        try:
            serve_socket(app, app_token=settings.app_token)
        finally:
            if scheduler is not None:
                scheduler.shutdown()
        return EXIT_OK
    try:
        server = http_server(app, host=args.host, port=args.port, threads=args.threads)
    except OSError as error:
        if scheduler is not None:
            scheduler.shutdown()
        return _fail(f"can't listen on {args.host}:{args.port}: {error.strerror or error}")
    # Said whatever the log level: where the app listens is what an operator needs first.
    _say(f"{signed_in}; serving Slack at http://{server.effective_host}:{server.effective_port}/slack/events "
         f"({args.threads} threads); GET /healthz for health checks"
         + ("" if scheduler is None else "; posting weekly digests"))  # fmt: skip
    try:
        serve_http(server)
    finally:
        if scheduler is not None:
            scheduler.shutdown()
    return EXIT_OK


def _digest_scheduler(db, client, identity):  # type: ignore[no-untyped-def]
    from bot.digests import DigestPoster
    from bot.scheduler import DigestScheduler

    return DigestScheduler(DigestPoster(db=db, client=client, team_id=str(identity.get("team_id"))))


def _connect():  # type: ignore[no-untyped-def]
    """Settings, logging, the migrated database, a Web API client and who the token is, as the digest commands
    need them; or, when something is missing or broken, the exit status after saying what (like `serve`)."""
    from bot.app import check_token, web_client
    from bot.config import ConfigError, load_settings
    from bot.logs import configure_logging
    from costing import CatalogError, current_catalog

    try:
        settings = load_settings(mode="client")
        current_catalog()
        configure_logging(settings.costbot_log_level, secrets=settings.secret_values())
        db = _open_database(settings.database_url)
        client = web_client(settings)
        return db, client, check_token(client), settings
    except ConfigError as error:
        return _fail(*error.problems)
    except CatalogError as error:
        return _fail(f"{PRICES_ENV}: {error}")


def _scheduler() -> int:
    import signal
    import threading

    connected = _connect()
    if isinstance(connected, int):
        return connected
    db, client, identity, settings = connected
    _start_price_updates(settings.costbot_price_updates)
    scheduler = _digest_scheduler(db, client, identity)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.start()
    _say(f"signed in to {identity.get('team', 'Slack')}; posting weekly digests (Ctrl-C or SIGTERM stops)")
    stop.wait()
    scheduler.shutdown()
    _say("scheduler stopped")
    return EXIT_OK


def _digest(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from bot.digests import DigestPoster
    from bot.scheduler import run_due_digests, schedule_of
    from costing import next_due
    from storage import active_subscriptions

    connected = _connect()
    if isinstance(connected, int):
        return connected
    db, client, identity, _ = connected
    now = args.now or datetime.now(UTC)
    if now > datetime.now(UTC) + timedelta(minutes=1):
        # A pass claims the week it posts: acting in a future week would keep that week's real digest back.
        return _fail(f"--now {args.now.isoformat()} is in the future; it replays a time that has passed")
    poster = DigestPoster(db=db, client=client, team_id=str(identity.get("team_id")))
    outcomes = run_due_digests(poster, now=now, channel_id=args.channel)
    for outcome in outcomes:
        if args.quiet and outcome.status != "failed":
            continue
        where = outcome.permalink or ""
        week = f" {outcome.run.week}" if outcome.run is not None and outcome.run.week else ""
        print(f"{outcome.channel_id}{week}: {outcome.status}: {outcome.detail} {where}".rstrip())
    if not outcomes and not args.quiet:
        with db.session(write=False) as session:
            subscriptions = active_subscriptions(session=session, team_id=poster.team_id, channel_id=args.channel)
        if not subscriptions:
            which = f"channel {args.channel}" if args.channel else "any channel"
            print(f"no weekly digest is set up for {which}; /cost digest on sets one up in Slack")
        else:
            upcoming = min((next_due(schedule_of(s), now), s.channel_id) for s in subscriptions)
            print(f"nothing due at {now:%Y-%m-%d %H:%M %Z}; next: {upcoming[1]} at {upcoming[0]:%a %d %b %H:%M %Z}")
    return EXIT_FAILED if any(o.status == "failed" for o in outcomes) else EXIT_OK


def _start_price_updates(setting: str) -> None:
    from bot.price_updates import start_price_updates

    started = start_price_updates(setting)
    if started is not None:
        _say(started)


def _say(message: str) -> None:
    print(f"costbot: {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `costbot` console script."""
    args = _parser().parse_args(argv)
    _configure_costing()
    if args.command == "cost":
        return _cost(" ".join(args.text), args.json, args.at)
    if args.command == "prices":
        if args.filter[:1] == ["check"]:
            if len(args.filter) > 1:
                return _fail("`prices check` takes no filter; give the file with --against FILE_OR_URL")
            return _prices_check(args.against, args.json)
        if args.against is not None:
            return _fail("--against goes with `prices check`")
        return _prices(" ".join(args.filter), args.json)
    if args.command == "serve":
        return _serve(args)
    if args.command == "db":
        return _db(args)
    if args.command == "scheduler":
        return _scheduler()
    if args.command == "digest":
        return _digest(args)
    raise AssertionError(f"unhandled command {args.command}")  # argparse rejects unknown commands first


def _configure_costing() -> None:
    """What costing is handed from the environment, for every command (costing never reads it itself): the
    operator's price book, and where parsed data files are cached."""
    import os
    from pathlib import Path

    from costing import use_cache_dir, use_price_book

    use_price_book(os.environ.get(PRICES_ENV))
    cache = os.environ.get(CACHE_ENV)
    if not cache and sys.platform == "linux":  # the XDG rule platformdirs applies, without importing it each start
        cache = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "costbot")
    elif not cache:
        from platformdirs import user_cache_dir

        cache = user_cache_dir("costbot", appauthor=False)
    use_cache_dir(cache)


#: The setting that names the operator's price book, a YAML or JSON file of their own prices.
PRICES_ENV = "COSTBOT_PRICES"
#: The setting that says where parsed data files are cached (an unwritable one only costs a slower start).
CACHE_ENV = "COSTBOT_CACHE_DIR"


def run() -> None:
    """Console-script wrapper: exit with `main`'s status."""
    sys.exit(main())


if __name__ == "__main__":
    run()
