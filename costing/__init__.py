"""costbot's pure core: the /cost language, the price catalog, the compute and value models.

Nothing here talks to Slack or a database. The public surface is small:

    >>> from costing import estimate
    >>> e = estimate("video 10s x 1M users")
    >>> e.api.total_usd
    Decimal('1000000.00')
"""

from costing.catalog import Catalog, CatalogError, PriceEntry, load_catalog
from costing.errors import EstimateError
from costing.estimate import DEFAULT_MODELS, Estimate, current_catalog, estimate, estimate_request
from costing.language import EXAMPLES, Request, Subcommand, parse_request

__all__ = [
    "DEFAULT_MODELS",
    "EXAMPLES",
    "Catalog",
    "CatalogError",
    "Estimate",
    "EstimateError",
    "PriceEntry",
    "Request",
    "Subcommand",
    "current_catalog",
    "estimate",
    "estimate_request",
    "load_catalog",
    "parse_request",
]
