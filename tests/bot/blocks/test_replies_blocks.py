"""Help, prices and errors as messages."""

from __future__ import annotations

import json

from bot.blocks import error_message, help_message, prices_message
from costing import EstimateError
from costing.prices import list_prices


def test_help_has_every_example_ready_to_copy() -> None:
    text = json.dumps(help_message())
    assert "`/cost video 10s x 1M users`" in text and "`/cost prices veo`" in text


def test_prices_without_a_filter_summarise_by_kind() -> None:
    message = prices_message(list_prices(""))
    text = json.dumps(message)
    assert "`/cost prices video`" in text and "token-priced models" in text
    assert len(message["blocks"]) <= 50


def test_prices_with_a_filter_list_rows_with_source_and_date() -> None:
    message = prices_message(list_prices("veo-3.1-fast"))
    row = message["blocks"][0]["text"]["text"].splitlines()[1]
    assert row.startswith("`veo-3.1-fast`") and "checked 20" in row and "|" in row


def test_a_long_listing_stops_and_asks_for_a_narrower_filter() -> None:
    message = prices_message(list_prices("image"))
    text = json.dumps(message)
    assert "more; narrow the filter" in text
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"])


def test_no_match_says_what_to_try_and_escapes_the_filter() -> None:
    message = prices_message(list_prices("<!here>"))
    assert "&lt;!here&gt;" in message["text"] and "<!here>" not in json.dumps(message)


def test_an_error_shows_the_problem_the_place_and_an_example() -> None:
    error = EstimateError("I don't understand 'vidoe'.", fragment="vidoe", position=1, suggestion="video",
                          example="video 10s x 1M users")  # fmt: skip
    message = error_message(error, "vidoe 10s <!channel>")
    text = message["blocks"][0]["text"]["text"]
    assert "Did you mean *video*?" in text
    assert "`/cost vidoe 10s &lt;!channel&gt;` — at character 1" in text
    assert "Try: `/cost video 10s x 1M users`" in text
    assert "<!channel>" not in json.dumps(message)
