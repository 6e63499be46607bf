"""/csv files on the real report: every table, every group a user can ask for, months; the rows
are the table cells as the report writes them, with a header row and the source line."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bot import csv_export
from bot.commands import run_command
from bot.engine.core import Engine
from bot.report_tables import clean_cell, fold, grid_tables, header_has
from knowledge.model import ParsedReport, ParsedTable


def _read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _split(rows: list[list[str]]) -> tuple[list[str], list[list[str]], str]:
    """header, data rows, source line; the file ends with a blank row and the source line."""
    assert len(rows) >= 3 and rows[-2] == [] and len(rows[-1]) == 1
    return rows[0], rows[1:-2], rows[-1][0]


def _cells(table: ParsedTable) -> list[list[str]]:
    width = len(table.header)
    rows = []
    for row in table.rows:
        cells = [clean_cell(c.raw) for c in row.cells]
        rows.append(cells + [""] * (width - len(cells)))
    return rows


def _events(report: ParsedReport) -> list[ParsedTable]:
    return [t for t in grid_tables(report) if header_has(t, "evento", "fecha")]


def _budget(report: ParsedReport) -> list[ParsedTable]:
    return [t for t in grid_tables(report) if header_has(t, "ppto")]


def _indicators(report: ParsedReport) -> list[ParsedTable]:
    return [t for t in grid_tables(report) if header_has(t, "indicador", "meta")]


def _check_source(source: str, report: ParsedReport, tables: list[ParsedTable]) -> None:
    assert source.startswith("Fuente: ")
    assert fold(report.title) in fold(source)
    for table in tables:
        assert f"§{table.section}" in source
    assert re.search(r"corte \d{1,2} de [a-z]+ de \d{4}$", source)


def test_every_table_is_its_cells_with_header_and_source(parsed_report: ParsedReport) -> None:
    for table in grid_tables(parsed_report):
        export = csv_export.export_csv(parsed_report, table.key)
        assert export is not None and export.tables == [table]
        header, rows, source = _split(_read(export.data))
        assert header == [clean_cell(h) for h in table.header]
        assert rows == _cells(table)
        _check_source(source, parsed_report, [table])
        assert export.filename.endswith(".csv") and "/" not in export.filename


@pytest.mark.parametrize(
    ("request_text", "tables_of"),
    [("eventos", _events), ("presupuesto", _budget), ("indicadores", _indicators)],
)
def test_groups_hold_every_table_of_the_role_with_a_type_column(
    parsed_report: ParsedReport, request_text: str, tables_of: object
) -> None:
    tables = tables_of(parsed_report)  # type: ignore[operator]
    assert len(tables) >= 2
    export = csv_export.export_csv(parsed_report, request_text)
    assert export is not None and export.tables == tables
    header, rows, source = _split(_read(export.data))
    assert header[0] == "Tipo" and len(header) == len(set(header))
    assert len(rows) == sum(len(t.rows) for t in tables)
    _check_source(source, parsed_report, tables)
    cursor = 0
    for table in tables:
        for expected in _cells(table):
            row = rows[cursor]
            cursor += 1
            assert fold(row[0]) == fold(table.title)  # the type: the table it comes from
            # every cell sits under a column whose header is (or contains) the table's header
            for name, cell in zip(table.header, expected, strict=True):
                column = next(
                    i for i, h in enumerate(header)
                    if i and (fold(clean_cell(name)) in fold(h) or fold(h) in fold(name))
                )
                assert row[column] == cell
            assert sorted(c for c in row[1:] if c) == sorted(c for c in expected if c)


def test_all_three_event_tables_line_their_date_columns_up(parsed_report: ParsedReport) -> None:
    export = csv_export.export_csv(parsed_report, "eventos")
    assert export is not None
    dates = [i for i, h in enumerate(export.header) if "fecha" in fold(h)]
    assert len(dates) == 1  # "FECHA" and "FECHA DE REALIZACIÓN" are one column
    assert all(row[dates[0]] for row in export.rows)  # every event has its date there


@pytest.mark.parametrize("request_text", ["eventos propios", "eventos como invitados", "alcaldía"])
def test_the_asked_event_type_is_that_table_only(
    parsed_report: ParsedReport, request_text: str
) -> None:
    export = csv_export.export_csv(parsed_report, request_text)
    assert export is not None and len(export.tables) == 1
    (table,) = export.tables
    assert table in _events(parsed_report)
    assert all(fold(w) in fold(table.title) for w in request_text.split() if len(w) > 3)
    _, rows, _ = _split(_read(export.data))
    assert rows == _cells(table)


def test_budget_income_and_expenses_each_or_both(parsed_report: ParsedReport) -> None:
    both = csv_export.export_csv(parsed_report, "presupuesto")
    assert both is not None and both.tables == _budget(parsed_report)
    for word in ("gastos", "ingresos"):
        export = csv_export.export_csv(parsed_report, word)
        assert export is not None and len(export.tables) == 1
        assert word in fold(export.tables[0].title)
        _, rows, _ = _split(_read(export.data))
        assert rows == _cells(export.tables[0])
        assert any("," in cell for row in rows for cell in row)  # "98,81%" kept as written


@pytest.mark.parametrize("month", ["octubre", "noviembre", "junio"])
def test_a_month_narrows_the_events_to_rows_whose_date_names_it(
    parsed_report: ParsedReport, month: str
) -> None:
    number = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"].index(month) + 1
    export = csv_export.export_csv(parsed_report, f"eventos de {month}")
    assert export is not None and export.month == number
    expected = []
    for table in _events(parsed_report):
        date_col = next(i for i, h in enumerate(table.header) if "fecha" in fold(h))
        for row, cells in zip(table.rows, _cells(table), strict=True):
            date = fold(row.cells[date_col].raw)
            if month[:3] in date or re.search(rf"/{number:02d}/", date):
                expected.append(cells)
    _, rows, _ = _split(_read(export.data))
    assert expected and len(rows) == len(expected)
    assert [sorted(c for c in r[1:] if c) for r in rows] == [
        sorted(c for c in e if c) for e in expected
    ]
    assert month in export.filename


def test_english_request_and_unknown_tables(parsed_report: ParsedReport) -> None:
    english = csv_export.export_csv(parsed_report, "events october", lang="en")
    spanish = csv_export.export_csv(parsed_report, "eventos octubre")
    assert english is not None and spanish is not None
    assert english.rows == spanish.rows and english.header[0] == "Type"
    assert csv_export.export_csv(parsed_report, "nada que ver") is None
    assert csv_export.export_csv(parsed_report, "") is None


def test_csv_command_replies_with_the_file_or_polite_choices(answer_engine: Engine) -> None:
    report = answer_engine.reports[answer_engine.latest_report_id]
    result = run_command(answer_engine, "csv", "eventos")
    assert result.document and result.filename == "eventos.csv" and result.remember
    total = sum(len(t.rows) for t in _events(report))
    assert f"{total} filas" in result.answer.text and "Fuente:" in result.answer.text
    menu = run_command(answer_engine, "csv", "")
    values = {o.value for o in menu.choices}
    assert {"eventos", "presupuesto", "indicadores"} <= values
    assert {t.key for t in grid_tables(report)} <= values
    missing = run_command(answer_engine, "csv", "zzzz qqqq")
    assert missing.answer.status == "not_found" and missing.choices and not missing.document
    empty = run_command(answer_engine, "csv", "eventos propios enero")
    assert empty.answer.status == "not_found" and not empty.document
