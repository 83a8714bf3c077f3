"""Saved scenarios in Slack: `/cost save|list|show|compare|delete|value|budget`, what-ifs in their threads.

- `cases`: the use cases, one per thing a user does; each returns what it did or raises a problem.
- `problems`: those problems, and the one place they are worded as replies.
- `commands`: a command's arguments → a use case → the reply.

The questions costbot asks Slack, and the channel card, are in `bot.slack_lookups`; every message is built in
`bot.blocks.scenarios`.
"""

from bot.scenarios.cases import Where
from bot.scenarios.commands import (
    SCENARIO_COMMANDS,
    delete_confirmed,
    run_scenario_command,
    save_named,
    save_what_if,
    undo_delete,
    what_if,
)

__all__ = [
    "SCENARIO_COMMANDS",
    "Where",
    "delete_confirmed",
    "run_scenario_command",
    "save_named",
    "save_what_if",
    "undo_delete",
    "what_if",
]
