"""Acknowledged work, written down before the acknowledgement (`work`), and the request that saved each
scenario and made each version (`origin`), so that a change carried out again after a crash finds it done. The work's
unique key does what `processed_event` did (an event handled once), so that table goes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", _WHEN, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_work_key"),
    )
    op.create_index("ix_work_state", "work", ["state", "created_at"])
    with op.batch_alter_table("scenario") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=100), nullable=True))
    with op.batch_alter_table("scenario_version") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=100), nullable=True))
    op.drop_index("ix_processed_event_received_at", table_name="processed_event")
    op.drop_table("processed_event")


def downgrade() -> None:
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_processed_event_received_at", "processed_event", ["received_at"])
    with op.batch_alter_table("scenario_version") as batch:
        batch.drop_column("origin")
    with op.batch_alter_table("scenario") as batch:
        batch.drop_column("origin")
    op.drop_index("ix_work_state", table_name="work")
    op.drop_table("work")
