"""Digest runs: `digest now` runs (no week), when each was due, its permalink and the figures it showed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("digest_run") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="weekly"))
        batch.add_column(sa.Column("due_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("permalink", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("figures", sa.JSON(), nullable=True))
        batch.alter_column("week", existing_type=sa.String(length=16), nullable=True)
    op.execute("UPDATE digest_run SET due_at = claimed_at")
    with op.batch_alter_table("digest_run") as batch:
        batch.alter_column("due_at", existing_type=_WHEN, nullable=False)
        batch.alter_column("kind", existing_type=sa.String(length=16), server_default=None)
        batch.create_index("ix_digest_run_channel", ["team_id", "channel_id", "due_at"])


def downgrade() -> None:
    op.execute("DELETE FROM digest_run WHERE week IS NULL")
    with op.batch_alter_table("digest_run") as batch:
        batch.drop_index("ix_digest_run_channel")
        batch.alter_column("week", existing_type=sa.String(length=16), nullable=False)
        batch.drop_column("figures")
        batch.drop_column("permalink")
        batch.drop_column("due_at")
        batch.drop_column("kind")
