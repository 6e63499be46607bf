"""Engine factory: one place that turns DATABASE_URL into a working SQLAlchemy engine.

Every way the URL can be wrong (bad syntax, unsupported backend, PostgreSQL down, a SQLite path
that is a directory or not a database) becomes a `ConfigError` with one line the CLI can print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from bot.errors import ConfigError

SQLITE_HEADER = b"SQLite format 3\x00"
POSTGRES_CONNECT_TIMEOUT_S = 5
# pysqlite's own lock wait; a second worker or a CLI ingest must wait, not fail, while one writes.
SQLITE_BUSY_TIMEOUT_S = 30


def normalize_url(database_url: str) -> URL:
    """Parse the URL and pin PostgreSQL to psycopg 3, the only driver the project installs."""
    raw = (database_url or "").strip()
    if not raw:
        raise ConfigError("DATABASE_URL is empty; unset it for the default SQLite file")
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL; expected sqlite:///PATH "
            "or postgresql://USER@HOST:PORT/DB"
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url
    raise ConfigError(
        f"DATABASE_URL scheme {url.drivername!r} is not supported; use sqlite:///PATH "
        "or postgresql://USER@HOST:PORT/DB"
    )


def describe_url(url: URL | str) -> str:
    """The URL as it may be shown to a user or a log: never with its password."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return "<unparseable URL>"
    return url.render_as_string(hide_password=True)


def make_engine(database_url: str) -> Engine:
    """An engine for DATABASE_URL, checked by connecting once (raises ConfigError)."""
    url = normalize_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return _postgres_engine(url)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def _postgres_engine(url: URL) -> Engine:
    try:
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
        )
    except (NoSuchModuleError, ArgumentError) as exc:
        raise ConfigError(f"DATABASE_URL {describe_url(url)}: {_first_line(exc)}") from None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ConfigError(
            f"cannot connect to PostgreSQL at {describe_url(url)}: {_first_line(exc)}"
        ) from None
    return engine


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    connect_args: dict[str, Any] = {
        "check_same_thread": False,
        "timeout": SQLITE_BUSY_TIMEOUT_S,
    }
    if in_memory:
        # One shared connection, or every checkout would see its own empty database.
        engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool)
    else:
        _check_sqlite_path(Path(database).expanduser())
        engine = create_engine(url, connect_args=connect_args)
    _install_sqlite_hooks(engine, wal=not in_memory)
    try:
        with engine.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA quick_check").scalar()
    except DBAPIError as exc:
        engine.dispose()
        raise ConfigError(f"cannot open SQLite database {database}: {_first_line(exc)}") from None
    if result != "ok":
        engine.dispose()
        raise ConfigError(f"SQLite database {database} is corrupt: {result}")
    return engine


def _check_sqlite_path(path: Path) -> None:
    if path.is_dir():
        raise ConfigError(f"SQLite path {path} is a directory, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the directory for SQLite database {path}: {exc.strerror}"
        ) from None
    if not path.exists():
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ConfigError(f"cannot read SQLite database {path}: {exc.strerror}") from None
    # An empty file is what sqlite3 itself creates; it becomes a database on first write.
    if header and header != SQLITE_HEADER:
        raise ConfigError(f"{path} is not a SQLite database (set DATABASE_URL to another file)")


def _install_sqlite_hooks(engine: Engine, *, wal: bool) -> None:
    """Real transactions for pysqlite, foreign keys on, WAL so readers never block the writer.

    pysqlite's legacy transaction handling neither begins a transaction before DDL nor honours
    SAVEPOINT; SQLAlchemy's documented recipe takes over BEGIN so an ingest or a migration is
    really atomic. `sqlite_begin="IMMEDIATE"` (execution option) takes the write lock at BEGIN.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")
