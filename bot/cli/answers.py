"""The commands that answer from costing alone, in the terminal: `cost "TEXT"` (and `cost help`, `cost prices …`),
`prices [FILTER]`, `prices check [--against FILE_OR_URL]`."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.cli.say import EXIT_FAILED, EXIT_OK, PRICES_ENV, fail, say

__all__ = ["LITELLM_PRICES_URL", "TERMINAL_ANSWERS", "cost", "prices", "prices_check"]


def _console():  # rich is imported only when a table is printed: --json stays fast
    from rich.console import Console

    return Console(highlight=False)


def cost(text: str, as_json: bool, at=None) -> int:  # type: ignore[no-untyped-def]
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
        result = _from_words(text, exc, at)  # `how much would 1M videos of 10s cost?`, as /cost reads it
        if result is None:
            return fail(str(exc))
    except CatalogError as exc:
        return fail(f"{PRICES_ENV}: {exc}")
    if as_json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        from bot.terminal import print_estimate

        print_estimate(result, _console())
    return EXIT_OK


def _from_words(text: str, error: Exception, at):  # type: ignore[no-untyped-def]
    """The estimate inside `text`, which didn't parse (said on stderr), or None."""
    from costing import EstimateError, current_catalog, estimate, estimate_in, read_instead, subcommand_of

    if subcommand_of(text) is not None:  # `save launch video 10s`: a Slack command, said as such
        return None
    found = estimate_in(text, model_names=current_catalog().model_names)
    meant = read_instead(text, found, typo=getattr(error, "suggestion", None) is not None, prose=False)
    if meant is None:
        return None
    try:
        result = estimate(meant, at=at)
    except EstimateError:
        return None
    say(f"Read from your words as: {meant}")
    return result


def _help(args: str, as_json: bool) -> int:
    from bot.terminal import print_help

    print_help(_console())
    return EXIT_OK


def prices(text: str, as_json: bool) -> int:
    from costing import CatalogError, list_prices

    try:
        listing = list_prices(text)
    except CatalogError as exc:
        return fail(f"{PRICES_ENV}: {exc}")
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
TERMINAL_ANSWERS: dict[str, Callable[[str, bool], int]] = {"help": _help, "prices": prices}

#: LiteLLM's price file, the default for `costbot prices check`.
LITELLM_PRICES_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"


def prices_check(against: str | None, as_json: bool) -> int:
    from datetime import UTC, datetime

    from bot.price_files import PriceFileUnreadable, read_price_source, source_shown
    from costing import CatalogError, PriceFileError, check_catalog, current_catalog, read_price_file

    source = against or LITELLM_PRICES_URL
    try:
        models = read_price_file(read_price_source(source))
        catalog = current_catalog()
    except (PriceFileUnreadable, PriceFileError) as error:
        return fail(f"{source_shown(source)}: {error}")
    except CatalogError as error:
        return fail(f"{PRICES_ENV}: {error}")
    findings = check_catalog(catalog, models, today=datetime.now(UTC).date())
    if as_json:
        print(json.dumps([{"kind": str(f.kind), "model": f.model, "detail": f.detail} for f in findings]))
    else:
        for finding in findings:
            print(f"{finding.kind}: {finding.model}: {finding.detail}")
        counts = ", ".join(f"{sum(f.kind == k for f in findings)} {k}" for k in dict.fromkeys(f.kind for f in findings))
        say(
            f"{len(findings)} finding(s) against {len(models):,} models in the file ({counts})"
            if findings
            else f"the catalog agrees with the file's {len(models):,} models"
        )
    return EXIT_FAILED if findings else EXIT_OK
