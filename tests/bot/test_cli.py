"""`costbot` as a user runs it, in a subprocess: this checkout's code, not whichever `costbot` is first on PATH."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.checkout import COSTBOT


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "COSTBOT_PRICES"}
    full_env.update(env or {})
    full_env.setdefault("COLUMNS", "100")
    return subprocess.run([*COSTBOT, *args], capture_output=True, text=True, env=full_env, timeout=60)


def test_cost_prints_a_table_with_both_costs() -> None:
    result = run("cost", "video 10s x 1M users")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "API price" in out and "GPU compute" in out
    assert "$1,000,000" in out and "Veo 3.1 Fast" in out
    assert "https://" in out and "Assumptions" in out


def test_cost_accepts_the_text_as_several_words() -> None:
    assert "$1,000,000" in run("cost", "video", "10s", "x", "1M", "users").stdout


def test_cost_json_is_one_object_with_the_contract_fields() -> None:
    result = run("cost", "--json", "video 10s sora-2 x 1M users per month value $2/user/month")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["api"]["total_usd"] == 1_000_000
    assert data["api"]["price"]["checked"] == "2026-11-20"  # LiteLLM's file of that day confirms it
    assert data["period"] == "month" and data["projections"]["year"] == 12_000_000
    assert data["per_user_usd"] == 1
    assert data["value"]["ratio"] == 2
    assert any("shut down on 2026-09-24" in w for w in data["warnings"])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Tell me what to cost"),
        ("video 10s x banana", "needs a number"),
        ("video 10s veo-9", "Did you mean"),
        ("video 10s x 10^30 users", "powers"),
        ("video 1000 tokens", "doesn't fit a video workload"),
        ("video 10s <!channel>", "Slack mention"),
        ("x" * 600, "characters"),
    ],
)
def test_bad_input_exits_2_with_the_message_on_stderr_and_no_traceback(text: str, says: str) -> None:
    result = run("cost", text)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "<!channel>" not in result.stderr


def test_a_question_in_words_is_costed_from_the_estimate_in_it_and_says_so() -> None:
    result = run("cost", "--json", "how much would 1M videos of 10s cost?")
    assert result.returncode == 0 and json.loads(result.stdout)["quantity"] == 1_000_000
    assert "Read from your words as: 1M videos of 10s" in result.stderr


def test_a_typo_at_the_end_is_an_error_not_a_shorter_estimate() -> None:
    result = run("cost", "chat 1500 in 500 out x 200k per day modle gpt-4o")
    assert result.returncode == 2 and "I don't understand 'modle'" in result.stderr and result.stdout == ""


def test_help_is_printed_by_cost_help() -> None:
    result = run("cost", "help")
    assert result.returncode == 0 and "Workloads" in result.stdout and 'costbot cost "video 10s' in result.stdout


def test_prices_lists_sources_and_dates_and_filters() -> None:
    result = run("prices", "veo")
    assert result.returncode == 0
    assert "veo-3.1-fast" in result.stdout and "sora-2" not in result.stdout
    assert "https://" in result.stdout and "2026-" in result.stdout
    assert "claude-sonnet-4-5" in run("prices", "claude-sonnet").stdout


def test_prices_json_lists_rows() -> None:
    rows = json.loads(run("prices", "--json", "sora").stdout)
    assert {r["model"] for r in rows} == {"sora-2", "sora-2-pro"}
    assert all(r["status"].startswith("retired") for r in rows)


def test_a_broken_price_book_is_one_clear_line(tmp_path: Path) -> None:
    book = tmp_path / "prices.yaml"
    book.write_text("entries:\n  - {id: veo-3.1-fast, usd: 'free'}\n")
    result = run("cost", "video 10s", env={"COSTBOT_PRICES": str(book)})
    assert result.returncode == 2
    assert "prices.yaml: entry 1 (veo-3.1-fast)" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.startswith("costbot: COSTBOT_PRICES: ")  # names the setting to fix


@pytest.mark.parametrize("command", [("cost", "video 10s"), ("prices", "veo")])
def test_a_missing_price_book_names_the_setting(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = run(*command, env={"COSTBOT_PRICES": str(tmp_path / "nope.yaml")})
    assert result.returncode == 2
    assert result.stderr.startswith("costbot: COSTBOT_PRICES: no such file: ") and "nope.yaml" in result.stderr


def test_unknown_command_exits_2() -> None:
    assert run("frobnicate").returncode == 2


def test_version() -> None:
    assert run("--version").stdout.startswith("costbot ")


def test_main_in_process_returns_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["cost", "--json", "video 10s x 2 users"]) == 0
    assert json.loads(capsys.readouterr().out)["api"]["total_usd"] == 2
    assert main(["cost", "video 10s x banana"]) == 2
    assert "needs a number" in capsys.readouterr().err
    assert main(["prices", "--json", "whisper-1"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["model"] == "whisper-1"


def test_a_price_book_model_with_a_plain_word_id_is_costed(tmp_path: Path) -> None:
    book = tmp_path / "prices.yaml"
    book.write_text("entries:\n  - {id: acme, provider: Acme, modality: chat, usd: '1', output_usd: '2'}\n")
    result = run("cost", "--json", "chat 1M in 1M out acme", env={"COSTBOT_PRICES": str(book)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["api"]["unit_usd"] == 3


def test_slack_only_commands_say_where_they_work() -> None:
    result = run("cost", "save launch video 10s")
    assert result.returncode == 2 and "works in Slack as /cost save" in result.stderr
