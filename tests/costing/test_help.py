"""Every example in the help text works: a user can copy any of them."""

from __future__ import annotations

import pytest

from costing import Subcommand, estimate, parse_request
from costing.help import HELP_SECTIONS
from costing.schedule import parse_schedule

EXAMPLES = [example for section in HELP_SECTIONS for example in section.examples]


@pytest.mark.parametrize("example", EXAMPLES)
def test_help_examples_parse_and_price(example: str) -> None:
    request = parse_request(example)
    if isinstance(request, Subcommand):
        assert request.name in {"prices", "help", "save", "compare", "digest"}
        if request.name == "save":  # the estimate after the name must cost
            assert estimate(request.args.partition(" ")[2]).api.total_usd > 0
        action, _, schedule = request.args.partition(" ")
        if request.name == "digest" and action == "on":  # the schedule must read
            assert parse_schedule(schedule, default_timezone=None).describe()
    else:
        assert estimate(example).api.total_usd > 0


def test_help_covers_every_workload_and_the_value_side() -> None:
    text = " ".join(line for s in HELP_SECTIONS for line in (*s.lines, *s.examples))
    for word in ("video", "image", "chat", "agent", "tts", "transcribe", "embed", "value", "saves", "revenue",
                 "discount", "gpu", "per month"):  # fmt: skip
        assert word in text
