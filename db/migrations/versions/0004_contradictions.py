"""Contradictions found at ingest, per report; the last failed ingest of a report file.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contradiction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("description_es", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("sides", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"],
                                name=op.f("fk_contradiction_report_id_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contradiction")),
    )
    op.create_index(op.f("ix_contradiction_report_id"), "contradiction", ["report_id"],
                    unique=False)
    op.create_table(
        "ingest_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_failure")),
    )
    op.create_index(op.f("ix_ingest_failure_failed_at"), "ingest_failure", ["failed_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ingest_failure_failed_at"), table_name="ingest_failure")
    op.drop_table("ingest_failure")
    op.drop_index(op.f("ix_contradiction_report_id"), table_name="contradiction")
    op.drop_table("contradiction")
