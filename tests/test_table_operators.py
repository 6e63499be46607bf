"""Table operators asked in free text: comparisons with a number, the largest row, by rule.

The questions are made by code from the ingested report's tables: for every numeric column of a
table with several rows that are not totals, a comparison with the column's median ("¿qué filas
de <caption> superan <median> en <column>?") must list exactly the rows above it, never a total
row; and "¿cuál tiene la <column> más grande?" must name the largest row that is not a total.
"""

from __future__ import annotations

import statistics

import pytest

from bot.engine.core import Engine as AnswerEngine
from bot.engine.slots import extract_threshold, without_operators
from knowledge.model import ParsedReport, ParsedTable
from knowledge.text import fold


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("que pasan de 3 millones", ("gt", 3e6)),
        ("por debajo del 70%", ("lt", 70.0)),
        ("con mas de 1.500 asistentes", ("gt", 1500.0)),
        ("superan los 2,5 millones", ("gt", 2.5e6)),
        ("more than 2.5 million", ("gt", 2.5e6)),
        ("al menos 12", ("ge", 12.0)),
        ("inferiores a 40 mil", ("lt", 40e3)),
    ],
)
def test_threshold_reads_the_scale_the_question_gives(phrase: str, expected: tuple) -> None:
    assert extract_threshold(phrase) == expected


def test_operator_words_are_not_what_rows_must_hold() -> None:
    left = without_operators("que rubros pasan de 115 millones y cual es el mas grande en total")
    assert "115" not in left and "grande" not in left and "total" not in left
    assert "rubros" in left


def _numeric_columns(table: ParsedTable) -> list[int]:
    columns = []
    for position in range(len(table.header)):
        cells = [r.cells[position] for r in table.rows if position < len(r.cells) and not r.total]
        values = [c.value for c in cells if c.value is not None]
        # Plain figures only: a column of "100+" or "6 empresas" is read as a minimum.
        if len(values) == len(cells) >= 3 and all(c.raw.strip()[:1].isdigit() or
                                                  c.raw.strip()[:1] == "$" for c in cells):
            columns.append(position)
    return columns


def _name(table: ParsedTable, row_index: int) -> str:
    row = table.rows[row_index]
    return next(c.raw for c in row.cells if c.value is None and c.raw.strip())


def _cases(report: ParsedReport) -> list[tuple[ParsedTable, int]]:
    return [
        (table, position)
        for table in report.tables
        if table.title and len(table.rows) >= 4
        for position in _numeric_columns(table)
    ]


def test_every_numeric_column_of_the_report_is_covered(parsed_report: ParsedReport) -> None:
    assert len(_cases(parsed_report)) >= 5


def test_comparison_lists_the_rows_above_the_median(
    parsed_report: ParsedReport, answer_engine: AnswerEngine
) -> None:
    checked = 0
    for table, position in _cases(parsed_report):
        parts = [i for i, r in enumerate(table.rows) if not r.total]
        values = [table.rows[i].cells[position].value for i in parts]
        median = statistics.median(values)
        above = [i for i in parts if table.rows[i].cells[position].value > median]
        if not above or len(above) == len(parts):
            continue
        column = table.header[position]
        shown = f"{median:.0f}" if median >= 1 else f"{median}"
        answer = answer_engine.ask(f"que filas de {table.title} superan {shown} en {column}").answer
        if answer.kind not in ("filter", "list") or answer.status != "answered":
            continue  # a caption too vague to name the table is not this test's concern
        checked += 1
        text = fold(answer.text)
        for i in above:
            assert fold(_name(table, i)) in text, (table.title, column, _name(table, i))
        for i, row in enumerate(table.rows):
            if row.total or (i in parts and i not in above):
                name = fold(_name(table, i))
                assert f"• {name} " not in text and f"• {name}\n" not in text, (table.title, name)
    assert checked >= 3


def test_largest_row_is_never_the_total(
    parsed_report: ParsedReport, answer_engine: AnswerEngine
) -> None:
    checked = 0
    for table, position in _cases(parsed_report):
        if not any(r.total for r in table.rows):
            continue
        parts = [i for i, r in enumerate(table.rows) if not r.total]
        largest = max(parts, key=lambda i: table.rows[i].cells[position].value)
        column = table.header[position]
        answer = answer_engine.ask(f"en {table.title}, cual tiene la {column} mas grande").answer
        if answer.kind != "filter":
            continue
        checked += 1
        assert fold(_name(table, largest)) in fold(answer.text), (table.title, column)
    assert checked >= 2
