from __future__ import annotations

import json

from bot.blocks import error_message
from costing import EstimateError


def test_an_error_shows_the_problem_the_place_and_an_example() -> None:
    error = EstimateError("I don't understand 'vidoe'.", fragment="vidoe", position=1, suggestion="video",
                          example="video 10s x 1M users")  # fmt: skip
    message = error_message(error, "vidoe 10s <!channel>")
    text = message["blocks"][0]["text"]["text"]
    assert "Did you mean *video*?" in text
    assert "`/cost vidoe 10s &lt;!channel&gt;` — at character 1" in text
    assert "Try: `/cost video 10s x 1M users`" in text
    assert "<!channel>" not in json.dumps(message)
