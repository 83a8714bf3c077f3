"""`python -m bot.cli`: the `costbot` command."""

from bot.cli.entry import run

run()
