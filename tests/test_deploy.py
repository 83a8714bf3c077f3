"""deploy/: the Slack app manifest asks for what the code uses, no more; the container runs `costbot serve`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "deploy" / "manifest.yml").read_text())

# Web API methods the bot calls -> the bot scope each needs (None: no scope).
METHOD_SCOPES = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "views_open": None,
}
EVENT_SCOPES = {"app_mention": "app_mentions:read"}


def bot_source() -> str:
    return "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses() -> None:
    source = bot_source()
    methods = set(re.findall(r"\bclient\.(\w+)\(", source))
    assert methods <= set(METHOD_SCOPES), f"add the scopes of {methods - set(METHOD_SCOPES)} to this test"
    events = set(re.findall(r"app\.event\(\"(\w+)\"\)", source))
    needed = {"commands"} | {METHOD_SCOPES[m] for m in methods if METHOD_SCOPES[m]} | {EVENT_SCOPES[e] for e in events}
    # chat:write.public lets Share post in public channels the bot was never invited to.
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed | {"chat:write.public"}
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == events


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
