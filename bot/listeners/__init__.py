"""Slack listeners, grouped by kind; each group exposes one `register(app)`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, events, modals, shortcuts

__all__ = ["register"]


def register(app: App) -> None:
    """Attach every listener group to `app`."""
    commands.register(app)
    actions.register(app)
    modals.register(app)
    events.register(app)
    shortcuts.register(app)
