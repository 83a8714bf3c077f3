"""Work proportional to what is due: each digest subscription's next due time, indexed with `active` (the
minute's pass reads only the subscriptions whose time has come; NULL until the first pass works it out), and
a user's scenarios indexed by when they changed and a user's digests by channel (App Home shows both).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digest_subscription") as batch:
        batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_digest_subscription_due", "digest_subscription", ["active", "next_due_at"])
    op.drop_index("ix_scenario_team_author", table_name="scenario")
    op.create_index("ix_scenario_team_author", "scenario", ["team_id", "author_id", "updated_at"])
    op.drop_index("ix_digest_subscription_created_by", table_name="digest_subscription")
    op.create_index("ix_digest_subscription_creator", "digest_subscription", ["team_id", "created_by", "channel_id"])


def downgrade() -> None:
    op.drop_index("ix_digest_subscription_creator", table_name="digest_subscription")
    op.create_index("ix_digest_subscription_created_by", "digest_subscription", ["created_by"])
    op.drop_index("ix_scenario_team_author", table_name="scenario")
    op.create_index("ix_scenario_team_author", "scenario", ["team_id", "author_id"])
    op.drop_index("ix_digest_subscription_due", table_name="digest_subscription")
    with op.batch_alter_table("digest_subscription") as batch:
        batch.drop_column("next_due_at")
