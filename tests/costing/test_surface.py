"""costing's public surface: what `costing/__init__` exports is all that `bot` and `storage` may use, and all of
it is there (as genai-prices tests its own exports)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import costing
from tests.checkout import ROOT

_USERS = [path for package in ("bot", "storage") for path in sorted((ROOT / package).rglob("*.py"))]


def _costing_imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, module, name) of every costing import in a file, at any depth (lazy imports inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "costing":
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, "") for alias in node.names if alias.name.startswith("costing")]
    return found


@pytest.mark.parametrize("path", _USERS, ids=lambda path: str(path.relative_to(ROOT)))
def test_bot_and_storage_use_costing_only_through_its_public_names(path: Path) -> None:
    wrong = [
        f"line {line}: {module}" + (f" import {name}" if name else "")
        for line, module, name in _costing_imports(path)
        if module != "costing" or name not in costing.__all__
    ]
    assert wrong == [], f"{path.relative_to(ROOT)} goes round costing's public surface: {wrong}"


def test_every_public_name_is_there() -> None:
    missing = [name for name in costing.__all__ if not hasattr(costing, name)]
    assert missing == [] and len(set(costing.__all__)) == len(costing.__all__)


def test_a_name_costing_does_not_export_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'parse_price_book'"):
        costing.parse_price_book  # noqa: B018


def test_a_one_off_estimate_loads_none_of_the_digest_schedule_or_comparison_modules() -> None:
    """`costbot cost` starts fast: the lazy names stay unloaded until something asks for them."""
    probe = "\n".join(
        [
            "import sys, costing",
            "costing.estimate('video 10s')",
            "print('\\n'.join(sorted(sys.modules)))",
        ]
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    lazy = {
        "costing.digest",
        "costing.recost",
        "costing.figures",
        "costing.due",
        "costing.schedule",
        "costing.zones",
        "costing.compare",
        "costing.price_check",
        "costing.clauses",
        "costing.whatif",
    }
    assert lazy & set(run.stdout.splitlines()) == set()


@pytest.mark.parametrize("path", sorted((ROOT / "costing").rglob("*.py")), ids=lambda path: path.name)
def test_costing_never_reads_the_environment(path: Path) -> None:
    """Settings are handed in (`use_price_book`, `use_cache_dir`): the pure core reads no environment variable."""
    reads = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if (isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"})
        or (isinstance(node, ast.Name) and node.id in {"environ", "getenv"})
    ]
    assert reads == [], f"{path.name} reads the environment at lines {reads}"
