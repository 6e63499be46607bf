"""db.engine: DATABASE_URL forms, SQLite connection settings, and one-line errors for bad stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.errors import ConfigError
from db.engine import describe_url, make_engine, normalize_url
from db.migrate import upgrade
from db.store import load_reports, save_report
from knowledge.model import ParsedReport, ParsedSection


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:pw@db.example.org:5432/informe",
        "postgresql://u:pw@db.example.org:5432/informe",
        "postgresql+psycopg://u:pw@db.example.org:5432/informe",
    ],
)
def test_postgres_urls_use_psycopg3(url: str) -> None:
    assert normalize_url(url).drivername == "postgresql+psycopg"


def test_described_urls_hide_the_password() -> None:
    shown = describe_url(normalize_url("postgres://bot:s3cr3t@db.example.org/informe"))
    assert "s3cr3t" not in shown
    assert "db.example.org" in shown


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("mysql://u@h/db", "not supported"),
        ("definitely not a url", "not a database URL"),
    ],
)
def test_bad_urls_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_engine(url)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'store.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        engine.dispose()
    assert (tmp_path / "nested" / "dir").is_dir()


def test_in_memory_sqlite_keeps_one_database() -> None:
    # Every checkout must see the same in-memory database, or the migrated tables would vanish.
    report = ParsedReport(
        report_id="memoria-2020",
        title="INFORME 2020",
        year=2020,
        source_sha256="0" * 64,
        sections=[ParsedSection(number="1", title="A", level=1, line_start=1, line_end=1, text="")],
        lines=["INFORME 2020"],
    )
    engine = make_engine("sqlite://")
    try:
        upgrade(engine)
        save_report(engine, report, "memoria.md")
        assert load_reports(engine) == [report]
    finally:
        engine.dispose()


def test_corrupt_sqlite_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 200,) for _ in range(500)])
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096 + 100 : 4096 * 8] = b"\xff" * (4096 * 7 - 100)  # keep the header, wreck the pages
    path.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match=r"corrupt\.sqlite3.*(malformed|corrupt)"):
        make_engine(f"sqlite:///{path}")


def test_empty_file_is_a_new_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


def test_sqlite_under_a_file_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot create the directory"):
        make_engine(f"sqlite:///{blocker / 'store.sqlite3'}")
