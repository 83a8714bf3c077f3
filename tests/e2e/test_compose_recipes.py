"""deploy/compose.yml's three recipes, run without a Docker engine: each costbot service's own command and
environment (this checkout's code, the fake Slack, a test database), the image's health checks against them,
and for `replicas` the real nginx with deploy/nginx.conf in front of two replicas."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.checkout import COSTBOT, ROOT
from tests.databases import fresh_postgres_url
from tests.e2e.conftest import RunningBot, bot_environment, get, start_bot, start_costbot, stop_bot
from tests.fakeslack import APP_TOKEN, FORM, FakeSlack, command_body, post, sign

COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yml").read_text())
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()


def service(name: str) -> dict[str, Any]:
    return COMPOSE["services"][name]


def environment(name: str, **overrides: str) -> dict[str, str]:
    """A service's environment as compose would set it with nothing in the shell (`${X:-default}` → default)."""
    values = {
        key: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value)) for key, value in service(name)["environment"].items()
    }
    return {**values, **overrides}


def on_port(command: list[str], port: int | str) -> tuple[str, ...]:
    """The service's command with the port it names (3000, 9100) replaced: the only change a test makes."""
    flags = {"--port", "--metrics-port"}
    return tuple(str(port) if i and command[i - 1] in flags else part for i, part in enumerate(command))


def image_health_check(port: int) -> list[str]:
    """The Dockerfile's HEALTHCHECK command, aimed at `port` instead of 3000."""
    (command,) = re.findall(r"HEALTHCHECK[^\n]*\\\n\s+CMD (\[.*\])", DOCKERFILE)
    return [part.replace(":3000/", f":{port}/") for part in json.loads(command)]


def service_health_check(name: str, port: int) -> list[str]:
    test = service(name)["healthcheck"]["test"]
    assert test[0] == "CMD"
    return [part.replace(":9100/", f":{port}/") for part in test[1:]]


def run_check(command: list[str]) -> int:
    assert command[0] == "python"  # the image's python; here, this one
    return subprocess.run([sys.executable, *command[1:]], capture_output=True, timeout=10).returncode


def slash(url: str, fake: FakeSlack, text: str) -> tuple[int, dict[str, Any]]:
    body = command_body(text, response_url=fake.response_url())
    status, raw = post(f"{url}/slack/events", body, {**FORM, **sign(body)})
    return status, json.loads(raw) if raw.startswith(b"{") else {}


def status_of(url: str) -> int:
    try:
        return get(url)[0]
    except urllib.error.HTTPError as error:
        return error.code


def test_laptop_answers_over_socket_mode_from_a_sqlite_file(tmp_path: Path) -> None:
    laptop = service("laptop")
    assert laptop["profiles"] == ["laptop"] and "ports" not in laptop and laptop["healthcheck"] == {"disable": True}
    fake = FakeSlack().start()
    fake.start_socket_mode()
    database = tmp_path / "data" / "costbot.db"
    database.parent.mkdir()
    env = environment("laptop", DATABASE_URL=f"sqlite:///{database}", SLACK_APP_TOKEN=APP_TOKEN)
    assert env["DATABASE_URL"] != environment("laptop")["DATABASE_URL"]  # it was sqlite:////data/costbot.db
    bot, _ = start_costbot(
        fake, tmp_path, tuple(laptop["command"]), r"Socket Mode", unset=("SLACK_SIGNING_SECRET",), **env
    )
    try:
        payload = dict(
            urllib.parse.parse_qsl(command_body("video 10s x 1M users", response_url=fake.response_url()).decode())
        )
        ack = fake.send_envelope("slash_commands", payload, envelope_id="env-1")
        assert "$1,000,000" in ack.body["text"]
        assert database.exists()  # migrated at start, in the file the recipe names
    finally:
        stop_bot(bot)
        fake.stop()


def test_http_serves_slack_and_passes_the_images_health_check(fake_slack: FakeSlack, tmp_path: Path) -> None:
    http = service("costbot")
    assert http["profiles"] == ["http"] and http["command"] == ["serve", "--port", "3000"]
    env = environment("costbot", DATABASE_URL=f"sqlite:///{tmp_path / 'costbot.db'}")
    bot = start_bot(fake_slack, tmp_path, *on_port(http["command"], 0)[1:], **env)
    try:
        port = int(bot.url.rsplit(":", 1)[1])
        assert run_check(image_health_check(port)) == 0
        status, answer = slash(bot.url, fake_slack, "chat 1500 in 500 out x 200k per day")
        assert status == 200 and "per day" in answer["text"]
        assert json.loads(get(f"{bot.url}/readyz")[1])["scheduler"].startswith("running")  # it posts digests too
    finally:
        stop_bot(bot)
    assert run_check(image_health_check(port)) != 0  # the check fails once nothing answers: it can tell


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def nginx_in_front_of(replicas: list[RunningBot], workdir: Path) -> Iterator[str]:
    """deploy/nginx.conf in the real nginx, listening on a free port, with the compose network's `web`
    replaced by an upstream of the replicas' addresses (the only changes)."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    workdir.mkdir()
    port = free_port()
    assert "listen 8080;" in conf and "set $replicas http://web:3000;" in conf
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};").replace("http://web:3000", "http://replicas")
    servers = "".join(f"server {bot.url.removeprefix('http://')};" for bot in replicas)
    temp = " ".join(
        f"{kind}_temp_path {workdir}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (workdir / "nginx.conf").write_text(
        f"pid {workdir}/nginx.pid; error_log {workdir}/error.log; daemon off; events {{}}\n"
        f"http {{ access_log off; {temp} upstream replicas {{ {servers} }}\n{conf}\n}}\n"
    )
    process = subprocess.Popen(["nginx", "-p", str(workdir), "-c", str(workdir / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(500):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.02)  # waiting for nginx to listen, not timing anything
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_replicas_share_postgresql_behind_nginx_with_a_scheduler_of_their_own(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx); the replicas recipe needs its proxy")
    names = {name for name, spec in COMPOSE["services"].items() if spec.get("profiles") == ["replicas"]}
    assert names == {"migrate", "web", "scheduler", "proxy", "postgres"}
    assert service("web")["deploy"]["replicas"] == 2 and "ports" not in service("web")
    assert service("web")["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    with fresh_postgres_url() as url, ExitStack() as running:
        # migrate: the schema, once, before anything starts.
        (tmp_path / "migrate").mkdir()
        migrate = subprocess.run(
            [*COSTBOT, *service("migrate")["command"]],
            cwd=tmp_path / "migrate", env=bot_environment(fake_slack, **environment("migrate", DATABASE_URL=url)),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        replicas = []
        for n in range(service("web")["deploy"]["replicas"]):
            (tmp_path / f"web{n}").mkdir()
            env = environment("web", DATABASE_URL=url)
            bot = start_bot(fake_slack, tmp_path / f"web{n}", *on_port(service("web")["command"], 0)[1:], **env)
            running.callback(stop_bot, bot)
            replicas.append(bot)
        (tmp_path / "scheduler").mkdir()
        scheduler, metrics = start_costbot(
            fake_slack, tmp_path / "scheduler", on_port(service("scheduler")["command"], 0),
            r"metrics at (http://[\d.]+:(\d+)/metrics)", **environment("scheduler", DATABASE_URL=url),
        )  # fmt: skip
        running.callback(stop_bot, scheduler)
        proxy = running.enter_context(nginx_in_front_of(replicas, tmp_path / "nginx"))

        answers = [slash(proxy, fake_slack, f"video {n + 5}s x 1k users") for n in range(6)]
        assert all(
            status == 200 and answer["text"].startswith(f"1,000 × {n + 5} s video")
            for n, (status, answer) in enumerate(answers)
        ), answers
        for bot in replicas:  # each replica answered some of them, and logs JSON lines (the recipe's format)
            lines = [json.loads(line) for line in bot.log_text().splitlines() if line.startswith("{")]
            assert any(line.get("kind") == "command:estimate" and line.get("outcome") == "ok" for line in lines)
            assert json.loads(get(f"{bot.url}/readyz")[1])["scheduler"] == "off here (--no-scheduler)"
            assert run_check(image_health_check(int(bot.url.rsplit(":", 1)[1]))) == 0
        assert status_of(f"{proxy}/healthz") == 200
        assert status_of(f"{proxy}/metrics") == 404 and status_of(f"{proxy}/readyz") == 404  # kept inside
        assert status_of(f"{proxy}/slack/install") == 404  # one workspace here: no install page, from a replica

        # The scheduler leads (one process on PostgreSQL), and its health check asks its metrics port.
        assert run_check(service_health_check("scheduler", int(metrics.group(2)))) == 0
        scraped = get(metrics.group(1))[1].decode()
        assert "costbot_scheduler_leading 1.0" in scraped and "costbot_scheduler_running 1.0" in scraped
