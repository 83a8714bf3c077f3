"""What costbot knows about token-priced models beyond genai-prices' data: shutdown dates, data dates, lookups.

Read from `data/token_models.yaml` (the genai-prices release dates, provider lookup order) and
`data/lifecycle.yaml` (each shutdown a provider announced, with its source), once, on first use.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import NamedTuple

from costing.datafile import DataFileError, Fields, load_data
from costing.lifecycle import Lifecycle, Status

__all__ = ["TokenFacts", "token_facts"]


class TokenFacts(NamedTuple):
    #: genai-prices version → the day it was released (its bundled data's date).
    release_dates: dict[str, date]
    #: Providers searched, in order, for a model genai-prices can't place from its name.
    lookup_order: tuple[str, ...]
    #: Providers whose models are offered as "did you mean" suggestions.
    suggestion_providers: frozenset[str]
    lifecycles_by_model: dict[tuple[str, str], Lifecycle]

    def lifecycle(self, provider_id: str, model_id: str) -> Lifecycle | None:
        """The recorded lifecycle of a genai-prices model, or None when nothing is recorded."""
        return self.lifecycles_by_model.get((provider_id, model_id.lower()))

    @property
    def lifecycle_rows(self) -> tuple[tuple[str, str, Lifecycle], ...]:
        return tuple((p, m, life) for (p, m), life in self.lifecycles_by_model.items())


@functools.cache
def token_facts() -> TokenFacts:
    """The facts, read once."""
    top = Fields(load_data("token_models.yaml"), "token_models.yaml")
    releases = {
        str(v): Fields({"d": d}, f"token_models.yaml: release {v}").day("d")
        for v, d in top.mapping("genai_prices_releases").items()
    }
    order = tuple(top.items("lookup_order"))
    providers = frozenset(top.items("suggestion_providers"))
    top.done()
    lifecycles: dict[tuple[str, str], Lifecycle] = {}
    rows = Fields(load_data("lifecycle.yaml"), "lifecycle.yaml")
    for n, row in enumerate(rows.items("models"), start=1):
        f = Fields(row, f"lifecycle.yaml: row {n}")
        key = (f.text("provider"), f.text("model").lower())
        try:
            life = Lifecycle(
                status=f.choice("status", Status),
                shutdown=f.day("shutdown", None),
                replacement=f.text("replacement", None),
                source=f.url("source"),
                checked=f.day("checked"),
            )
        except ValueError as error:
            raise DataFileError(f"lifecycle.yaml: row {n}: {error}") from None
        f.day("announced", None)
        f.text("note", None)
        f.done()
        if key in lifecycles:
            raise DataFileError(f"lifecycle.yaml: {key[0]}/{key[1]} is listed twice")
        lifecycles[key] = life
    rows.done()
    return TokenFacts(releases, order, providers, lifecycles)
