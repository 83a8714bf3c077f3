"""Acknowledge first, work after: Slack wants an answer within 3 seconds, Web API calls can take longer.

The app runs with `process_before_response=True`, so a listener's ack is the HTTP response as soon as the
listener returns (no waiting on a background thread); work that calls Slack runs as a Bolt *lazy* listener,
on the app's thread pool, after the acknowledgement has gone.
"""

from __future__ import annotations

from slack_bolt import Ack

__all__ = ["acknowledge"]


def acknowledge(ack: Ack) -> None:
    """An empty acknowledgement, for requests whose answer comes from the lazy listener."""
    ack()
