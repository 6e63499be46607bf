"""The knowledge store on SQLite and PostgreSQL: round trip, idempotence, atomicity."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.errors import IngestError
from bot.settings import DEFAULT_REPORT_PATH as BUNDLED_REPORT
from bot.settings import Settings
from db.engine import make_engine
from db.store import (
    delete_report,
    ensure_store,
    ingest_file,
    knowledge_version,
    load_report,
    load_reports,
    save_report,
    store_stats,
)
from knowledge.model import (
    EnumerationItem,
    ParsedCell,
    ParsedEnumeration,
    ParsedFact,
    ParsedReport,
    ParsedRow,
    ParsedSection,
    ParsedTable,
)

REPORT_ID = "aci-medellin-2020"


def small_report(report_id: str = "demo-2019", year: int = 2019) -> ParsedReport:
    """A hand-made report that uses every field, nulls and non-ASCII text included."""
    return ParsedReport(
        report_id=report_id,
        title=f"INFORME DE PRUEBA {year}",
        year=year,
        source_sha256="ab" * 32,
        sections=[
            ParsedSection(number="1", title="ÚNICO", level=1, line_start=1, line_end=4, text="a"),
            ParsedSection(
                number="1.1", title="Sub", level=2, parent="1", line_start=3, line_end=4, text=""
            ),
        ],
        tables=[
            ParsedTable(
                key="1.1-tabla",
                section="1.1",
                title="TABLA",
                header=["Indicador", "Meta", "Avance"],
                rows=[
                    ParsedRow(
                        line=3,
                        cells=[
                            ParsedCell(raw="Empresas"),
                            ParsedCell(raw="100+", value=100.0, qualifier="+"),
                            ParsedCell(raw="98,81%", value=98.81, unit="%"),
                            ParsedCell(raw="extra cell beyond the header"),
                        ],
                    ),
                    ParsedRow(line=4, cells=[]),
                ],
                line_start=2,
                line_end=4,
            ),
            ParsedTable(
                key="1-kv", section="1", title="", kind="keyvalue", header=[], rows=[],
                line_start=1, line_end=1,
            ),
        ],
        facts=[
            ParsedFact(
                section="1", line=2, raw="USD $4,8 millones", value=4.8, unit="USD",
                scale="millones", sentence="Se gestionaron USD $4,8 millones.", role="result",
                cutoff="15 de diciembre de 2020",
            ),
            ParsedFact(section="1", line=1, raw="3", value=3.0, sentence="Tres.", role="count"),
        ],
        enumerations=[
            ParsedEnumeration(
                key="redes",
                title="Redes",
                section="1",
                items=[
                    EnumerationItem(position=2, label="C40", description="Red de ciudades", line=4),
                    EnumerationItem(position=1, label="UCLG", line=3),
                ],
            ),
            ParsedEnumeration(key="vacia", title="Vacía", section="1.1", items=[]),
        ],
        lines=[f"INFORME DE PRUEBA {year}", "  línea\tcon tab ", "", "última"],
    )


def counts(stats: dict[str, dict[str, object]], report_id: str) -> dict[str, object]:
    keep = ("sections", "tables", "rows", "cells", "facts", "enumerations", "enumeration_items")
    return {k: stats[report_id][k] for k in keep}


def expected_counts(report: ParsedReport) -> dict[str, int]:
    return {
        "sections": len(report.sections),
        "tables": len(report.tables),
        "rows": sum(len(t.rows) for t in report.tables),
        "cells": sum(len(r.cells) for t in report.tables for r in t.rows),
        "facts": len(report.facts),
        "enumerations": len(report.enumerations),
        "enumeration_items": sum(len(e.items) for e in report.enumerations),
    }


# ----------------------------------------------------------------------------- round trip


def test_hand_made_report_round_trips(engine: Engine) -> None:
    report = small_report()
    summary = save_report(engine, report, "demo.md")
    assert summary.model_dump(include=set(expected_counts(report))) == expected_counts(report)
    assert load_report(engine, report.report_id) == report
    assert load_reports(engine) == [report]


def test_real_report_round_trips(engine: Engine, parsed_report: ParsedReport) -> None:
    save_report(engine, parsed_report, BUNDLED_REPORT.name)
    loaded = load_report(engine, REPORT_ID)
    assert loaded is not None
    # Compare piecewise first so a failure names the part that differs.
    assert loaded.sections == parsed_report.sections
    assert loaded.tables == parsed_report.tables
    assert loaded.facts == parsed_report.facts
    assert loaded.enumerations == parsed_report.enumerations
    assert loaded.lines == parsed_report.lines
    assert loaded == parsed_report


def test_missing_report_loads_as_none(engine: Engine) -> None:
    assert load_report(engine, "no-such-report") is None
    assert load_reports(engine) == []
    assert store_stats(engine) == {}


# ----------------------------------------------------------------------------- ingest


def test_ingest_twice_gives_same_counts(engine: Engine, parsed_report: ParsedReport) -> None:
    first = ingest_file(engine, BUNDLED_REPORT, REPORT_ID)
    stats_after_first = store_stats(engine)
    second = ingest_file(engine, BUNDLED_REPORT, REPORT_ID)
    assert counts(store_stats(engine), REPORT_ID) == counts(stats_after_first, REPORT_ID)
    assert counts(stats_after_first, REPORT_ID) == expected_counts(parsed_report)
    assert second.knowledge_version == first.knowledge_version + 1 == knowledge_version(engine)
    assert load_report(engine, REPORT_ID) == parsed_report


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"INFORME DE GESTI\xc3N 2020\n\xff\xfe roto\n", id="invalid-utf8"),
        pytest.param(b"", id="empty"),
        pytest.param(b"   \n\n\t\n", id="blank"),
        pytest.param("solo una línea sin estructura de informe\n".encode(), id="no-structure"),
    ],
)
def test_broken_file_leaves_previous_data(
    engine: Engine, parsed_report: ParsedReport, tmp_path: Path, content: bytes
) -> None:
    ingest_file(engine, BUNDLED_REPORT, REPORT_ID)
    version = knowledge_version(engine)
    broken = tmp_path / "roto.md"
    broken.write_bytes(content)
    with pytest.raises(IngestError):
        ingest_file(engine, broken, REPORT_ID)
    assert knowledge_version(engine) == version
    assert load_report(engine, REPORT_ID) == parsed_report


def test_missing_file_leaves_previous_data(engine: Engine, tmp_path: Path) -> None:
    save_report(engine, small_report(REPORT_ID, 2020), "demo.md")
    with pytest.raises(IngestError):
        ingest_file(engine, tmp_path / "no-existe.md", REPORT_ID)
    assert load_report(engine, REPORT_ID) == small_report(REPORT_ID, 2020)


def test_failure_while_writing_rolls_back(engine: Engine) -> None:
    # The old rows are deleted first in the same transaction; a row the database refuses
    # half-way (here: a unit longer than its column) must bring them all back.
    original = small_report()
    save_report(engine, original, "demo.md")
    version = knowledge_version(engine)
    bad = original.model_copy(deep=True)
    bad.facts[0].unit = "u" * 200
    with pytest.raises(IngestError, match=r"fact\.unit"):
        save_report(engine, bad, "demo.md")
    assert load_report(engine, original.report_id) == original
    assert knowledge_version(engine) == version


def test_invalid_report_id_is_refused(engine: Engine) -> None:
    with pytest.raises(IngestError, match="report id"):
        ingest_file(engine, BUNDLED_REPORT, "Año 2020!")
    assert load_reports(engine) == []


def test_two_reports_side_by_side(
    engine: Engine, parsed_report: ParsedReport, tmp_path: Path
) -> None:
    ingest_file(engine, BUNDLED_REPORT, REPORT_ID)
    # Another year: the bundled text with its year changed, stored under its own id.
    text = BUNDLED_REPORT.read_text(encoding="utf-8")
    other_year = tmp_path / "informe-2021.md"
    other_year.write_text(text.replace("2020", "2021"), encoding="utf-8")
    other = ingest_file(engine, other_year, "aci-medellin-2021")
    assert other.year == 2021

    reports = load_reports(engine)
    assert [(r.report_id, r.year) for r in reports] == [
        (REPORT_ID, 2020),
        ("aci-medellin-2021", 2021),
    ]
    assert reports[0] == parsed_report  # the first report is untouched by the second
    stats = store_stats(engine)
    assert counts(stats, REPORT_ID) == expected_counts(parsed_report)
    assert counts(stats, "aci-medellin-2021") == expected_counts(reports[1])

    # Re-ingesting one report replaces only its own rows.
    ingest_file(engine, BUNDLED_REPORT, REPORT_ID)
    assert load_report(engine, "aci-medellin-2021") == reports[1]
    assert delete_report(engine, "aci-medellin-2021") is True
    assert delete_report(engine, "aci-medellin-2021") is False
    assert load_reports(engine) == [parsed_report]


# ----------------------------------------------------------------------------- start-up


def test_ensure_store_ingests_once_then_on_change(
    database_url: str, parsed_report: ParsedReport, tmp_path: Path
) -> None:
    bundled = tmp_path / BUNDLED_REPORT.name
    bundled.write_bytes(BUNDLED_REPORT.read_bytes())
    settings = Settings(database_url=database_url, report_path=bundled, report_id=REPORT_ID)

    engine = ensure_store(settings)  # empty store: migrates and ingests
    try:
        assert load_reports(engine) == [parsed_report]
        version = knowledge_version(engine)
    finally:
        engine.dispose()

    engine = ensure_store(settings)  # unchanged file: nothing to do
    try:
        assert knowledge_version(engine) == version
    finally:
        engine.dispose()

    # A newer bundled report (different text, so a different sha256) is ingested at start-up.
    text = bundled.read_text(encoding="utf-8")
    bundled.write_text(text + "\nNota añadida en una edición posterior.\n", encoding="utf-8")
    engine = ensure_store(settings)
    try:
        assert knowledge_version(engine) == version + 1
        report = load_report(engine, REPORT_ID)
        assert report is not None
        assert report.source_sha256 != parsed_report.source_sha256
        assert report.lines != parsed_report.lines
    finally:
        engine.dispose()


def test_ensure_store_reports_unreadable_bundled_file(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, report_path=tmp_path / "missing.md")
    with pytest.raises(IngestError):
        ensure_store(settings)
    engine = make_engine(database_url)
    try:
        assert load_reports(engine) == []
    finally:
        engine.dispose()
