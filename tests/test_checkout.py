"""The tests test this checkout: the session's guard against another copy of costbot, and the CLI they start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.checkout import COSTBOT, PACKAGES, ROOT, foreign_packages


def test_this_session_imports_costbot_from_this_checkout() -> None:
    assert foreign_packages() == []


def test_a_copy_of_costbot_elsewhere_on_the_path_is_reported(tmp_path: Path) -> None:
    for name in PACKAGES:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    probe = "; ".join(
        [
            f"import sys; sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]",  # a copy first, as a stale install is
            "from tests.checkout import foreign_packages",
            "print(foreign_packages())",
        ]
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert all(f"{name} from {tmp_path / name}" in out for name in PACKAGES), out


def test_the_cli_the_tests_start_runs_this_checkouts_code_from_any_directory(tmp_path: Path) -> None:
    probe = [*COSTBOT[:2], COSTBOT[2].replace("from bot.cli import run; run()", "import bot; print(bot.__file__)")]
    out = subprocess.run(probe, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert Path(out.strip()).resolve() == ROOT / "bot" / "__init__.py"
