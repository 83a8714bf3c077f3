from __future__ import annotations

from bot.blocks import SAVE_CALLBACK, read_save_submission, save_modal
from bot.blocks.save import NAME_BLOCK
from storage.models import MAX_NAME_LENGTH


def test_the_modal_shows_what_is_saved_and_asks_for_a_name() -> None:
    view = save_modal("video 10s x 1M users", private_metadata='{"channel": "C0GENERAL"}')
    assert view["type"] == "modal" and view["callback_id"] == SAVE_CALLBACK
    assert view["private_metadata"] == '{"channel": "C0GENERAL"}'
    assert view["submit"]["text"] == "Save"
    shown, field = view["blocks"]
    assert shown["text"]["text"] == "`/cost video 10s x 1M users`"
    assert field["block_id"] == NAME_BLOCK and field["label"]["text"] == "Name"


def test_the_name_field_is_limited_to_the_longest_name() -> None:
    field = save_modal("image", private_metadata="{}")["blocks"][1]
    assert field["element"]["max_length"] == MAX_NAME_LENGTH


def test_the_text_shown_is_escaped() -> None:
    shown = save_modal("image <!channel> & co", private_metadata="{}")["blocks"][0]["text"]["text"]
    assert shown == "`/cost image &lt;!channel&gt; &amp; co`"


def test_the_submission_gives_the_name_typed_trimmed() -> None:
    action = save_modal("image", private_metadata="{}")["blocks"][1]["element"]["action_id"]
    assert read_save_submission({NAME_BLOCK: {action: {"type": "plain_text_input", "value": "  launch plan "}}}) == (
        "launch plan"
    )


def test_an_empty_or_missing_name_reads_as_empty() -> None:
    assert read_save_submission({NAME_BLOCK: {"name": {"value": None}}}) == ""
    assert read_save_submission({}) == ""
