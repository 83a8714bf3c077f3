"""deploy/: the Slack app manifest asks for what the code uses, no more; the container runs `costbot serve`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "deploy" / "manifest.yml").read_text())

# Web API methods the bot calls -> the bot scope each needs (None: no scope).
METHOD_SCOPES = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_getPermalink": None,
    "conversations_info": "channels:read groups:read",
    "conversations_history": "channels:history groups:history",  # a digest retry looks for its own post
    "conversations_replies": "channels:history groups:history",  # … and whether its thread got there
    "files_upload_v2": "files:write",  # the digest's chart
    "conversations_join": "channels:join",
    "users_info": "users:read",
    "views_open": None,
    "views_publish": None,
}
# Events the code listens to -> the manifest's subscriptions and the scope of each.
EVENT_SUBSCRIPTIONS = {
    "app_mention": {"app_mention": "app_mentions:read"},
    "app_home_opened": {"app_home_opened": None},
    "message": {"message.channels": "channels:history", "message.groups": "groups:history", "message.im": "im:history"},
    "app_uninstalled": {"app_uninstalled": None},  # installs: the workspace's tokens are removed
    "tokens_revoked": {"tokens_revoked": None},
}


def bot_source() -> str:
    return "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses() -> None:
    source = bot_source()
    methods = set(re.findall(r"\bclient\.(\w+)\(", source))
    assert methods <= set(METHOD_SCOPES), f"add the scopes of {methods - set(METHOD_SCOPES)} to this test"
    events = set(re.findall(r"app\.event\(\"(\w+)\"\)", source))
    assert events <= set(EVENT_SUBSCRIPTIONS), f"add {events - set(EVENT_SUBSCRIPTIONS)} to this test"
    subscriptions = {name: scope for e in events for name, scope in EVENT_SUBSCRIPTIONS[e].items()}
    needed = {"commands"} | {s for m in methods if METHOD_SCOPES[m] for s in METHOD_SCOPES[m].split()}
    needed |= {scope for scope in subscriptions.values() if scope}
    # chat:write.public lets Share post in public channels the bot was never invited to.
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed | {"chat:write.public"}
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == set(subscriptions)


def test_the_manifest_offers_the_shortcut_and_home_tab_the_code_handles() -> None:
    from bot.listeners.shortcuts import ESTIMATE_SHORTCUT

    (shortcut,) = MANIFEST["features"]["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["callback_id"] == ESTIMATE_SHORTCUT
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    # The Messages tab takes /cost-style text (bot.listeners.events.direct_message).
    app_home = MANIFEST["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True and app_home["messages_tab_read_only_enabled"] is False


def test_the_manifest_routes_commands_events_and_interactivity_to_one_url() -> None:
    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/cost"
    urls = {
        command["url"],
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_the_image_serves_http_on_the_port_the_compose_file_publishes() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yml").read_text())
    service = compose["services"]["costbot"]
    assert 'CMD ["serve", "--port", "3000"]' in dockerfile and "EXPOSE 3000" in dockerfile
    assert service["command"] == ["serve", "--port", "3000"] and "3000:3000" in service["ports"]
    assert (ROOT / service["build"]["context"].replace("..", ".") / service["build"]["dockerfile"]).exists()


COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yml").read_text())
#: The compose services that run the costbot image.
COSTBOT_SERVICES = {name: spec for name, spec in COMPOSE["services"].items() if spec.get("image") == "costbot:latest"}


def test_the_compose_file_has_a_profile_for_each_way_to_run_and_the_readme_a_recipe_for_each() -> None:
    profiles = {profile for spec in COMPOSE["services"].values() for profile in spec["profiles"]}
    assert profiles == {"laptop", "http", "replicas"}
    readme = (ROOT / "README.md").read_text()
    for profile in profiles:  # each recipe as the README gives it, before the reference part
        recipe = f"docker compose -f deploy/compose.yml --profile {profile} up --build"
        assert recipe in readme and readme.index(recipe) < readme.index("## Using it"), profile
    commands = {name: spec["command"] for name, spec in COSTBOT_SERVICES.items()}
    assert commands == {
        "laptop": ["serve", "--socket"],
        "costbot": ["serve", "--port", "3000"],
        "migrate": ["db", "upgrade"],
        "web": ["serve", "--no-scheduler", "--port", "3000"],
        "scheduler": ["scheduler", "--metrics-port", "9100"],
    }


def test_the_replicas_run_on_postgresql_with_the_url_the_readme_gives_and_the_others_on_sqlite() -> None:
    postgres = COMPOSE["services"]["postgres"]
    env = postgres["environment"]
    url = f"postgresql+psycopg://{env['POSTGRES_USER']}:costbot@postgres:5432/{env['POSTGRES_DB']}"
    assert url in (ROOT / "README.md").read_text()
    assert postgres["profiles"] == ["replicas"] and postgres["healthcheck"]
    for name, spec in COSTBOT_SERVICES.items():
        database = spec["environment"]["DATABASE_URL"]
        if spec["profiles"] == ["replicas"]:
            assert database.replace("${POSTGRES_PASSWORD:-costbot}", "costbot") == url, name
        else:
            assert database == "sqlite:////data/costbot.db" and "costbot-data:/data" in spec["volumes"], name
    assert COMPOSE["services"]["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_costbot_container_is_read_only_with_a_writable_tmp_for_the_digest_chart() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "MPLCONFIGDIR=/tmp/matplotlib" in dockerfile
    for name, spec in COSTBOT_SERVICES.items():
        assert spec["read_only"] is True and "/tmp" in spec["tmpfs"], name


def test_the_proxy_publishes_only_slack_the_install_pages_and_healthz() -> None:
    proxy = COMPOSE["services"]["proxy"]
    assert proxy["ports"] == ["3000:8080"] and "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert set(re.findall(r"location ([^{]+) \{", conf)) == {"/slack/", "= /healthz", "/"}
    assert "return 404;" in conf.split("location / {")[1]
    assert all("ports" not in spec for name, spec in COSTBOT_SERVICES.items() if name != "costbot")


def _tool(name: str) -> str:
    """A checking tool of `pip install '.[dev]'`, from this Python's environment."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed: pip install '.[dev]'")
    return found


def test_the_dockerfile_is_hadolint_clean(tmp_path: Path) -> None:
    hadolint = _tool("hadolint")
    result = subprocess.run([hadolint, "deploy/Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    named = tmp_path / "Dockerfile"  # the check can fail: a user by name is one of hadolint's findings
    named.write_text((ROOT / "deploy" / "Dockerfile").read_text().replace("USER 10001", "USER costbot"))
    assert "DL3066" in subprocess.run([hadolint, str(named)], capture_output=True, text=True).stdout


def test_the_compose_file_and_dependabot_config_are_valid_against_their_schemas(tmp_path: Path) -> None:
    check = _tool("check-jsonschema")
    for schema, path in (
        ("vendor.compose-spec", "deploy/compose.yml"),
        ("vendor.dependabot", ".github/dependabot.yml"),
    ):
        result = subprocess.run([check, "--builtin-schema", schema, path], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    # The check can fail: a setting compose doesn't know, where every costbot service takes it from.
    wrong = tmp_path / "compose.yml"
    wrong.write_text((ROOT / "deploy" / "compose.yml").read_text().replace("\n  read_only: true", "\n  readonly: true"))
    result = subprocess.run(
        [check, "--builtin-schema", "vendor.compose-spec", str(wrong)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "'readonly' was unexpected" in result.stdout


def test_the_image_is_pinned_by_digest_and_runs_as_a_numeric_non_root_user() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert len(bases) == 2 and len(set(bases)) == 1
    assert re.fullmatch(r"python:3\.11-slim-\w+@sha256:[0-9a-f]{64}", bases[0])
    (user,) = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user.isdigit() and int(user) > 0 and f"--uid {user}" in dockerfile
    # Migrations before start: `serve` upgrades the schema itself; with replicas, `migrate` does it first.
    assert all(
        spec["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        for name, spec in COSTBOT_SERVICES.items()
        if spec["profiles"] == ["replicas"] and name != "migrate"
    )


def test_the_settings_template_names_what_each_recipe_needs() -> None:
    template = (ROOT / "deploy" / "env.example").read_text()
    settings = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", template, re.MULTILINE))
    needed = {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "POSTGRES_PASSWORD"}
    needed |= {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "COSTBOT_PUBLIC_URL"}
    assert needed <= settings
    assert not re.search(r"^[A-Z_]+=(xox|xapp)", template, re.MULTILINE)  # placeholders, not tokens


def test_the_image_caches_the_parsed_data_files_where_a_read_only_container_can_read_them(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    (cache_dir,) = re.findall(r"COSTBOT_CACHE_DIR=(\S+)", dockerfile)
    assert cache_dir.startswith("/opt/")  # outside /data (a volume) and /tmp (a tmpfs): part of the image
    warm_up = re.findall(r'costbot (cost "[^"]+")', dockerfile)
    assert warm_up
    # The build's warm-up commands, run here against a directory standing in for the image's.
    env = {**os.environ, "COSTBOT_CACHE_DIR": str(tmp_path)}
    for command in warm_up:
        text = command.removeprefix("cost ").strip('"')
        command_line = [sys.executable, "-m", "bot.cli", "cost", text]
        subprocess.run(command_line, env=env, check=True, capture_output=True, cwd=ROOT)
    cached = {p.name.split("-")[0] for p in tmp_path.glob("*.json")}
    assert {"catalog", "calibration", "classes", "lifecycle", "aliases"} <= cached


def test_the_compose_file_passes_the_price_refresh_setting_through() -> None:
    for name, spec in COSTBOT_SERVICES.items():
        assert spec["environment"]["COSTBOT_PRICE_UPDATES"] == "${COSTBOT_PRICE_UPDATES:-off}", name


def _locked() -> dict[str, str]:
    """deploy/requirements.lock's pins: name -> version."""
    text = (ROOT / "deploy" / "requirements.lock").read_text()
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.MULTILINE)}


def test_the_lock_pins_every_dependency_within_pyprojects_bounds_and_hashes_every_pin() -> None:
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    locked = {canonicalize_name(name): version for name, version in _locked().items()}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for line in declared:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in deploy/requirements.lock: regenerate it (its first lines say how)"
        assert requirement.specifier.contains(locked[name], prereleases=True), (name, locked[name], line)
    text = (ROOT / "deploy" / "requirements.lock").read_text()
    assert all(block.count("--hash=sha256:") for block in text.split("==")[1:])  # a hash for every pin


def test_the_image_installs_the_locked_dependencies_by_hash_then_costbot_alone() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r /tmp/requirements.lock" in dockerfile
    assert "pip wheel --no-cache-dir --no-deps" in dockerfile and "pip install --no-cache-dir --no-deps" in dockerfile
