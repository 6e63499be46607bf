"""Forget user and chat hashes made before USER_HASH_KEY had to be secret.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Until this revision USER_HASH_KEY defaulted to a constant in the source, and an HMAC under a
known key is reversible by enumerating ids. Which rows were made with it cannot be told from a
hash (re-keying would need the ids the hashes hide), so every hash written before is purged: the
query log keeps its questions without user or chat (feedback on old answers and /olvidar for
them are lost), per-chat context, rate-limit hits and the update journal's undelivered updates
(encrypted under the same key) go. From now on the key is random or configured (bot/hash_key.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text("UPDATE query_log SET user_hash = NULL, chat_hash = NULL"))
    for table in ("chat_state", "rate_limit_hit", "update_journal"):
        op.execute(sa.text(f"DELETE FROM {table}"))


def downgrade() -> None:
    pass  # nothing to restore: the purged hashes are gone for good
