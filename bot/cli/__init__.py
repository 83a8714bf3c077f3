"""The `costbot` command: `cost "TEXT"`, `prices [FILTER]`, `serve`, `scheduler`, `digest run`, `db upgrade|current`.

`parser` is its command line, `answers` what costing alone answers in the terminal, `workspace` what works with
Slack and the database, `entry` the `main` that runs one, `say` what they share.

Exit status: 0 on success, 2 on bad input or configuration (the message on stderr, never a traceback), 1 when
`digest run` could not post a digest that was due.
"""

from bot.cli.answers import TERMINAL_ANSWERS
from bot.cli.entry import main, run
from bot.cli.say import CACHE_ENV, PRICES_ENV

__all__ = ["CACHE_ENV", "PRICES_ENV", "TERMINAL_ANSWERS", "main", "run"]
