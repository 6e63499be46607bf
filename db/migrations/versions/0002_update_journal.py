"""The update journal: long-polled updates stored before their offset is confirmed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "update_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bot_id", sa.String(length=32), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("handled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_journal")),
        sa.UniqueConstraint("bot_id", "update_id", name=op.f("uq_update_journal_bot_id_update_id")),
    )
    for column in ("created_at", "handled"):
        op.create_index(
            op.f(f"ix_update_journal_{column}"), "update_journal", [column], unique=False
        )


def downgrade() -> None:
    op.drop_table("update_journal")
