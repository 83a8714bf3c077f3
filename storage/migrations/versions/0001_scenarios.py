"""Scenarios, their versions and thread replies; events handled; each user's last estimate.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Types as they are stored: money as exact decimal text, times with their zone (UTC).
_ID = sa.String(length=32)
_WHEN = sa.DateTime(timezone=True)
_MONEY = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _ID, nullable=False),
        sa.Column("channel_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("name_key", sa.String(length=60), nullable=False),
        sa.Column("author_id", _ID, nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("estimate", sa.JSON(), nullable=False),
        sa.Column("prices", sa.JSON(), nullable=False),
        sa.Column("value_text", sa.String(length=300), nullable=True),
        sa.Column("budget_usd_month", _MONEY, nullable=True),
        sa.Column("channel_private", sa.Boolean(), nullable=False),
        sa.Column("card_ts", _ID, nullable=True),
        sa.Column("card_permalink", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "channel_id", "name_key", name="uq_scenario_name"),
        sqlite_autoincrement=True,  # a deleted scenario's id is never reused (buttons in Slack carry ids)
    )
    op.create_index("ix_scenario_team_author", "scenario", ["team_id", "author_id"])
    op.create_index("ix_scenario_thread", "scenario", ["team_id", "channel_id", "card_ts"])
    op.create_table(
        "scenario_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", _ID, nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("estimate", sa.JSON(), nullable=False),
        sa.Column("budget_usd_month", _MONEY, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scenario_id", "number", name="uq_scenario_version_number"),
    )
    op.create_table(
        "thread_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("ts", _ID, nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("is_change", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scenario_id", "ts", name="uq_thread_reply_ts"),
    )
    op.create_table(
        "last_estimate",
        sa.Column("team_id", _ID, nullable=False),
        sa.Column("channel_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("estimated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "user_id"),
    )
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", _ID, nullable=True),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_processed_event_received_at", "processed_event", ["received_at"])


def downgrade() -> None:
    op.drop_table("processed_event")
    op.drop_table("last_estimate")
    op.drop_table("thread_reply")
    op.drop_table("scenario_version")
    op.drop_table("scenario")
