"""The "Estimate cost" message shortcut."""

from __future__ import annotations

import json
import logging
from typing import Any

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


def _shortcut(text: str, respond: Recorder, logger: logging.Logger) -> dict[str, Any]:
    estimate_message_text(shortcut=shortcut_payload(text, response_url="https://hooks.example/r"), respond=respond,
                          logger=logger)  # fmt: skip
    answer = respond.only
    assert answer["response_type"] == "ephemeral"
    return answer


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("lunch at noon?", "There's no workload in that message to cost"),
        ("lunch anyone? :sandwich:", "There's no workload in that message to cost"),
        ("see <https://example.com|the deck> before the meeting", "There's no workload in that message to cost"),
        ("we should make a video for the launch 🎬", "mentions *video* but not how much of it"),
    ],
)
def test_a_message_without_an_estimate_is_told_so_not_given_a_parser_error(
    respond: Recorder, logger: logging.Logger, text: str, said: str
) -> None:
    shown = json.dumps(_shortcut(text, respond, logger), ensure_ascii=False)
    assert said in shown and "I don't understand" not in shown
    assert "/cost lunch" not in shown and "/cost see" not in shown  # never a command the user didn't type


@pytest.mark.parametrize(
    ("text", "read_as", "total"),
    [
        ("Plan: chat 1500 in 500 out x 200k per day for support", "chat 1500 in 500 out x 200k per day", "per day"),
        ("<@U0BOB> how much would 1M videos of 10s cost?", "1M videos of 10s", "$1,000,000"),
        ("```/cost image x 50k per week```", None, "per week"),
        ("*Q3 idea* :bulb: tts 30s x 10k per month, thoughts?", "tts 30s x 10k per month", "per month"),
    ],
)
def test_the_estimate_inside_prose_is_costed_and_says_what_it_read(
    respond: Recorder, logger: logging.Logger, text: str, read_as: str | None, total: str
) -> None:
    answer = _shortcut(text, respond, logger)
    shown = json.dumps(answer, ensure_ascii=False)
    assert total in answer["text"]
    if read_as is None:  # the message was a /cost line already: nothing to explain
        assert "Read from your words" not in shown
    else:
        assert f"Read from your words as `/cost {read_as}`" in shown
