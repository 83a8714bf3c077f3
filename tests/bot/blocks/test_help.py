from __future__ import annotations

import json
from typing import Any

from bot.blocks import help_message


def test_help_has_every_example_ready_to_copy() -> None:
    text = json.dumps(help_message())
    assert "`/cost video 10s x 1M users`" in text and "`/cost prices veo`" in text


def test_help_snapshot(snapshot: Any) -> None:
    assert help_message() == snapshot
