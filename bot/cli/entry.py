"""`main`, the `costbot` console script: the command line read, costing configured, the command run."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.cli import answers, workspace
from bot.cli.parser import command_line
from bot.cli.say import CACHE_ENV, PRICES_ENV, fail

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `costbot` console script."""
    args = command_line().parse_args(argv)
    _configure_costing()
    if args.command == "cost":
        return answers.cost(" ".join(args.text), args.json, args.at)
    if args.command == "prices":
        if args.filter[:1] == ["check"]:
            if len(args.filter) > 1:
                return fail("`prices check` takes no filter; give the file with --against FILE_OR_URL")
            return answers.prices_check(args.against, args.json)
        if args.against is not None:
            return fail("--against goes with `prices check`")
        return answers.prices(" ".join(args.filter), args.json)
    if args.command == "serve":
        return workspace.serve(args)
    if args.command == "db":
        return workspace.db(args)
    if args.command == "scheduler":
        return workspace.scheduler(args)
    if args.command == "digest":
        return workspace.digest(args)
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


def run() -> None:
    """Console-script wrapper: exit with `main`'s status."""
    sys.exit(main())
