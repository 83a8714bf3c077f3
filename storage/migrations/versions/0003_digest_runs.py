"""Digest runs: `digest now` runs (no week), when each was due, its permalink and the figures it showed; and
each scenario's figures (the part of its estimate a digest reads), filled in for the scenarios saved so far.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_BATCH = 500


def _figures(estimate: dict[str, Any]) -> dict[str, Any]:
    # costing.digest.figures_json as of this revision, written out: a migration must not change when costing does.
    value = estimate.get("value")
    sections = estimate.get("sections") or {}
    return {
        "text": estimate["text"],
        "sections": {k: sections[k] for k in ("workload", "model", "price") if sections.get(k)},
        "model": estimate["model"],
        "model_name": estimate["model_name"],
        "unit": estimate["unit"],
        "quantity": str(estimate["quantity"]),
        "period": estimate.get("period"),
        "api": {"unit_usd": str(estimate["api"]["unit_usd"])},
        "compute": {"unit_usd": str(estimate["compute"]["unit_usd"])},
        "value": None
        if not value
        else {
            "total_usd": str(value["total_usd"]),
            "period": value.get("period"),
            "description": value.get("description", ""),
        },
    }


def _fill_figures() -> None:
    scenario = sa.table(
        "scenario", sa.column("id", sa.Integer()), sa.column("estimate", sa.JSON()), sa.column("figures", sa.JSON())
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(scenario.c.id, scenario.c.estimate)
            .where(scenario.c.id > last)
            .order_by(scenario.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for id_, estimate in rows:
            connection.execute(scenario.update().where(scenario.c.id == id_).values(figures=_figures(estimate)))
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("scenario") as batch:
        batch.add_column(sa.Column("figures", sa.JSON(), nullable=True))
    _fill_figures()
    with op.batch_alter_table("scenario") as batch:
        batch.alter_column("figures", existing_type=sa.JSON(), nullable=False)
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
    with op.batch_alter_table("scenario") as batch:
        batch.drop_column("figures")
    op.execute("DELETE FROM digest_run WHERE week IS NULL")
    with op.batch_alter_table("digest_run") as batch:
        batch.drop_index("ix_digest_run_channel")
        batch.alter_column("week", existing_type=sa.String(length=16), nullable=False)
        batch.drop_column("figures")
        batch.drop_column("permalink")
        batch.drop_column("due_at")
        batch.drop_column("kind")
