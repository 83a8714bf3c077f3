"""bot.payloads: what buttons carry back, read as what the bot made, anything else refused."""

from __future__ import annotations

import json

import pytest

from bot.payloads import UndoButton, WhatIfButton, read_id, read_undo_button, read_what_if_button


@pytest.mark.parametrize(("value", "read"), [("7", 7), (7, 7), ("0", None), (-1, None), ("abc", None),
                                             (1.5, None), (True, None), (None, None), (10**30, None)])  # fmt: skip
def test_an_id_is_a_positive_whole_number_the_database_could_have_given(value: object, read: int | None) -> None:
    assert read_id(value) == read


def test_the_buttons_the_bot_made_are_read_back() -> None:
    assert read_undo_button('{"deleted":3,"scenario":7}') == UndoButton(3, 7)
    what_if = json.dumps({"scenario": 7, "text": "video 10s x 2M users", "base": 2})
    assert read_what_if_button(what_if) == WhatIfButton(7, "video 10s x 2M users", 2)


@pytest.mark.parametrize(
    "value",
    ['{"deleted":3}', '{"deleted":"x","scenario":7}', '{"deleted":true,"scenario":7}', "[3, 7]", "not json",
     "[" * 100_000, '{"deleted":3,"scenario":-7}'],
)  # fmt: skip
def test_an_undo_button_the_bot_did_not_make_is_refused(value: str) -> None:
    assert read_undo_button(value) is None


@pytest.mark.parametrize(
    "value",
    ['{"scenario":7}', '{"scenario":7,"text":"  "}', '{"scenario":7,"text":"x","base":"two"}', "7", "{"],
)
def test_a_what_if_button_the_bot_did_not_make_is_refused(value: str) -> None:
    assert read_what_if_button(value) is None
