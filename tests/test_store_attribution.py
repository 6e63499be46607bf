"""The store keeps attributed facts, clauses and table roles (migration 0002), both backends."""

from __future__ import annotations

from sqlalchemy import inspect, text

from db.engine import make_engine
from db.migrate import head_revision, upgrade
from db.store import load_report, save_report
from knowledge.model import (
    ParsedCell,
    ParsedClause,
    ParsedColumn,
    ParsedFact,
    ParsedReport,
    ParsedRow,
    ParsedSection,
    ParsedTable,
)


def attributed_report() -> ParsedReport:
    """A hand-made report that sets every attribution field (nulls, lists, non-ASCII)."""
    table = ParsedTable(
        key="1-gastos", section="1", title="EJECUCIÓN DE GASTOS", header=["DETALLE", "RECAUDOS"],
        rows=[
            ParsedRow(line=3, cells=[ParsedCell(raw="GASTOS"),
                                     ParsedCell(raw="10", value=10.0, unit="COP")], total=True),
            ParsedRow(line=4, cells=[ParsedCell(raw="DOTACIÓN"),
                                     ParsedCell(raw="10", value=10.0, unit="COP")], parent=0),
        ],
        line_start=2, line_end=4, role="budget_expenses", heading="EJECUCIÓN DE GASTOS",
        columns=[
            ParsedColumn(index=0, header="DETALLE", type="name", meaning="label",
                         header_meaning="label"),
            ParsedColumn(index=1, header="RECAUDOS", type="money", meaning="executed",
                         header_meaning="collected", unit="COP", scale="millones",
                         period="2021", cutoff="15 de diciembre de 2021"),
        ],
        label_column=0,
    )
    clause = ParsedClause(index=0, section="1", line=1, line_end=2,
                          text="con el Área Metropolitana por $189 millones, de los cuales 133",
                          subject="Área Metropolitana", entities=["Área Metropolitana"],
                          sentence=0)
    facts = [
        ParsedFact(section="1", line=1, raw="$189 millones", value=189.0, unit="COP",
                   scale="millones", sentence=clause.text, index=0, meaning="amount",
                   subject="Área Metropolitana", clause=clause.text, clause_line=1,
                   clause_index=0, period="2021"),
        ParsedFact(section="1", line=2, raw="133", value=133.0, unit="COP", scale="millones",
                   sentence=clause.text, index=1, meaning="collected", part_of=0,
                   subject="Área Metropolitana", counted=None, clause=clause.text,
                   clause_line=1, clause_index=0, role="execution"),
        ParsedFact(section="1", line=4, raw="10", value=10.0, unit="COP", sentence="x",
                   index=2, source="cell", meaning="executed", counted="RECAUDOS",
                   subject="DOTACIÓN", total=False, clause="DETALLE: DOTACIÓN · RECAUDOS: 10",
                   clause_line=4, table_key="1-gastos", row_index=1, col_index=1,
                   header="RECAUDOS"),
    ]
    return ParsedReport(
        report_id="demo-2021", title="INFORME 2021", year=2021, source_sha256="cd" * 32,
        sections=[ParsedSection(number="1", title="ÚNICO", level=1, line_start=1, line_end=4,
                                text="")],
        tables=[table], facts=facts, clauses=[clause],
        lines=["con el Área Metropolitana por $189 millones,", "de los cuales 133", "T", "D"],
    )


def test_attributed_report_round_trips(engine) -> None:
    report = attributed_report()
    save_report(engine, report, "demo.md")
    loaded = load_report(engine, report.report_id)
    assert loaded is not None
    assert loaded.tables == report.tables
    assert loaded.facts == report.facts
    assert loaded.clauses == report.clauses
    assert loaded == report


def test_upgrade_from_the_previous_head_keeps_stored_knowledge(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO report (id, title, year, source_sha256, source_name, "
                "ingest_fingerprint, text, ingested_at) VALUES ('viejo-2020', 'INFORME 2020', "
                "2020, :sha, 'viejo.md', '', 'a', CURRENT_TIMESTAMP)"), {"sha": "ef" * 32})
            conn.execute(text(
                "INSERT INTO fact (report_id, section, line, raw, value, unit, scale, sentence, "
                "role, cutoff) VALUES ('viejo-2020', '1', 1, '$5', 5.0, 'COP', NULL, "
                "'Se dieron $5.', 'result', NULL)"))
            conn.execute(text(
                "INSERT INTO report_table (report_id, key, section, title, kind, header, "
                "line_start, line_end, position) VALUES ('viejo-2020', 't', '1', 'T', 'grid', "
                "'[\"A\"]', 1, 1, 0)"))
            table_id = conn.execute(text("SELECT id FROM report_table")).scalar_one()
            conn.execute(text(
                "INSERT INTO table_row (report_id, table_id, row_index, line) "
                "VALUES ('viejo-2020', :t, 0, 1)"), {"t": table_id})
        upgrade(engine)
        assert "clause" in inspect(engine).get_table_names()
        old = load_report(engine, "viejo-2020")
        assert old is not None
        (fact,) = old.facts
        assert (fact.raw, fact.role, fact.meaning, fact.source, fact.clause) == (
            "$5", "result", "other", "prose", "")
        (table,) = old.tables
        assert (table.role, table.columns, table.heading) == ("other", [], "")
        assert table.rows[0].total is False and table.rows[0].parent is None
        assert old.clauses == []
        # and the upgraded schema takes a new attributed report beside the old one
        save_report(engine, attributed_report(), "demo.md")
        assert load_report(engine, "demo-2021") == attributed_report()
        assert head_revision() is not None
    finally:
        engine.dispose()
