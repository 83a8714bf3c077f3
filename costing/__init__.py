"""costbot's pure core: the /cost language, the price catalog, the compute and value models, the digest's maths.

Nothing here talks to Slack or a database. `bot` and `storage` use costing only through the names below (a test
holds them to it); the modules behind them are costing's own business.

    >>> from costing import estimate
    >>> e = estimate("video 10s x 1M users")
    >>> e.api.total_usd
    Decimal('1000000.00')
"""

from typing import TYPE_CHECKING, Any

from costing.catalog import Catalog, CatalogError, PriceEntry
from costing.choice import DEFAULT_MODELS
from costing.datafile import use_cache_dir
from costing.errors import EstimateError
from costing.estimate import Estimate, estimate, estimate_request, not_an_estimate
from costing.language import parse_request, subcommand_of
from costing.lexicon import EXAMPLES, MAX_TEXT_LENGTH, PERIODS, VALUE_WORDS, WORKLOAD_WORDS, Period
from costing.money import format_count, format_ratio, format_usd
from costing.price_book import current_catalog, load_catalog, use_price_book
from costing.request import SECTIONS, Request, Subcommand
from costing.tokens import priced_in, token_snapshot
from costing.value import in_period

if TYPE_CHECKING:
    from costing.budget import Budget, parse_budget
    from costing.clauses import NotAValue, with_value
    from costing.compare import Comparison, Difference, compare_estimates
    from costing.digest import (
        Cause,
        CauseKind,
        Digest,
        DigestLine,
        OneOff,
        Totals,
        build_digest,
    )
    from costing.due import (
        CATCH_UP_WINDOW,
        MAX_ATTEMPTS,
        STALE_CLAIM,
        due_at,
        next_due,
        retry_now,
        still_retried,
        week_of,
    )
    from costing.figures import DigestSnapshot, EstimateFigures
    from costing.help import HELP_SECTIONS
    from costing.price_check import MAX_FILE_BYTES, PriceFileError, check_catalog, read_price_file
    from costing.prices import PriceListing, PriceRow, list_prices
    from costing.prose import estimate_in, has_workload, read_instead, workload_words_in
    from costing.recost import SavedScenario
    from costing.schedule import DAY_NAMES, Schedule, ScheduleError, parse_schedule
    from costing.sources import source_words
    from costing.whatif import WhatIf, read_change

# Loaded on first use: a one-off estimate (`costbot cost`) needs none of the digests, schedules, comparisons,
# price checks or listings, and starts faster without them.
_LATER = {
    "Budget": "costing.budget",
    "parse_budget": "costing.budget",
    "NotAValue": "costing.clauses",
    "with_value": "costing.clauses",
    "Comparison": "costing.compare",
    "Difference": "costing.compare",
    "compare_estimates": "costing.compare",
    "Cause": "costing.digest",
    "CauseKind": "costing.digest",
    "Digest": "costing.digest",
    "DigestLine": "costing.digest",
    "OneOff": "costing.digest",
    "SavedScenario": "costing.recost",
    "Totals": "costing.digest",
    "build_digest": "costing.digest",
    "DigestSnapshot": "costing.figures",
    "EstimateFigures": "costing.figures",
    "CATCH_UP_WINDOW": "costing.due",
    "MAX_ATTEMPTS": "costing.due",
    "STALE_CLAIM": "costing.due",
    "due_at": "costing.due",
    "next_due": "costing.due",
    "retry_now": "costing.due",
    "still_retried": "costing.due",
    "week_of": "costing.due",
    "HELP_SECTIONS": "costing.help",
    "MAX_FILE_BYTES": "costing.price_check",
    "PriceFileError": "costing.price_check",
    "check_catalog": "costing.price_check",
    "read_price_file": "costing.price_check",
    "PriceListing": "costing.prices",
    "PriceRow": "costing.prices",
    "list_prices": "costing.prices",
    "estimate_in": "costing.prose",
    "has_workload": "costing.prose",
    "read_instead": "costing.prose",
    "workload_words_in": "costing.prose",
    "DAY_NAMES": "costing.schedule",
    "Schedule": "costing.schedule",
    "ScheduleError": "costing.schedule",
    "parse_schedule": "costing.schedule",
    "source_words": "costing.sources",
    "WhatIf": "costing.whatif",
    "read_change": "costing.whatif",
}


def __getattr__(name: str) -> Any:
    if name in _LATER:
        import importlib

        return getattr(importlib.import_module(_LATER[name]), name)
    raise AttributeError(f"module 'costing' has no attribute {name!r}")


__all__ = [
    "CATCH_UP_WINDOW",
    "DAY_NAMES",
    "DEFAULT_MODELS",
    "EXAMPLES",
    "HELP_SECTIONS",
    "MAX_ATTEMPTS",
    "MAX_FILE_BYTES",
    "MAX_TEXT_LENGTH",
    "PERIODS",
    "SECTIONS",
    "STALE_CLAIM",
    "VALUE_WORDS",
    "WORKLOAD_WORDS",
    "Budget",
    "Catalog",
    "CatalogError",
    "Cause",
    "CauseKind",
    "Comparison",
    "Difference",
    "Digest",
    "DigestLine",
    "DigestSnapshot",
    "Estimate",
    "EstimateError",
    "EstimateFigures",
    "NotAValue",
    "OneOff",
    "Period",
    "PriceEntry",
    "PriceFileError",
    "PriceListing",
    "PriceRow",
    "Request",
    "SavedScenario",
    "Schedule",
    "ScheduleError",
    "Subcommand",
    "Totals",
    "WhatIf",
    "build_digest",
    "check_catalog",
    "compare_estimates",
    "current_catalog",
    "due_at",
    "estimate",
    "estimate_in",
    "estimate_request",
    "format_count",
    "format_ratio",
    "format_usd",
    "has_workload",
    "in_period",
    "list_prices",
    "load_catalog",
    "next_due",
    "not_an_estimate",
    "parse_budget",
    "parse_request",
    "parse_schedule",
    "priced_in",
    "read_change",
    "read_instead",
    "read_price_file",
    "retry_now",
    "source_words",
    "still_retried",
    "subcommand_of",
    "token_snapshot",
    "use_cache_dir",
    "use_price_book",
    "week_of",
    "with_value",
    "workload_words_in",
]
