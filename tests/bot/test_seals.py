"""bot.seals: what the bot round-trips through Slack comes back as sealed, or not at all; response URLs are
Slack's or refused."""

from __future__ import annotations

import pytest

from bot.seals import Seal, is_response_url

WHERE = {"channel": "C0GENERAL", "response_url": "https://hooks.slack.com/commands/T1/2/x", "text": "video 10s"}


def test_what_is_sealed_opens_as_it_was() -> None:
    seal = Seal("signing-secret")
    assert seal.open(seal.seal(WHERE)) == WHERE


@pytest.mark.parametrize(
    "tamper",
    [
        lambda sealed: sealed.replace("C0GENERAL", "C0SECRET"),
        lambda sealed: sealed.replace("hooks.slack.com", "evil.example"),
        lambda sealed: sealed.split(".", 1)[1],  # the MAC taken off
        lambda sealed: "0" * 43 + "." + sealed.split(".", 1)[1],
        lambda sealed: '{"channel": "C0GENERAL"}',  # as the bot used to send it, unsealed
        lambda sealed: "",
    ],
)
def test_a_changed_or_unsealed_metadata_opens_as_none(tamper) -> None:  # type: ignore[no-untyped-def]
    seal = Seal("signing-secret")
    assert seal.open(tamper(seal.seal(WHERE))) is None


def test_another_apps_seal_does_not_open() -> None:
    assert Seal("another-secret").open(Seal("signing-secret").seal(WHERE)) is None


def test_a_sealed_list_is_not_metadata() -> None:
    seal = Seal("s")
    mac_of_list = seal.seal({"x": 1}).split(".")[0]
    assert seal.open(f"{mac_of_list}.[1]") is None


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://hooks.slack.com/commands/T1/2/secret", True),
        ("https://hooks.slack.com:443/actions/T1/2/secret", True),
        ("http://hooks.slack.com/commands/T1/2/secret", False),
        ("https://hooks.slack.com.evil.example/commands/T1/2/x", False),
        ("https://evil.example/commands/T1/2/x", False),
        ("https://user:pw@hooks.slack.com/commands/T1/2/x", False),
        ("http://127.0.0.1:4000/commands/T1/2/x", True),  # the configured Slack API's host
        ("http://127.0.0.1:4001/commands/T1/2/x", False),
        (None, False),
        (7, False),
        ("", False),
    ],
)
def test_only_slacks_response_urls_are_accepted(url: object, ok: bool) -> None:
    assert is_response_url(url, api_url="http://127.0.0.1:4000/api/") is ok


@pytest.mark.parametrize("url", ["https://hooks.slack.com:abc/x", "https://hooks.slack.com:99999/x"])
def test_a_malformed_port_is_not_slacks(url: str) -> None:
    assert is_response_url(url, api_url="https://slack.com/api/") is False


def test_metadata_with_a_non_ascii_mac_opens_as_none() -> None:
    assert Seal("s").open("é" * 43 + '.{"a": 1}') is None
