"""Block Kit views: pure functions from costbot's domain objects to Slack message and modal payloads.

Nothing here calls Slack; each function returns the dict a listener sends, so tests can read it as is.
"""

from bot.blocks.adjust import ADJUST_CALLBACK, adjust_modal, read_adjust_submission
from bot.blocks.errors import error_message, no_estimate_message, problem_message
from bot.blocks.estimate import ADJUST_ACTION, SAVE_ACTION, SHARE_ACTION, estimate_message
from bot.blocks.help import help_message
from bot.blocks.prices import prices_message
from bot.blocks.save import SAVE_CALLBACK, read_save_submission, save_modal

__all__ = [
    "ADJUST_ACTION",
    "ADJUST_CALLBACK",
    "SAVE_ACTION",
    "SAVE_CALLBACK",
    "SHARE_ACTION",
    "adjust_modal",
    "error_message",
    "estimate_message",
    "help_message",
    "no_estimate_message",
    "prices_message",
    "problem_message",
    "read_adjust_submission",
    "read_save_submission",
    "save_modal",
]
