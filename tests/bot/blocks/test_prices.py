from __future__ import annotations

import json

from bot.blocks import prices_message
from costing.prices import list_prices


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
