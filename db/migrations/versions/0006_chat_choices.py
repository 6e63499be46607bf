"""The choices a chat's last reply offered, so a typed "1" picks one in Telegram as in the console.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_state") as batch:
        batch.add_column(sa.Column("choices_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_state") as batch:
        batch.drop_column("choices_json")
