"""Long-lived services built once at start: the store (migrated, ingested) and the engine."""

from __future__ import annotations

from sqlalchemy import Engine as SqlEngine

from bot.engine.core import Engine
from bot.settings import Settings


def load_engine(settings: Settings) -> tuple[Engine, SqlEngine]:
    """Open (and if needed build) the store, then load every report into an answer engine."""
    from db.store import ensure_store, load_reports

    db_engine = ensure_store(settings)
    return Engine(load_reports(db_engine)), db_engine
