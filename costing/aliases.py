"""Names people type for models: family names (`claude-haiku`), spellings (`sonnet-4.5`) and hosted open models.

Read from `data/aliases.yaml`. A family resolves to its newest member still on sale on the day asked about;
which member that is, is the caller's business (it knows prices and lifecycles), this module only lists them.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from costing.datafile import DataFileError, Fields, load_data

__all__ = ["Alias", "alias_names", "find_alias", "rewrite"]


class Alias(NamedTuple):
    """A name that stands for one of several models, newest first."""

    name: str
    members: tuple[str, ...]


def _key(name: str) -> str:
    return re.sub(r"[\s._\-]+", "", name.lower())


@functools.cache
def _tables() -> tuple[dict[str, Alias], tuple[tuple[re.Pattern[str], str], ...], frozenset[str]]:
    top = Fields(load_data("aliases.yaml"), "aliases.yaml")
    by_key: dict[str, Alias] = {}
    names: set[str] = set()
    for name, spec in top.mapping("families").items():
        row = Fields(spec, f"aliases.yaml: {name}")
        members, also = tuple(row.items("members")), tuple(row.items("also", []))
        row.done()
        if not members:
            raise DataFileError(f"aliases.yaml: {name} has no members")
        alias = Alias(name, members)
        for spelling in (name, *also):
            key = _key(spelling)
            if by_key.get(key, alias) is not alias:
                raise DataFileError(f"aliases.yaml: '{spelling}' names two families")
            by_key[key] = alias
            names.add(spelling.lower())
    rewrites = []
    for n, spec in enumerate(top.items("rewrites", []), start=1):
        row = Fields(spec, f"aliases.yaml: rewrite {n}")
        rewrites.append((re.compile(row.text("match")), row.text("to")))
        row.done()
    top.done()
    return by_key, tuple(rewrites), frozenset(names)


def find_alias(name: str) -> Alias | None:
    """The family `name` stands for, or None."""
    return _tables()[0].get(_key(name))


def rewrite(name: str) -> str | None:
    """Another spelling to look `name` up by (`sonnet-4.5` → `claude-sonnet-4.5`), or None."""
    for pattern, to in _tables()[1]:
        if pattern.fullmatch(name.lower()):
            return pattern.sub(to, name.lower())
    return None


def alias_names() -> frozenset[str]:
    """Every family name and spelling, lower-case: what the parser should read as model names."""
    return _tables()[2]
