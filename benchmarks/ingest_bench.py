"""Ingest into an empty SQLite store: migrate, parse + save the report, read it back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from knowledge.model import ParsedReport


@dataclass
class IngestRun:
    figures: dict[str, Any]
    reports: list[ParsedReport]


def store_bytes(db_path: Path) -> int:
    """The store's size on disk, counting SQLite's side files when they are left behind."""
    return sum(
        p.stat().st_size
        for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-journal"))
        if p.exists()
    )


def run_ingest(report_path: Path, db_path: Path, report_id: str | None) -> IngestRun:
    """Build a fresh store at db_path from report_path, then load every report from it once."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.store import ingest_file, load_reports

    if db_path.exists():
        raise FileExistsError(f"{db_path} exists; the ingest benchmark needs an empty store")
    started = perf_counter()
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        upgrade(engine)
        migrated = perf_counter()
        summary = ingest_file(engine, report_path, report_id=report_id)
        ingested = perf_counter()
        reports = load_reports(engine)
        loaded = perf_counter()
    finally:
        engine.dispose()
    figures = {
        "report": report_path.name,
        "report_bytes": report_path.stat().st_size,
        "migrate_seconds": migrated - started,
        "parse_seconds": summary.parse_seconds,
        "save_seconds": summary.save_seconds,
        "ingest_seconds": ingested - migrated,
        "load_seconds": loaded - ingested,
        "store_bytes": store_bytes(db_path),
        "rows": {
            "sections": summary.sections,
            "tables": summary.tables,
            "table_rows": summary.rows,
            "cells": summary.cells,
            "facts": summary.facts,
            "enumerations": summary.enumerations,
            "enumeration_items": summary.enumeration_items,
        },
    }
    return IngestRun(figures=figures, reports=reports)
