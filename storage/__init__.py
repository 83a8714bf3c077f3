"""Persistence for saved scenarios, thread replies and digests (SQLModel). Knows nothing of Slack.

Empty until the scenarios issue lands; the package exists so the layout agreed in PRODUCT.md holds from the start.
"""
