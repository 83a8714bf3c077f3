from __future__ import annotations

import json
import logging

from bot.listeners.commands import cost_command
from tests.bot.listeners.conftest import Recorder


def command(text: str) -> dict[str, str]:
    return {"command": "/cost", "text": text, "team_id": "T1", "channel_id": "C1", "user_id": "U1"}


def test_an_estimate_is_sent_with_the_ack_for_the_asker_only(ack: Recorder, logger: logging.Logger) -> None:
    cost_command(ack=ack, command=command("image x 50k per day"), logger=logger)
    answer = ack.only
    assert answer["response_type"] == "ephemeral"
    assert "per day" in answer["text"] and answer["blocks"][0]["type"] == "section"


def test_a_bare_cost_teaches_the_language(ack: Recorder, logger: logging.Logger) -> None:
    cost_command(ack=ack, command=command(""), logger=logger)
    assert ack.only["response_type"] == "ephemeral"
    assert "`/cost video 10s x 1M users`" in json.dumps(ack.only["blocks"])


def test_a_subcommand_of_a_later_feature_says_it_is_not_here_yet(ack: Recorder, logger: logging.Logger) -> None:
    cost_command(ack=ack, command=command("save launch video 10s"), logger=logger)
    assert "saved scenarios" in ack.only["text"] and "doesn't have yet" in ack.only["text"]


def test_a_broken_price_book_is_reported_not_raised(
    ack: Recorder, logger: logging.Logger, tmp_path, monkeypatch
) -> None:
    book = tmp_path / "prices.yaml"
    book.write_text("- id: [unclosed\n")
    monkeypatch.setenv("COSTBOT_PRICES", str(book))
    cost_command(ack=ack, command=command("video 10s"), logger=logger)
    assert "price book has a problem" in ack.only["text"]
