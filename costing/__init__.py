"""costbot's pure core: the /cost language, the price catalog, the compute and value models.

Nothing here talks to Slack or a database. The public surface is small:

    >>> from costing import estimate
    >>> e = estimate("video 10s x 1M users")
    >>> e.api.total_usd
    Decimal('1000000.00')
"""

from typing import TYPE_CHECKING, Any

from costing.catalog import Catalog, CatalogError, PriceEntry, current_catalog, load_catalog
from costing.errors import EstimateError
from costing.estimate import Estimate, estimate, estimate_request
from costing.language import parse_request
from costing.lexicon import EXAMPLES
from costing.pricing import DEFAULT_MODELS
from costing.request import Request, Subcommand

if TYPE_CHECKING:
    from costing.compare import Comparison, Difference, compare_estimates
    from costing.whatif import WhatIf, read_change

# Comparisons and what-ifs are for saved scenarios: a one-off estimate (`costbot cost`) doesn't load them.
_LATER = {
    "Comparison": "costing.compare", "Difference": "costing.compare", "compare_estimates": "costing.compare",
    "WhatIf": "costing.whatif", "read_change": "costing.whatif",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LATER:
        import importlib

        return getattr(importlib.import_module(_LATER[name]), name)
    raise AttributeError(f"module 'costing' has no attribute {name!r}")


__all__ = [
    "DEFAULT_MODELS",
    "EXAMPLES",
    "Catalog",
    "CatalogError",
    "Comparison",
    "Difference",
    "Estimate",
    "EstimateError",
    "PriceEntry",
    "Request",
    "Subcommand",
    "WhatIf",
    "compare_estimates",
    "current_catalog",
    "estimate",
    "estimate_request",
    "load_catalog",
    "parse_request",
    "read_change",
]
