"""Shared fixtures: a database URL per backend, a migrated engine, the parsed bundled report.

PostgreSQL tests use the server at 127.0.0.1:5432 (trust auth, database `test`, user
`postgres`); each test gets its own freshly created database, dropped afterwards, because the
server is shared and never reset. Without a server they skip, unless REQUIRE_POSTGRES=1 (CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine

from bot.engine.core import Engine as AnswerEngine
from bot.settings import DEFAULT_REPORT_PATH
from db.engine import make_engine
from db.migrate import upgrade
from knowledge.model import ParsedReport
from tests.bundled import bundled_engine, bundled_report

POSTGRES_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
BUNDLED_REPORT: Path = DEFAULT_REPORT_PATH


@pytest.fixture(scope="session", autouse=True)
def _hash_key_file_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`serve` without USER_HASH_KEY generates one into a file: in tests (and the processes
    they start), a temporary one rather than the user data directory of the machine."""
    previous = os.environ.get("USER_HASH_KEY_FILE")
    path = tmp_path_factory.mktemp("hash-key") / "user-hash-key"
    os.environ["USER_HASH_KEY_FILE"] = str(path)
    yield
    if previous is None:
        os.environ.pop("USER_HASH_KEY_FILE", None)
    else:
        os.environ["USER_HASH_KEY_FILE"] = previous


def _postgres_url(dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN_DSN)
    user = info.get("user", "postgres")
    host = info.get("host", "127.0.0.1")
    port = info.get("port", "5432")
    return f"postgresql+psycopg://{user}@{host}:{port}/{dbname}"


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.Error as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: {exc}")
        return False


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    if not postgres_available:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    name = f"informe_bot_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _postgres_url(name)
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on `database_url` with the schema at the newest migration."""
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the test PDFs of tests/pdf_support.py are typeset and read back, once per run:
    under pytest-xdist a folder all workers of the run share (the first one to need a layout
    makes it, the others read its files), else one of this session."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # .../pytest-N/popen-gwK -> .../pytest-N, this run's workers only
    path = base / "pdfs"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def parsed_report() -> ParsedReport:
    """The bundled report, parsed once per test process (treat it as read-only)."""
    return bundled_report()


@pytest.fixture(scope="session")
def answer_engine(parsed_report: ParsedReport) -> AnswerEngine:
    """The answer engine on the bundled report, built once per process (it is read-only)."""
    return bundled_engine()
