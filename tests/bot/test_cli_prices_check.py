"""`costbot prices check [--against FILE_OR_URL]`: exit 0 when the catalog agrees, 1 with findings, 2 on bad input.

The command always checks the bundled catalog plus the `COSTBOT_PRICES` price book, and dates its findings by the
clock. So each test's price book re-dates every bundled entry to today (nothing bundled goes stale) and its price
file prices every bundled `litellm` key as the catalog does: the findings are then exactly those of the small
hand-written cases of tests/costing/test_price_check.py, whatever catalog.yaml holds. URLs are served by a real HTTP
server on 127.0.0.1. Most tests run `main()` in-process; a few run this checkout's `python -m bot.cli`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.price_files import PriceFileUnreadable, read_price_source, source_shown
from costing.catalog import PriceEntry
from costing.price_book import load_catalog
from costing.price_check import MAX_AGE, MAX_FILE_BYTES
from tests.costing.test_price_check import EXPECTED, PRICE_FILE, acme_price_book, write_price_book

REPO = Path(__file__).resolve().parents[2]
_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
#: The field each modality is compared on by default, per unit (LiteLLM's names).
_DEFAULT_FIELD = {("video", "second"): "output_cost_per_second", ("image", "image"): "output_cost_per_image",
                  ("tts", "char"): "input_cost_per_character", ("tts", "second"): "output_cost_per_second",
                  ("transcribe", "minute"): "input_cost_per_second",
                  ("transcribe", "second"): "input_cost_per_second"}  # fmt: skip
_MODE = {"video": "video_generation", "image": "image_generation", "tts": "audio_speech",
         "transcribe": "audio_transcription"}  # fmt: skip


# --- a price book and price files built for the checkout's catalog -----------------------------------------


def today() -> date:
    return datetime.now(UTC).date()  # the command's own clock


def bundled_checked_today() -> list[dict[str, Any]]:
    """Every bundled entry as a price-book entry, checked today."""
    return [e.model_dump(mode="json", exclude_none=True) | {"checked": today()} for e in load_catalog("").entries]


def agreeing_rows(entries: tuple[PriceEntry, ...]) -> dict[str, dict[str, Any]]:
    """A LiteLLM row for every `litellm` key of `entries`, at the entry's price in the file's unit."""
    rows: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.litellm is None:
            continue
        price = entry.unit_usd / 60 if entry.unit == "minute" else entry.unit_usd
        field = entry.litellm_field or _DEFAULT_FIELD[(entry.modality, entry.unit)]
        row = rows.setdefault(entry.litellm, {"litellm_provider": entry.litellm.split("/")[0],
                                              "mode": _MODE.get(entry.modality, "chat")})  # fmt: skip
        assert Decimal(str(row.setdefault(field, float(price)))) == Decimal(str(float(price))), entry.litellm
    return rows


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 go straight there, whatever proxy the shell has set."""
    for name in _PROXIES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def _books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Written once: (price book, price file) for the agreeing case and for the acme cases."""
    folder = tmp_path_factory.mktemp("prices-check")
    bundled = bundled_checked_today()
    agreeing = write_price_book(folder / "agreeing.yaml", bundled)
    acme = write_price_book(folder / "acme.yaml", bundled + acme_price_book(today()))
    rows = agreeing_rows(load_catalog(agreeing).entries)
    return {
        "agreeing": (agreeing, write_json(folder / "agrees.json", rows)),
        "acme": (acme, write_json(folder / "litellm.json", rows | json.loads(PRICE_FILE.read_text()))),
    }


@pytest.fixture
def agreeing_book(_books: dict[str, tuple[Path, Path]], monkeypatch: pytest.MonkeyPatch) -> Path:
    """COSTBOT_PRICES: the bundled catalog, checked today. Returns a price file it fully agrees with."""
    book, prices = _books["agreeing"]
    monkeypatch.setenv("COSTBOT_PRICES", str(book))
    return prices


@pytest.fixture
def acme_book(_books: dict[str, tuple[Path, Path]], monkeypatch: pytest.MonkeyPatch) -> Path:
    """COSTBOT_PRICES: the bundled catalog checked today plus the acme cases. Returns the small file they meet."""
    book, prices = _books["acme"]
    monkeypatch.setenv("COSTBOT_PRICES", str(book))
    return prices


def expected_lines() -> set[str]:
    """The acme findings as the command prints them (the details are pinned in tests/costing/test_price_check.py)."""
    checked = today() - MAX_AGE - timedelta(days=1)
    lines = {f"{kind}: {model}:" for kind, model in EXPECTED}
    return lines | {f"stale: acme-transcribe-stale: checked {checked.isoformat()}, 91 days ago"}


def assert_acme_findings(out: str) -> None:
    lines = out.splitlines()
    assert len(lines) == len(EXPECTED)
    for expected in expected_lines():
        assert any(line.startswith(expected) for line in lines), expected
    assert ("differs: acme-video-differs (720p, audio): catalog $0.2 vs the file's output_cost_per_second $0.25 "
            "(-20%) for 'acme/video-differs'") in lines  # fmt: skip


def model_count(path: Path) -> int:
    return sum(1 for k in json.loads(path.read_text()) if k != "sample_spec")


def one_stderr_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("costbot: ")
    return lines[0]


# --- a real HTTP server on 127.0.0.1 ---------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, bytes] = {}
        self.paths: list[str] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.server.paths.append(path)
        if path == "/huge":  # more than the cap, streamed until the client hangs up
            self._head(200)
            chunk = b" " * 1_000_000
            try:
                for _ in range(MAX_FILE_BYTES // len(chunk) + 5):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path.startswith("/status/"):
            self._head(int(path.rsplit("/", 1)[1]), b"no")
        elif path.startswith("/moved/"):
            self._head(302, b"", location=path.removeprefix("/moved"))
        elif path in self.server.files:
            self._head(200, self.server.files[path])
        else:
            self._head(404, b"not found")

    def _head(self, status: int, body: bytes | None = None, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if location is not None:
            self.send_header("Location", location)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def _running_server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def server(_running_server: _Server) -> _Server:
    _running_server.files.clear()
    _running_server.paths.clear()
    return _running_server


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_costbot(*args: str) -> subprocess.CompletedProcess[str]:
    """This checkout's `costbot`, as a process (not whatever `costbot` is on PATH)."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXIES}  # COSTBOT_PRICES as the test set it
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip


# --- exit 1: findings, and exit 0: none -----------------------------------------------------------------


def test_findings_are_printed_with_a_summary_and_exit_1(acme_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--against", str(acme_book)]) == 1
    out, err = capsys.readouterr()
    assert_acme_findings(out)
    assert one_stderr_line(err) == (
        f"costbot: 9 finding(s) against {model_count(acme_book):,} models in the file "
        "(2 differs, 2 shut down, 1 stale, 4 missing)"
    )


def test_a_file_the_catalog_agrees_with_exits_0(agreeing_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--against", str(agreeing_book)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert one_stderr_line(err) == f"costbot: the catalog agrees with the file's {model_count(agreeing_book):,} models"


def test_json_lists_the_findings(acme_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--json", "--against", str(acme_book)]) == 1
    out, err = capsys.readouterr()
    findings = json.loads(out)
    assert {(f["kind"], f["model"]) for f in findings} == {(str(k), m) for k, m in EXPECTED}
    assert all(set(f) == {"kind", "model", "detail"} and f["detail"] for f in findings)
    assert err == ""


def test_json_is_an_empty_list_when_the_catalog_agrees(agreeing_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--against", str(agreeing_book), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_url_gives_the_same_findings_as_the_file(
    acme_book: Path, server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prices", "check", "--against", str(acme_book)]) == 1
    from_file = capsys.readouterr()
    server.files["/litellm/prices.json"] = acme_book.read_bytes()
    assert main(["prices", "check", "--against", server.url("/litellm/prices.json")]) == 1
    assert capsys.readouterr() == from_file
    assert server.paths == ["/litellm/prices.json"]


def test_a_redirect_is_followed(agreeing_book: Path, server: _Server, capsys: pytest.CaptureFixture[str]) -> None:
    server.files["/prices.json"] = agreeing_book.read_bytes()
    assert main(["prices", "check", "--against", server.url("/moved/prices.json")]) == 0
    assert server.paths == ["/moved/prices.json", "/prices.json"]
    assert "agrees" in capsys.readouterr().err


def test_the_process_exits_1_with_findings_on_stdout(acme_book: Path) -> None:
    result = run_costbot("prices", "check", "--against", str(acme_book))
    assert result.returncode == 1, result.stderr
    assert_acme_findings(result.stdout)
    assert "9 finding(s)" in one_stderr_line(result.stderr)


# --- exit 2: bad input, one line on stderr ----------------------------------------------------------------


def _bad_file(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"{kind}.json"
    if kind == "missing":
        return str(path)
    if kind == "directory":
        path.mkdir()
    elif kind == "malformed":
        path.write_text('{"acme/video": {"mode": "video_generation",\n')
    elif kind == "not-shaped":
        write_json(path, {"gpt-4o": {"price": 1}, "dall-e-3": {"price": 2}})
    elif kind == "list":
        write_json(path, [{"mode": "chat"}])
    elif kind == "huge":
        with path.open("wb") as handle:  # sparse: refused on its size, so it costs nothing to make
            handle.truncate(MAX_FILE_BYTES + 1)
    return str(path)


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("missing", "missing.json: no such file"),
        ("directory", "directory.json: is a directory, not a price file"),
        ("malformed", "malformed.json: not valid JSON (line 2)"),
        ("not-shaped", "not-shaped.json: not a LiteLLM price file: its entries have no 'mode' or 'litellm_provider'"),
        ("list", "list.json: not a LiteLLM price file: expected a JSON object of model names"),
        ("huge", f"huge.json: the file is {MAX_FILE_BYTES + 1:,} bytes; a LiteLLM price file is a few MB"),
    ],
)
def test_a_bad_file_exits_2_with_one_line(
    tmp_path: Path, kind: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prices", "check", "--against", _bad_file(tmp_path, kind)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    line = one_stderr_line(err)
    assert line.endswith(says), line


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/status/500", "answered HTTP 500"),
        ("/status/404", "answered HTTP 404"),
        ("/huge", f"sent more than {MAX_FILE_BYTES:,} bytes"),
        ("/malformed", "not valid JSON"),
        ("/not-shaped", "not a LiteLLM price file"),
    ],
)
def test_a_bad_url_exits_2_with_one_line(
    server: _Server, path: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server.files["/malformed"] = b"<html>rate limited</html>"
    server.files["/not-shaped"] = json.dumps({"models": [1, 2, 3]}).encode()
    assert main(["prices", "check", "--against", server.url(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert says in one_stderr_line(err)
    assert server.paths == [path]


def test_an_unreachable_url_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/prices.json"
    assert main(["prices", "check", "--against", url]) == 2
    line = one_stderr_line(capsys.readouterr().err)
    assert line == f"costbot: {url}: can't reach it (ConnectError); check the network or the URL"


def test_the_process_exits_2_on_an_unreachable_url_without_a_traceback() -> None:
    result = run_costbot("prices", "check", "--against", f"http://127.0.0.1:{closed_port()}/prices.json")
    assert result.returncode == 2
    assert "can't reach" in one_stderr_line(result.stderr) and result.stdout == ""


def test_a_broken_price_book_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "prices.yaml"
    book.write_text("entries:\n  - {id: veo-3.1-fast, usd: 'free'}\n")
    monkeypatch.setenv("COSTBOT_PRICES", str(book))
    assert main(["prices", "check", "--against", str(PRICE_FILE)]) == 2
    line = one_stderr_line(capsys.readouterr().err)
    assert line.startswith("costbot: COSTBOT_PRICES: ") and "prices.yaml: entry 1 (veo-3.1-fast)" in line


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["prices", "--against", "x"], "--against goes with `prices check`"),
        (["prices", "veo", "--against", "x"], "--against goes with `prices check`"),
        (["prices", "check", "veo"], "`prices check` takes no filter"),
    ],
)
def test_misused_arguments_exit_2(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and says in one_stderr_line(err)


def test_a_deeply_nested_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    assert main(["prices", "check", "--against", str(path)]) == 2
    assert "nested far deeper than any price file" in one_stderr_line(capsys.readouterr().err)


def test_a_url_with_a_port_out_of_range_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--against", "http://127.0.0.1:99999/prices.json"]) == 2
    assert "neither a readable path nor a usable http(s) URL" in one_stderr_line(capsys.readouterr().err)


def test_a_url_that_does_not_parse_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--against", "http://[::1/prices.json"]) == 2
    assert "neither a readable path nor a usable http(s) URL" in one_stderr_line(capsys.readouterr().err)


def test_an_error_does_not_print_the_url_s_credentials(server: _Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.url("/status/500").replace("://", "://maintainer:hunter2@") + "?token=s3cret"
    assert main(["prices", "check", "--against", url]) == 2
    line = one_stderr_line(capsys.readouterr().err)
    assert line == f"costbot: {server.url('/status/500')}: answered HTTP 500"
    assert "hunter2" not in line and "s3cret" not in line


# --- read_price_source ------------------------------------------------------------------------------------


def test_a_path_and_a_url_read_the_same_bytes(server: _Server) -> None:
    server.files["/p.json"] = PRICE_FILE.read_bytes()
    assert read_price_source(str(PRICE_FILE)) == read_price_source(server.url("/p.json")) == PRICE_FILE.read_bytes()


def test_a_home_relative_path_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "prices.json").write_bytes(b"{}")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert read_price_source("~/prices.json") == b"{}"


def test_a_stream_over_the_cap_is_cut_off(server: _Server) -> None:
    with pytest.raises(PriceFileUnreadable, match=f"sent more than {MAX_FILE_BYTES:,} bytes"):
        read_price_source(server.url("/huge"))


def test_the_error_carries_no_credentials_and_the_url_is_shown_without_them(server: _Server) -> None:
    url = server.url("/status/503").replace("://", "://maintainer:hunter2@") + "?token=s3cret"
    with pytest.raises(PriceFileUnreadable) as raised:
        read_price_source(url)
    assert str(raised.value) == "answered HTTP 503"
    assert source_shown(url) == server.url("/status/503")
