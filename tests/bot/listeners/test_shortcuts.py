"""The "Estimate cost" message shortcut."""

from __future__ import annotations

import logging

import pytest

from bot.listeners.shortcuts import estimate_message_text, message_text
from tests.bot.listeners.conftest import Recorder
from tests.fakeslack import shortcut_payload


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        ("<@U0BOB> video 10s x 1M users", "video 10s x 1M users"),
        ("<@U0BOB|bob> <#C0GENERAL|general> image x 3 <!here>", "image x 3"),
        ("<https://example.com/plan|video 10s> x 3", "video 10s x 3"),
        ("see <https://example.com/plan> image x 3", "see image x 3"),
        ("/cost image x 3", "image x 3"),
        ("`/COST image x 3`", "image x 3"),
        ("  image\n  x   3 ", "image x 3"),
        ("", ""),
    ],
)
def test_the_text_to_cost_drops_mentions_keeps_link_text_and_a_leading_cost(text: str, cost: str) -> None:
    assert message_text(text) == cost


def test_a_cost_inside_the_text_is_kept() -> None:
    assert message_text("run /cost image x 3") == "run /cost image x 3"


def test_the_estimate_is_for_the_user_alone(respond: Recorder, logger: logging.Logger) -> None:
    shortcut = shortcut_payload("<@U0BOB> video 10s x 1M users", response_url="https://hooks.example/r")
    estimate_message_text(shortcut=shortcut, respond=respond, logger=logger)
    answer = respond.only
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert answer["text"].startswith("1,000,000 × 10 s video") and "$1,000,000" in answer["text"]


def test_a_message_without_text_says_so(respond: Recorder, logger: logging.Logger) -> None:
    shortcut = shortcut_payload("<@U0BOB>", response_url="https://hooks.example/r")
    estimate_message_text(shortcut=shortcut, respond=respond, logger=logger)
    assert respond.only["response_type"] == "ephemeral"
    assert respond.only["text"] == "That message has no text to estimate."


def test_a_message_that_is_no_estimate_gets_the_error_privately(respond: Recorder, logger: logging.Logger) -> None:
    shortcut = shortcut_payload("lunch at noon?", response_url="https://hooks.example/r")
    estimate_message_text(shortcut=shortcut, respond=respond, logger=logger)
    answer = respond.only
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"].startswith(":thinking_face:")
