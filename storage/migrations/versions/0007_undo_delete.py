"""Deleted scenarios kept a while, whole, so that a delete can be undone (`storage.scenarios.restore_scenario`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deleted_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("deleted_by", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", _WHEN, nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=True),
        sa.Column("contents", sa.JSON(), nullable=False),
        sa.Column("restored_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,  # an Undo button carries the id: never handed out twice
    )
    op.create_index("ix_deleted_scenario_deleted_at", "deleted_scenario", ["deleted_at"])
    op.create_index("ix_deleted_scenario_origin", "deleted_scenario", ["origin"])


def downgrade() -> None:
    op.drop_index("ix_deleted_scenario_origin", table_name="deleted_scenario")
    op.drop_index("ix_deleted_scenario_deleted_at", table_name="deleted_scenario")
    op.drop_table("deleted_scenario")
