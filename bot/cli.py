"""The `costbot` command: `costbot cost "TEXT"`, `costbot prices [FILTER]`.

Exit status: 0 on success, 2 on bad input or configuration (the message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

__all__ = ["main"]

EXIT_OK = 0
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

    prices = commands.add_parser("prices", help="list known prices with sources and dates")
    prices.add_argument("filter", nargs="*", metavar="FILTER", help="a model, provider or kind, e.g. veo")
    prices.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    return parser


def _fail(message: str) -> int:
    print(f"costbot: {message}", file=sys.stderr)
    return EXIT_USAGE


def _console():  # rich is imported only when a table is printed: --json stays fast
    from rich.console import Console

    return Console(highlight=False)


def _cost(text: str, as_json: bool) -> int:
    from costing import EstimateError, Subcommand, current_catalog, estimate_request, parse_request
    from costing.catalog import CatalogError
    from costing.estimate import not_an_estimate

    try:
        # Parse once, with the catalog's names, so a price book's plain-word model ids are read as models.
        catalog = current_catalog()
        request = parse_request(text, model_names=catalog.model_names)
        if isinstance(request, Subcommand):
            if request.name == "help":
                from bot.terminal import print_help

                print_help(_console())
                return EXIT_OK
            if request.name == "prices":
                return _prices(request.args, as_json)
            raise not_an_estimate(request)
        result = estimate_request(request, catalog=catalog)
    except (EstimateError, CatalogError) as exc:
        return _fail(str(exc))
    if as_json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        from bot.terminal import print_estimate

        print_estimate(result, _console())
    return EXIT_OK


def _prices(text: str, as_json: bool) -> int:
    from costing.catalog import CatalogError
    from costing.prices import list_prices

    try:
        listing = list_prices(text)
    except CatalogError as exc:
        return _fail(str(exc))
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `costbot` console script."""
    args = _parser().parse_args(argv)
    if args.command == "cost":
        return _cost(" ".join(args.text), args.json)
    if args.command == "prices":
        return _prices(" ".join(args.filter), args.json)
    raise AssertionError(f"unhandled command {args.command}")  # argparse rejects unknown commands first


def run() -> None:
    """Console-script wrapper: exit with `main`'s status."""
    sys.exit(main())


if __name__ == "__main__":
    run()
