"""Attributed facts and clauses on real passages of the bundled report.

Expected values are read from the report text by code (a pattern over the passage), never
typed: the tests say how a figure must be attributed, the report says which figure it is.
"""

from __future__ import annotations

import re

import pytest

from knowledge.model import ParsedFact, ParsedReport, ParsedTable
from knowledge.numbers import find_numbers
from knowledge.text import clauses, clean, fold


def _line_with(report: ParsedReport, *words: str) -> int:
    """1-based line of the only report line that holds every word (after cleaning)."""
    found = [i + 1 for i, line in enumerate(report.lines)
             if all(w in clean(line) for w in words)]
    assert len(found) == 1, (words, found)
    return found[0]


def _fact(report: ParsedReport, line: int, value: float, source: str = "prose") -> ParsedFact:
    found = [f for f in report.facts
             if f.line == line and f.value == pytest.approx(value) and f.source == source]
    assert len(found) == 1, [(f.raw, f.value) for f in report.facts if f.line == line]
    return found[0]


def _value(text: str) -> float:
    return find_numbers(text)[0].value


# ----------------------------------------------------------------------------- clause splitter


def test_clause_keeps_dependent_continuation_and_splits_enumeration_items():
    sentence = ("los aportes del Municipio de Medellín por $5.775 millones y la suscripción de "
                "contratos con el Departamento de Antioquia por $468 millones, con el Área "
                "Metropolitana del Valle de Aburrá por $189 millones, de los cuales se "
                "recaudaron en esta vigencia 133 millones.")
    parts = [sentence[s:e] for s, e in clauses(sentence)]
    assert len(parts) == 3, parts
    assert "Municipio" in parts[0] and "$468" not in parts[0]
    assert parts[1].startswith("la suscripción") and "Departamento de Antioquia" in parts[1]
    assert parts[2].startswith("con el Área") and parts[2].endswith("133 millones")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # ";" and ":" always end a clause
        ("Se logró esto; se entregaron 20 kits: 10 en mayo", 3),
        # a comma that continues the item ("que", "de las cuales", "con un") keeps it whole
        ("Se firmaron 12 convenios, que suman $40 millones", 1),
        ("Llegaron 30 empresas, de las cuales 12 son de software", 1),
        ("Se ejecutó el 81% del presupuesto, con un valor de $6 millones", 1),
        # a comma without a figure after it is not a new item
        ("En la feria, la ciudad recibió 3.000 visitas de Quito, Ecuador", 1),
        # a range is one item
        ("Asistieron entre 350 y 400 personas", 1),
        # a bare "y" between two figured items splits; inside parentheses nothing splits
        ("Se dieron 5 becas en Quito y 7 becas en Lima", 2),
        ("Se atendió a 500 personas (260 mujeres y 240 hombres), y 20 familias", 2),
    ],
)
def test_clause_rules_are_general(sentence: str, expected: int):
    parts = [sentence[s:e] for s, e in clauses(sentence)]
    assert len(parts) == expected, parts
    assert all(p == p.strip() and p for p in parts)


# ----------------------------------------------------------------------------- the income paragraph


_INCOME = re.compile(
    r"con el (?P<dep>Departamento de [A-ZÁÉÍÓÚ]\w+) por \\?\$(?P<dep_value>[\d.]+) millones, "
    r"con el (?P<amva>Área Metropolitana[^$\\]*?) por \\?\$(?P<amva_value>[\d.]+) millones, "
    r"de los cuales se recaudaron en esta vigencia (?P<collected>[\d.]+) millones")


def test_income_paragraph_attribution(parsed_report: ParsedReport):
    text = "\n".join(parsed_report.lines)
    m = _INCOME.search(text)
    assert m, "the income paragraph changed"
    line = _line_with(parsed_report, m.group("dep"), "de los cuales se recaudaron")

    dep = _fact(parsed_report, line, _value(m.group("dep_value")))
    assert dep.subject == m.group("dep")
    assert (dep.unit, dep.scale) == ("COP", "millones")
    assert m.group("amva") not in dep.clause and m.group("dep") in dep.clause

    amva = _fact(parsed_report, line, _value(m.group("amva_value")))
    assert amva.subject == m.group("amva").strip()
    assert "de los cuales" in amva.clause and m.group("dep") not in amva.clause

    collected = _fact(parsed_report, line, _value(m.group("collected")))
    assert collected.subject == amva.subject
    assert collected.meaning == "collected"
    assert collected.part_of == amva.index
    assert collected.clause == amva.clause and collected.clause_index == amva.clause_index
    assert (collected.unit, collected.scale) == ("COP", "millones")  # the unit is shared
    assert parsed_report.clauses[amva.clause_index].text == amva.clause
    assert parsed_report.clauses[amva.clause_index].line == line


def test_expenses_paragraph_meanings(parsed_report: ParsedReport):
    line = _line_with(parsed_report, "ejecución de gastos", "utilizados")
    facts = [f for f in parsed_report.facts if f.line == line and f.source == "prose"]
    assert [f.unit for f in facts] == ["%", "COP"]
    assert {f.meaning for f in facts} == {"executed"}
    assert all(f.period == str(parsed_report.year) for f in facts)


# ----------------------------------------------------------------------------- highlights


def test_box_figures_take_their_label_and_description(parsed_report: ParsedReport):
    lines = [clean(line) for line in parsed_report.lines]
    returns = [i + 1 for i, text in enumerate(lines) if fold(text) == "roi"]
    assert returns
    for label_line in returns:
        box = next(f for f in parsed_report.facts if f.line > label_line)
        description = next(t for t in lines[label_line:] if t)
        assert box.source == "highlight"
        assert box.meaning == "return"
        assert box.subject == description
        assert description in box.clause


def test_every_fact_is_attributed_consistently(parsed_report: ParsedReport):
    facts = parsed_report.facts
    assert [f.index for f in facts] == list(range(len(facts)))
    for f in facts:
        assert f.clause, f
        assert f.clause_line is not None and f.clause_line <= f.line
        if f.source == "cell":
            table = parsed_report.table(f.table_key)
            assert table is not None and f.row_index is not None and f.col_index is not None
            assert table.rows[f.row_index].line == f.line
        else:
            clause = parsed_report.clauses[f.clause_index]
            assert clause.text == f.clause and clause.section == f.section
            assert clean(f.raw).split()[0].lstrip("$") in clause.text
        if f.part_of is not None:
            whole = facts[f.part_of]
            assert whole.index < f.index and f.unit in (whole.unit, "%")  # "90% de las cuales"


def test_clauses_cover_the_prose(parsed_report: ParsedReport):
    cl = parsed_report.clauses
    assert [c.index for c in cl] == list(range(len(cl)))
    assert len(cl) > len({c.sentence for c in cl}) > 300
    assert all(c.line <= c.line_end and c.text for c in cl)
    assert all(c.subject is None or c.subject in c.text or c.source == "cell" for c in cl)


# ----------------------------------------------------------------------------- table cells


def _table(report: ParsedReport, role: str) -> list[ParsedTable]:
    tables = report.tables_with_role(role)
    assert tables, role
    return tables


def _raw_row(report: ParsedReport, table: ParsedTable, index: int) -> list[str]:
    line = report.lines[table.rows[index].line - 1]
    return [clean(c) for c in line.split("\t")]


def test_expense_cells_are_executed_whatever_the_header(parsed_report: ParsedReport):
    (expenses,) = _table(parsed_report, "budget_expenses")
    (income,) = _table(parsed_report, "budget_income")
    executed = expenses.column("executed")
    collected = income.column("collected")
    assert executed is not None and collected is not None
    assert executed.header == collected.header  # the report heads both columns alike ...
    assert executed.header_meaning == "collected"  # ... and the header alone says so
    last = len(expenses.rows) - 1
    raw = _raw_row(parsed_report, expenses, last)
    fact = next(f for f in parsed_report.facts
                if f.table_key == expenses.key and f.row_index == last
                and f.col_index == executed.index)
    assert fact.meaning == "executed" and fact.source == "cell"
    assert fact.value == _value(raw[executed.index]) and fact.unit == "COP"
    assert fact.subject == raw[expenses.label_column]
    assert fact.counted == executed.header and fact.header == executed.header


def test_budget_rows_know_their_totals(parsed_report: ParsedReport):
    for table in _table(parsed_report, "budget_income") + _table(parsed_report, "budget_expenses"):
        k = table.column("final_budget").index
        assert table.rows[0].total
        for i, row in enumerate(table.rows):
            children = [r for r in table.rows if r.parent == i]
            if children:
                assert row.total
                assert sum(c.cells[k].value for c in children) == pytest.approx(row.cells[k].value)


def test_event_attendance_cells(parsed_report: ParsedReport):
    for table in _table(parsed_report, "events"):
        date = table.column("date")
        assert date is not None and date.type == "date"
        count = table.column("count")
        if count is None:
            continue
        for i, row in enumerate(table.rows):
            cell = row.cells[count.index]
            if cell.value is None:
                continue
            fact = next(f for f in parsed_report.facts
                        if f.table_key == table.key and f.row_index == i
                        and f.col_index == count.index)
            assert fact.meaning == "count" and fact.unit is not None
            assert fact.subject == table.row_label(row)
            assert row.cells[date.index].raw in fact.clause


def test_indicator_cells_have_target_result_period_and_cutoff(parsed_report: ParsedReport):
    tables = _table(parsed_report, "indicators")
    for table in tables:
        target, result = table.column("target"), table.column("result")
        assert target and result and table.label_column is not None
        year = re.search(r"\d{4}", target.header)
        assert year and target.period == year.group()
        day_month = re.search(r"(\d{1,2}) DE (\w+)", result.header, re.IGNORECASE)
        assert day_month and result.cutoff is not None
        assert result.cutoff.startswith(f"{day_month.group(1)} de {day_month.group(2).lower()}")
        for i, row in enumerate(table.rows):
            facts = {f.col_index: f for f in parsed_report.facts
                     if f.table_key == table.key and f.row_index == i}
            assert facts[target.index].meaning == "target"
            assert facts[result.index].meaning == "result"
            assert facts[result.index].cutoff == result.cutoff
            assert facts[target.index].subject == table.row_label(row)


def test_money_scale_is_read_from_the_unit_column(parsed_report: ParsedReport):
    # a row measured in "Millones de dólares": "4,9" is value 4.9, unit USD, scale millones
    seen = 0
    for table in _table(parsed_report, "indicators"):
        unit = table.column("unit")
        for i, row in enumerate(table.rows):
            if "dólares" not in row.cells[unit.index].raw.lower():
                continue
            for f in parsed_report.facts:
                if f.table_key == table.key and f.row_index == i and f.col_index != unit.index:
                    raw = _raw_row(parsed_report, table, i)[f.col_index]
                    assert (f.value, f.unit, f.scale) == (_value(raw), "USD", "millones")
                    seen += 1
    assert seen >= 4
