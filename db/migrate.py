"""Schema upgrades with Alembic, run from code (no alembic.ini needed, works from a wheel).

The query log and feedback tables hold data that must survive upgrades, so the schema is never
created with `metadata.create_all`: every start-up runs `upgrade(engine)` to the newest revision.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from db.engine import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Alembic keeps the running migration in module globals (alembic.context, alembic.op): two
# threads of one process must not run it at the same time. Processes coordinate in env.py.
_ALEMBIC_LOCK = threading.Lock()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Bring the database schema to `revision` (default: the newest)."""
    _run(command.upgrade, engine_or_url, revision)


def downgrade(engine_or_url: Engine | str, revision: str) -> None:
    _run(command.downgrade, engine_or_url, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(
    action: Callable[[Config, str], object], engine_or_url: Engine | str, revision: str
) -> None:
    owned = isinstance(engine_or_url, str)
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        # BEGIN IMMEDIATE on SQLite: two workers starting together take turns instead of one
        # failing with "database is locked" half-way through creating tables.
        with _ALEMBIC_LOCK, engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            action(config, revision)
            conn.commit()
    finally:
        if owned:
            engine.dispose()
