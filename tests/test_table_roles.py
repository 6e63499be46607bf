"""Table roles and column readings: on the bundled report, and on a variant made by code
(headers and headings renamed, figures changed, another year) that must read the same."""

from __future__ import annotations

import pytest

from knowledge.ingest import parse_report
from knowledge.ingest.table_roles import header_meaning
from knowledge.model import ParsedReport
from knowledge.text import fold
from tests.table_variants import renamed_tables

# What a reader of the report says each table is (keys of the bundled report's tables).
EXPECTED_ROLES = {
    "3.2-indicadores-inversion": "indicators",
    "4.2-indicadores-cooperacion": "indicators",
    "4.3.2-proyectos-cooperacion": "register",
    "4.4.3-sur-sur": "register",
    "5.2-eventos-propios": "events",
    "5.2-eventos-invitados": "events",
    "5.2-eventos-alcaldia": "events",
    "6.2-banco-proyectos": "register",
    "8-contratos-modalidad": "breakdown",
    "8-pqrs-tipo": "breakdown",
    "8-pqrs-proceso": "breakdown",
    "8-procesos-judiciales": "register",
    "8-presupuesto-ingresos": "budget_income",
    "8-presupuesto-gastos": "budget_expenses",
    # the Valle del Software roadmap (stages of actions, no names, no figures) is "other"
    "6.1-valle-software-cooperacion": "other",
    "6.1-valle-software-inversion": "other",
    "6.1-valle-software-promocion": "other",
}


@pytest.fixture(scope="module")
def variant(parsed_report: ParsedReport) -> ParsedReport:
    return parse_report(renamed_tables("\n".join(parsed_report.lines)), report_id="variante")


def test_bundled_table_roles(parsed_report: ParsedReport):
    assert {t.key: t.role for t in parsed_report.tables} == EXPECTED_ROLES


def test_every_column_is_read(parsed_report: ParsedReport):
    for table in parsed_report.tables:
        assert [c.index for c in table.columns] == list(range(len(table.header)))
        assert [c.header for c in table.columns] == table.header  # headers stay as written
        assert table.heading
        if table.role != "other":
            assert table.label_column is not None or table.role == "register"


def test_columns_of_each_role(parsed_report: ParsedReport):
    for table in parsed_report.tables:
        meanings = {c.meaning for c in table.columns}
        types = {c.type for c in table.columns}
        if table.role == "indicators":
            assert {"target", "result", "label", "unit"} <= meanings
        elif table.role.startswith("budget_"):
            assert {"budgeted", "adjustment", "final_budget", "share", "label"} <= meanings
            assert ("collected" if table.role == "budget_income" else "executed") in meanings
            assert types == {"name", "money", "percent"}
        elif table.role == "events":
            assert "date" in types and "name" in types
        elif table.role == "breakdown":
            assert types & {"count", "money"}
            assert all(c.unit for c in table.columns if c.type in ("count", "money"))


def test_total_rows(parsed_report: ParsedReport):
    contracts = parsed_report.table("8-contratos-modalidad")
    assert [r.total for r in contracts.rows] == [False] * (len(contracts.rows) - 1) + [True]
    expenses = parsed_report.table("8-presupuesto-gastos")
    assert expenses.rows[0].total and expenses.rows[0].parent is None
    assert {r.parent for r in expenses.rows[1:]} <= {0} | {
        i for i, r in enumerate(expenses.rows) if r.total}


def test_header_meanings_are_general_words():
    assert header_meaning("META 2021") == "target"
    assert header_meaning("Avance a junio") == "result"
    assert header_meaning("Presupuesto definitivo") == "final_budget"
    assert header_meaning("Valor ejecutado") == "executed"
    assert header_meaning("Fecha") == "date"
    assert header_meaning("Observaciones") == "other"


def test_variant_changes_what_it_should(parsed_report: ParsedReport, variant: ParsedReport):
    assert variant.year == parsed_report.year + 1
    assert len(variant.tables) == len(parsed_report.tables)
    pairs = list(zip(parsed_report.tables, variant.tables, strict=True))
    assert any(a.header != b.header for a, b in pairs)
    assert any(a.heading != b.heading for a, b in pairs)
    values = [(a.rows[0].cells[-1].value, b.rows[0].cells[-1].value)
              for a, b in pairs
              if a.role == "breakdown"]
    assert values and all(a != b for a, b in values if a)


def test_variant_reads_the_same(parsed_report: ParsedReport, variant: ParsedReport):
    for a, b in zip(parsed_report.tables, variant.tables, strict=True):
        assert b.role == a.role, (a.key, b.key, b.header)
        assert [(c.type, c.meaning) for c in b.columns] == [
            (c.type, c.meaning) for c in a.columns], (a.key, b.header)
        assert b.label_column == a.label_column
        assert [(r.total, r.parent) for r in b.rows] == [(r.total, r.parent) for r in a.rows]
        # every figure still has a unit; the same one where the header kept its words
        assert [[c.unit is None for c in r.cells] for r in b.rows] == [
            [c.unit is None for c in r.cells] for r in a.rows], a.key
        for k, (ha, hb) in enumerate(zip(a.header, b.header, strict=True)):
            if ha == hb:
                assert [r.cells[k].unit for r in b.rows] == [r.cells[k].unit for r in a.rows]


def test_variant_cell_facts_follow_the_new_figures(parsed_report: ParsedReport,
                                                   variant: ParsedReport):
    def cells(report: ParsedReport) -> list[tuple[str, float, str]]:
        return [(f.meaning, f.value, f.subject or "") for f in report.facts if f.source == "cell"
                and report.table(f.table_key).rows[f.row_index].cells[f.col_index].value
                is not None]

    old, new = cells(parsed_report), cells(variant)
    assert [m for m, _, _ in old] == [m for m, _, _ in new]
    assert sum(a[1] != b[1] for a, b in zip(old, new, strict=True)) >= 0.8 * len(old)


def test_variant_keys_come_from_the_text(variant: ParsedReport):
    keys = [t.key for t in variant.tables]
    assert len(set(keys)) == len(keys)
    for table in variant.tables:
        assert table.key.startswith(f"{table.section}-")
        first_word = table.key.removeprefix(f"{table.section}-").split("-")[0]
        assert first_word in fold(table.title)


OTHER_REPORT = """INFORME ANUAL BURÓ DE TURISMO DEL LAGO

2022

01

RESULTADOS

Durante el año atendimos 12.400 visitantes, de los cuales 3.100 llegaron del exterior; con la
Gobernación del Lago por $250 millones y con la Cámara de Comercio por $90 millones.

1.1

METAS DEL PLAN

INDICADOR\tUNIDAD\tMETA 2022\tLOGRO A 30 DE NOVIEMBRE
Visitantes atendidos\tPersonas\t10.000\t12.400
Ferias realizadas\tFerias\t4\t5

1.2

AGENDA DE FERIAS

EVENTO\tFECHA\tASISTENTES
Feria del Lago\t3 de marzo\t800
Noche de Museos\t15 de julio\t450
Festival de Otoño\t2 de octubre\t1.200

1.3

VISITANTES POR ORIGEN

ORIGEN\tCANTIDAD
Nacional\t9.300
Extranjero\t3.100
Total\t12.400

02

FINANZAS

EJECUCIÓN DEL PRESUPUESTO DE EGRESOS

RUBRO\tPRESUPUESTO INICIAL\tPRESUPUESTO DEFINITIVO\tEJECUTADO\t%
Funcionamiento\t500.000\t520.000\t480.000\t92,31%
Promoción\t300.000\t310.000\t250.000\t80,65%
"""


def test_another_organisations_tables():
    report = parse_report(OTHER_REPORT, report_id="buro-2022")
    roles = [t.role for t in report.tables]
    assert roles == ["indicators", "events", "breakdown", "budget_expenses"]
    indicators, events, breakdown, budget = report.tables
    assert indicators.column("result").cutoff == "30 de noviembre"
    assert indicators.column("target").period == "2022"
    assert events.column("count").unit == "asistentes"
    assert [r.total for r in breakdown.rows] == [False, False, True]
    assert budget.column("executed").type == "money"
    facts = {(f.table_key, f.row_index, f.col_index): f for f in report.facts
             if f.source == "cell"}
    executed = facts[(budget.key, 1, budget.column("executed").index)]
    assert (executed.meaning, executed.subject) == ("executed", "Promoción")
    # and its prose: the visitors "de los cuales" from abroad, each amount to its partner
    prose = [f for f in report.facts if f.source == "prose"]
    abroad = next(f for f in prose if f.value == 3100)
    assert abroad.part_of == next(f for f in prose if f.value == 12400).index
    assert next(f for f in prose if f.value == 250).subject == "Gobernación del Lago"
    assert next(f for f in prose if f.value == 90).subject == "Cámara de Comercio"
