"""Attributed facts, clauses and table roles (the knowledge layer of answer engine v2).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Adds to `fact` what each figure means, counts and is about, its clause and its origin (prose,
highlight or a table cell); to `report_table` its role, heading and column readings; to
`table_row` total rows and their parent; and the new `clause` table. Existing rows keep working:
every new column has a server default or is nullable. Stored reports are re-ingested at start-up
anyway (the ingest fingerprint changed), which fills the new columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def _fact_columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("source", sa.String(length=16), nullable=False, server_default="prose"),
        sa.Column("meaning", sa.String(length=16), nullable=False, server_default="other"),
        sa.Column("counted", sa.String(), nullable=True),
        sa.Column("subject", sa.String(), nullable=True),
        sa.Column("period", sa.String(length=32), nullable=True),
        sa.Column("total", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("part_of", sa.Integer(), nullable=True),
        sa.Column("clause", sa.Text(), nullable=False, server_default=""),
        sa.Column("clause_line", sa.Integer(), nullable=True),
        sa.Column("clause_index", sa.Integer(), nullable=True),
        sa.Column("table_key", sa.String(length=64), nullable=True),
        sa.Column("row_index", sa.Integer(), nullable=True),
        sa.Column("col_index", sa.Integer(), nullable=True),
        sa.Column("header", sa.String(), nullable=True),
    )


def _table_columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column("role", sa.String(length=24), nullable=False, server_default="other"),
        sa.Column("heading", sa.Text(), nullable=False, server_default=""),
        sa.Column("columns", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("label_column", sa.Integer(), nullable=True),
    )


def _row_columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column("total", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("parent", sa.Integer(), nullable=True),
    )


def upgrade() -> None:
    for column in _fact_columns():
        op.add_column("fact", column)
    op.create_index(op.f("ix_fact_meaning"), "fact", ["meaning"], unique=False)
    for column in _table_columns():
        op.add_column("report_table", column)
    for column in _row_columns():
        op.add_column("table_row", column)
    op.create_table(
        "clause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("sentence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_clause_report_id_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clause")),
    )
    op.create_index(op.f("ix_clause_report_id"), "clause", ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_clause_report_id"), table_name="clause")
    op.drop_table("clause")
    op.drop_index(op.f("ix_fact_meaning"), table_name="fact")
    with op.batch_alter_table("table_row") as batch:
        for column in _row_columns():
            batch.drop_column(column.name)
    with op.batch_alter_table("report_table") as batch:
        for column in _table_columns():
            batch.drop_column(column.name)
    with op.batch_alter_table("fact") as batch:
        for column in _fact_columns():
            batch.drop_column(column.name)
