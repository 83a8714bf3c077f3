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
        installs, identity = _installs(settings, db, client), {}
        if installs is None:
            identity = check_token(client)
    except ConfigError as error:
        return fail(*error.problems)
    except CatalogError as error:
        return fail(f"{PRICES_ENV}: {error}")
    _start_price_updates(settings.costbot_price_updates)
    workspaces = installs or _one_workspace(client, identity)
    scheduler = None if args.no_scheduler else _digest_scheduler(db, workspaces)
    pace = scheduler.posters.pace if scheduler is not None else None
    outbox = Outbox(db)
    app = create_app(
        settings,
        db=db,
        client=client,
        bot_user_id=identity.get("user_id"),
        digest_pace=pace,
        outbox=outbox,
        installs=installs,
    )
    if scheduler is not None:
        scheduler.start()
    # What a process that died had acknowledged: carried out now, and checked for every half minute.
    lease = timedelta(seconds=settings.costbot_work_lease_seconds)
    recovery = WorkRecovery(app, outbox, client=client, workspaces=installs, lease=lease)
    recovery.start()
    signed_in = _signed_in(identity, installs)
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
    here = f"http://{server.effective_host}:{server.effective_port}"
    say(
        f"{signed_in}; serving Slack at {here}/slack/events ({args.threads} threads); GET /healthz for health "
        "checks"
        + ("" if installs is None else f"; the install page is {settings.costbot_public_url or here}/slack/install")
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


def _installs(settings, db, client):  # type: ignore[no-untyped-def]
    """The installs into many workspaces (`bot.installs`), when the OAuth settings are set; else None."""
    if not settings.oauth:
        return None
    from bot.installs import Installs

    return Installs(
        db,
        client_id=settings.slack_client_id,
        client_secret=settings.client_secret,
        state_secret=settings.state_secret,
        client=client,
        redirect_url=settings.redirect_url,
    )


def _one_workspace(client, identity):  # type: ignore[no-untyped-def]
    from bot.workspaces import OneWorkspace

    return OneWorkspace(client, str(identity.get("team_id")))


def _signed_in(identity, installs) -> str:  # type: ignore[no-untyped-def]
    """Who the process serves, as start-up says it."""
    if installs is None:
        return f"signed in to {identity.get('team', 'Slack')} as {identity.get('user', 'the bot')}"
    names = [name for _, name in installs.workspaces()]
    if not names:
        return "installs into many workspaces; none installed yet"
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"installs into many workspaces; installed in {len(names)} ({shown})"


def _digest_scheduler(db, workspaces):  # type: ignore[no-untyped-def]
    from bot.scheduler import DigestScheduler
    from bot.workspaces import Posters

    return DigestScheduler(Posters(db, workspaces))


def _connect():  # type: ignore[no-untyped-def]
    """Settings, logging, the migrated database, the workspaces served (`bot.workspaces`) and who the token is
    (nothing with installs), as the digest commands need them; or, when something is missing or broken, the exit
    status after saying what (like `serve`)."""
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
        installs = _installs(settings, db, client)
        if installs is not None:
            return db, installs, {}, settings
        identity = check_token(client)
        return db, _one_workspace(client, identity), identity, settings
    except ConfigError as error:
        return fail(*error.problems)
    except CatalogError as error:
        return fail(f"{PRICES_ENV}: {error}")


def scheduler(args: argparse.Namespace) -> int:
    import signal
    import threading

    connected = _connect()
    if isinstance(connected, int):
        return connected
    db, workspaces, identity, settings = connected
    if args.metrics_port is not None:
        metrics = _serve_metrics(args.metrics_host, args.metrics_port)
        if metrics is None:
            return fail(f"--metrics-port: can't listen on {args.metrics_host}:{args.metrics_port} (in use?)")
        say(f"metrics at {metrics}")
    _start_price_updates(settings.costbot_price_updates)
    scheduler = _digest_scheduler(db, workspaces)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.start()
    signed_in = _signed_in(identity, None if workspaces.team_id else workspaces)
    say(f"{signed_in}; posting weekly digests (Ctrl-C or SIGTERM stops)")
    stop.wait()
    scheduler.shutdown()
    say("scheduler stopped")
    return EXIT_OK


def _serve_metrics(host: str, port: int) -> str | None:
    """Prometheus metrics on a port of their own, in a daemon thread; the URL, or None if it can't listen."""
    from prometheus_client import start_http_server

    from bot.observe import REGISTRY

    try:
        server, _ = start_http_server(port, addr=host, registry=REGISTRY)
    except OSError:
        return None
    bound_host, bound_port = server.server_address[:2]
    return f"http://{bound_host}:{bound_port}/metrics"


def digest(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from bot.scheduler import run_due_digests, schedule_of
    from bot.workspaces import Posters
    from costing import next_due
    from storage import active_subscriptions

    connected = _connect()
    if isinstance(connected, int):
        return connected
    db, workspaces, _, _ = connected
    now = args.now or datetime.now(UTC)
    if now > datetime.now(UTC) + timedelta(minutes=1):
        # A pass claims the week it posts: acting in a future week would keep that week's real digest back.
        return fail(f"--now {args.now.isoformat()} is in the future; it replays a time that has passed")
    posters = Posters(db, workspaces)
    outcomes = run_due_digests(posters, now=now, channel_id=args.channel, replay=args.now is not None)
    for outcome in outcomes:
        if args.quiet and outcome.status != "failed":
            continue
        where = outcome.permalink or ""
        week = f" {outcome.run.week}" if outcome.run is not None and outcome.run.week else ""
        print(f"{outcome.channel_id}{week}: {outcome.status}: {outcome.detail} {where}".rstrip())
    if not outcomes and not args.quiet:
        with db.session(write=False) as session:
            subscriptions = active_subscriptions(session=session, team_id=posters.team_id, channel_id=args.channel)
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
