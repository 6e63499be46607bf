"""The Alembic migrations build exactly the schema db/models.py declares, on both backends."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, inspect
from sqlmodel import Session, SQLModel, select

from db.engine import make_engine
from db.migrate import MIGRATIONS_DIR, current_revision, downgrade, head_revision, upgrade
from db.models import QueryLog
from db.store import knowledge_version

ROOT = Path(__file__).resolve().parent.parent


def schema_diffs(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrated_schema_equals_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert schema_diffs(engine, SQLModel.metadata) == []


def test_schema_comparison_notices_drift(engine: Engine) -> None:
    # Guards the test above: a model change without a migration must show up as a diff.
    drifted = MetaData(naming_convention=SQLModel.metadata.naming_convention)
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["query_log"].append_column(Column("new_column", Integer, nullable=True))
    diffs = schema_diffs(engine, drifted)
    assert [d[0] for d in diffs if isinstance(d, tuple)] == ["add_column"]


def test_upgrade_twice_keeps_operational_data(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(QueryLog(question="¿cuánta inversión?", status="answered"))
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        questions = session.exec(select(QueryLog.question)).all()
    assert list(questions) == ["¿cuánta inversión?"]


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(engine) is None
    upgrade(engine)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    assert knowledge_version(engine) == 0


def test_concurrent_upgrades_take_turns(database_url: str) -> None:
    # Several workers (processes) starting at once on an empty database must all come up.
    # Each imports first, says so, and upgrades when told: on a loaded machine the imports
    # (seconds) would otherwise stagger the upgrades instead of starting them together.
    code = (
        "import sys; from db.migrate import upgrade; print('ready', flush=True); "
        "sys.stdin.readline(); upgrade(sys.argv[1])"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code, database_url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            line = worker.stdout.readline()
            assert line == "ready\n", (line, worker.communicate(timeout=60)[1])
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        # communicate reads both pipes while waiting: a chatty worker can never block on a
        # full pipe; the timeout only bounds a hung worker, however loaded the machine.
        outcomes = [(worker.communicate(timeout=300)[1], worker.returncode) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert [code for _, code in outcomes] == [0, 0, 0], [err for err, _ in outcomes]
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
        assert knowledge_version(engine) == 0
    finally:
        engine.dispose()


def test_every_migration_file_is_packaged() -> None:
    # A migration missing from the wheel would leave installed copies on an old schema.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["db"]
    db_dir = MIGRATIONS_DIR.parent
    files = {p for p in MIGRATIONS_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert files, "no migration files found"
    packaged = {p for pattern in patterns for p in db_dir.glob(pattern)}
    assert sorted(files - packaged) == []
