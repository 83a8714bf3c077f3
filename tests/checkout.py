"""The code under test is this checkout's: how tests start `costbot`, and where its packages must come from.

A console script runs whatever copy of costbot its environment installed, which from a second checkout (or a
`pip install .` that has since gone stale) is not the code beside these tests. So tests start the CLI with this
Python and this checkout first on its path, and the session refuses to start if `bot`, `costing` or `storage`
were imported from anywhere else.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["COSTBOT", "PACKAGES", "ROOT", "foreign_packages"]

#: The checkout these tests belong to.
ROOT = Path(__file__).resolve().parents[1]
#: `costbot` as this checkout's code runs it, from any working directory: `[*COSTBOT, "cost", "video 10s"]`.
COSTBOT = (
    sys.executable,
    "-c",
    f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bot.cli import run; run()",
)
PACKAGES = ("bot", "costing", "storage")


def foreign_packages() -> list[str]:
    """The packages under test that were imported from outside this checkout, with where they came from."""
    import importlib

    foreign = []
    for name in PACKAGES:
        where = Path(importlib.import_module(name).__file__ or "").resolve()
        if ROOT not in where.parents:
            foreign.append(f"{name} from {where.parent}")
    return foreign
