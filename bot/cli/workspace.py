"""The commands that work with Slack and the database: `serve`, `scheduler`, `digest run`, `db upgrade|current`."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.cli.say import EXIT_FAILED, EXIT_OK, PRICES_ENV, fail, say

__all__ = ["db", "digest", "scheduler", "serve"]


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


def db(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, load_settings
    from storage import Database, DatabaseError, current_revision, head_revision, safe_url

    try:
        settings = load_settings(mode="database")
        if args.db_command == "upgrade":
            db = _open_database(settings.database_url)
            say(f"{safe_url(db.url)} is at schema revision {current_revision(db)} (up to date)")
            return EXIT_OK
        db = Database(settings.database_url)
        current = current_revision(db)
    except ConfigError as error:
        return fail(*error.problems)
    except DatabaseError as error:
        return fail(str(error))
    head = head_revision()
    state = "up to date" if current == head else "`costbot db upgrade` brings it up to date"
    print(f"{safe_url(db.url)}: revision {current or 'none (empty)'}; this costbot needs {head}: {state}")
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    from bot.app import check_token, create_app, web_client
    from bot.config import ConfigError, load_settings
    from bot.logs import configure_logging
    from bot.recovery import WorkRecovery
    from bot.server import http_server, serve_http, serve_socket
    from bot.work import Outbox
    from costing import CatalogError, current_catalog

    try:
        settings = load_settings(mode="socket" if args.socket else "http")
        current_catalog()  # a broken price book stops us here, not at the first /cost
        configure_logging(
            settings.costbot_log_level, secrets=settings.secret_values(), form=settings.costbot_log_format
        )
        db = _open_database(settings.database_url)
        client = web_client(settings)
        identity = check_token(client)
    except ConfigError as error:
        return fail(*error.problems)
    except CatalogError as error:
        return fail(f"{PRICES_ENV}: {error}")
    _start_price_updates(settings.costbot_price_updates)
    scheduler = None if args.no_scheduler else _digest_scheduler(db, client, identity)
    pace = scheduler.poster.pace if scheduler is not None else None
    outbox = Outbox(db)
    app = create_app(
        settings, db=db, client=client, bot_user_id=identity.get("user_id"), digest_pace=pace, outbox=outbox
    )
    if scheduler is not None:
        scheduler.start()
    # What a process that died had acknowledged: carried out now, and checked for every half minute.
    lease = timedelta(seconds=settings.costbot_work_lease_seconds)
    recovery = WorkRecovery(app, outbox, client=client, lease=lease)
    recovery.start()
    signed_in = f"signed in to {identity.get('team', 'Slack')} as {identity.get('user', 'the bot')}"
    if args.socket:
        say(f"{signed_in}; connecting to Slack in Socket Mode")
        try:
            serve_socket(app, app_token=settings.app_token)
        finally:
            recovery.stop()
            if scheduler is not None:
                scheduler.shutdown()
        return EXIT_OK
    try:
        server = http_server(
            app,
            signing_secret=settings.signing_secret,
            host=args.host,
            port=args.port,
            threads=args.threads,
            ready=_readiness(db, scheduler),
        )
    except OSError as error:
        recovery.stop()
        if scheduler is not None:
            scheduler.shutdown()
        return fail(f"can't listen on {args.host}:{args.port}: {error.strerror or error}")
    # Said whatever the log level: where the app listens is what an operator needs first.
    say(
        f"{signed_in}; serving Slack at http://{server.effective_host}:{server.effective_port}/slack/events "
        f"({args.threads} threads); GET /healthz for health checks"
        + ("" if scheduler is None else "; posting weekly digests")
    )
    try:
        serve_http(server)
    finally:
        recovery.stop()
        if scheduler is not None:
            scheduler.shutdown()
    return EXIT_OK


def _readiness(db, scheduler):  # type: ignore[no-untyped-def]
    """`/readyz`: the database answers, its schema is this costbot's, and the scheduler runs (when it should)."""
    from bot.observe import Readiness
    from storage import DatabaseError, current_revision, head_revision, known_revisions

    def database() -> tuple[bool, str]:
        try:
            revision = current_revision(db)
        except DatabaseError:
            return False, "unreachable"
        head = head_revision()
        if revision == head:
            return True, f"ok, schema {revision}"
        if revision is not None and revision not in known_revisions():  # upgraded ahead of this rollout
            return True, f"ok, schema {revision} (newer than this costbot's {head})"
        return False, f"schema {revision or 'none'}, needs {head} (costbot db upgrade)"

    def digests() -> tuple[bool, str]:
        if scheduler is None:
            return True, "off here (--no-scheduler)"
        if not scheduler.running:
            return False, "stopped"
        return True, "running, leading" if scheduler.leadership.leading else "running, standing by"

    return Readiness({"database": database, "scheduler": digests})


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
        configure_logging(
            settings.costbot_log_level, secrets=settings.secret_values(), form=settings.costbot_log_format
        )
        db = _open_database(settings.database_url)
        client = web_client(settings)
        return db, client, check_token(client), settings
    except ConfigError as error:
        return fail(*error.problems)
    except CatalogError as error:
        return fail(f"{PRICES_ENV}: {error}")


def scheduler() -> int:
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
    say(f"signed in to {identity.get('team', 'Slack')}; posting weekly digests (Ctrl-C or SIGTERM stops)")
    stop.wait()
    scheduler.shutdown()
    say("scheduler stopped")
    return EXIT_OK


def digest(args: argparse.Namespace) -> int:
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
        return fail(f"--now {args.now.isoformat()} is in the future; it replays a time that has passed")
    poster = DigestPoster(db=db, client=client, team_id=str(identity.get("team_id")))
    outcomes = run_due_digests(poster, now=now, channel_id=args.channel, replay=args.now is not None)
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
        say(started)
