"""A report table as a CSV file that opens correctly in a Spanish-locale spreadsheet.

UTF-8 with a byte-order mark (so Excel detects the encoding), `;` as separator (the comma is the
decimal mark in es-CO), cells as the report writes them ("381,3", "$964.165.992", "100+").
"""

from __future__ import annotations

import csv
import io
import re

from bot.report_tables import Option, clean_cell, grid_tables, table_label
from knowledge.model import ParsedReport, ParsedTable

BOM = "\ufeff"


def table_csv(table: ParsedTable) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([clean_cell(name) for name in table.header])
    width = len(table.header)
    for row in table.rows:
        cells = [clean_cell(cell.raw) for cell in row.cells]
        writer.writerow(cells + [""] * (width - len(cells)))
    return (BOM + buffer.getvalue()).encode("utf-8")


def csv_filename(table: ParsedTable) -> str:
    stem = re.sub(r"[^a-z0-9.]+", "-", table.key.lower()).strip("-") or "tabla"
    return f"{stem}.csv"


def table_options(report: ParsedReport) -> list[Option]:
    """Every table a user can export, for /csv buttons and argument matching."""
    return [
        Option(
            table.key, table_label(report, table), (table.title, f"{table.section} {table.title}")
        )
        for table in grid_tables(report)
    ]


def find_table(report: ParsedReport, key: str) -> ParsedTable | None:
    return next((t for t in report.tables if t.key == key), None)


def tables_csv(report: ParsedReport, tables: list[ParsedTable], lang: str = "es") -> bytes:
    """Several tables in one CSV: a first column naming each row's table (its type), then the
    union of their columns by header name, in order of appearance."""
    from bot.report_tables import table_title
    from bot.strings import say

    columns: list[str] = []
    for table in tables:
        for name in table.header:
            if clean_cell(name) not in columns:
                columns.append(clean_cell(name))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([say("csv_table_column", lang), *columns])
    for table in tables:
        index = {clean_cell(name): i for i, name in enumerate(table.header)}
        for row in table.rows:
            cells = [
                clean_cell(row.cells[index[c]].raw)
                if c in index and index[c] < len(row.cells)
                else ""
                for c in columns
            ]
            writer.writerow([table_title(table, report), *cells])
    return (BOM + buffer.getvalue()).encode("utf-8")
