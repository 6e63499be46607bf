"""Alembic environment: migrations run on the connection `db.migrate` hands over.

Run through `db.migrate.upgrade(...)` (start-up does it); for the alembic command line, the
database comes from the project settings (DATABASE_URL).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables on SQLModel.metadata)

# Any fixed number: PostgreSQL advisory lock that makes concurrent upgrades take turns.
MIGRATION_LOCK_ID = 7_342_019_2020

target_metadata = SQLModel.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # One transaction for the whole upgrade on every backend. Alembic's SQLite default
        # (transactional_ddl=False) commits after each migration, which released the write
        # lock (BEGIN IMMEDIATE, db.migrate) between them: a second worker starting at the
        # same moment ran the next migration too and failed on a column that already existed.
        # SQLite's DDL is transactional; db.engine makes pysqlite emit BEGIN itself.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from bot.settings import get_settings
    from db.engine import make_engine

    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            run_on(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("informe-bot migrations run online only (db.migrate.upgrade)")
main()
