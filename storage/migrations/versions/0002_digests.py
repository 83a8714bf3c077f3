"""Digest subscriptions and runs (one per channel and week).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.String(length=32)
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "digest_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _ID, nullable=False),
        sa.Column("channel_id", _ID, nullable=False),
        sa.Column("created_by", _ID, nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "channel_id", name="uq_digest_subscription_channel"),
    )
    op.create_index("ix_digest_subscription_created_by", "digest_subscription", ["created_by"])
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _ID, nullable=False),
        sa.Column("channel_id", _ID, nullable=False),
        sa.Column("week", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", _WHEN, nullable=False),
        sa.Column("posted_at", _WHEN, nullable=True),
        sa.Column("message_ts", _ID, nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "channel_id", "week", name="uq_digest_run_week"),
    )


def downgrade() -> None:
    op.drop_table("digest_run")
    op.drop_table("digest_subscription")
