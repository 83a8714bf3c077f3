"""Scenario names: what may be one, and when two are the same."""

from __future__ import annotations

import re

__all__ = ["MAX_NAME_LENGTH", "name_key", "name_problem"]

MAX_NAME_LENGTH = 60
_NAME = re.compile(r"[^\W_][\w .'&+()#/-]*", re.UNICODE)


def name_key(name: str) -> str:
    """What makes two names the same name: case and runs of spaces don't count."""
    return " ".join(name.split()).casefold()


def name_problem(name: str) -> str | None:
    """Why `name` can't name a scenario, in words for the user; None when it can."""
    if len(name.strip().splitlines()) > 1:
        return "A name fits on one line."
    name = " ".join(name.split())
    if not name:
        return "Give the scenario a name."
    if len(name) > MAX_NAME_LENGTH:
        return f"A name has at most {MAX_NAME_LENGTH} characters; this one has {len(name)}."
    if not _NAME.fullmatch(name):
        return "A name starts with a letter or digit and uses letters, digits, spaces and - _ . ' & + ( ) # /."
    return None
