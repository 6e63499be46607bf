"""Each kind of query the engine answers, on the real report: figures with targets, lists,
filters, superlatives, totals, summaries, sources, contradictions, follow-ups, refusals.

Expected values are read from the parsed report (table cells, facts), not typed by hand, except
where the test is about how a figure is written in the answer's language.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.engine.context import ConversationContext
from bot.engine.core import Engine
from bot.engine.normalize import fold
from knowledge.model import ParsedReport, ParsedTable


@pytest.fixture(scope="module")
def engine(answer_engine: Engine) -> Engine:
    # The answer engine (conftest's `engine` is the migrated SQL engine).
    return answer_engine


def _table(report: ParsedReport, key: str) -> ParsedTable:
    return next(t for t in report.tables if t.key == key)


def _column(table: ParsedTable, word: str) -> int:
    return next(i for i, h in enumerate(table.header) if word in fold(h))


# ----------------------------------------------------------------------------- figures


def test_figure_with_unit_target_share_and_source(engine: Engine, parsed_report) -> None:
    table = _table(parsed_report, "3.2-indicadores-inversion")
    row = table.rows[0]
    target = row.cells[_column(table, "meta")].value
    progress = row.cells[_column(table, "avance")].value
    answer = engine.ask("¿y la meta de la inversión nacional y extranjera?").answer
    assert answer.status == "answered"
    figure = answer.figures[0]
    assert figure.value == progress and figure.unit == "USD" and figure.scale == "millones"
    assert figure.target == "USD 350 millones" and figure.share_of_target == "109 %"
    assert figure.computed_from == [
        row.cells[_column(table, "meta")].raw,
        row.cells[_column(table, "avance")].raw,
    ]
    assert round(progress / target * 100) == 109
    assert "cálculo propio" in answer.text  # a computed share says it is computed
    assert answer.sources[0].section == "3.2"
    assert "15 de diciembre de 2020" in figure.cutoff


def test_english_answer_uses_english_number_format(engine: Engine) -> None:
    answer = engine.ask("What is the investment target and how much was reached?").answer
    assert answer.lang == "en" and answer.status == "answered"
    assert "USD 381.3 million" in answer.text and "target" in answer.text


def test_figure_answer_is_short_and_figure_first(engine: Engine) -> None:
    answer = engine.ask("cuantas familias se beneficiaron de la cooperacion").answer
    assert answer.text.startswith("6.851 familias")
    assert len(answer.text) <= 900


def test_count_question_needs_a_figure_of_that_thing(engine: Engine) -> None:
    answer = engine.ask("cuantos empleos genero la cooperacion internacional").answer
    assert answer.status == "not_found" and not answer.figures
    assert 1 <= len(answer.suggestions) <= 3


# ----------------------------------------------------------------------------- lists, filters


def test_enumeration_lists_every_item(engine: Engine, parsed_report: ParsedReport) -> None:
    networks = next(e for e in parsed_report.enumerations if e.key == "redes-ciudad")
    answer = engine.ask("¿en qué redes internacionales de ciudades participa Medellín?").answer
    assert answer.kind == "list"
    for item in networks.items:
        assert item.label.rstrip(":").split("(")[0].strip()[:10].lower() in answer.text.lower()


def test_events_by_month_come_from_the_date_column(engine: Engine) -> None:
    answer = engine.ask("¿qué eventos hubo en octubre?").answer
    assert answer.kind == "filter"
    assert "Start Out Brasil" in answer.text and "New York" in answer.text
    assert "País Vasco" not in answer.text  # November


def test_threshold_filter_on_a_numeric_column(engine: Engine, parsed_report) -> None:
    table = _table(parsed_report, "8-pqrs-proceso")
    expected = [r.cells[0].raw for r in table.rows if (r.cells[1].value or 0) < 10]
    answer = engine.ask("procesos con menos de 10 pqrs").answer
    for name in expected:
        assert name in answer.text
    assert "Relaciones administrativas" not in answer.text


def test_superlative_handles_mixed_cells_honestly(engine: Engine) -> None:
    answer = engine.ask("¿qué evento tuvo más asistentes?").answer
    assert "Intelligent Cities Challenge" in answer.text and "200" in answer.text
    assert "100+" in answer.text  # cells written as lower bounds are named, not hidden


def test_total_is_computed_and_compared_with_the_reports_total(engine: Engine) -> None:
    answer = engine.ask("total de contratos por modalidad").answer
    total = next(f for f in answer.figures if f.computed)
    assert total.value == 61 and total.computed_from
    assert "suma" in answer.text


# ----------------------------------------------------------------------------- summaries


def test_section_summary_is_extractive_and_bounded(engine: Engine) -> None:
    answer = engine.section_answer("4.2")
    assert answer.kind == "summary" and answer.status == "answered"
    assert "4,8" in answer.text and "4,9" in answer.text
    assert len(answer.text) < 2600


def test_unknown_section_names_the_real_ones(engine: Engine) -> None:
    answer = engine.ask("sección 9.9").answer
    assert answer.status == "not_found" and "1, 2, 3" in answer.text


# ----------------------------------------------------------------------------- honesty


@pytest.mark.parametrize(
    "question",
    [
        "cuanta cooperacion se recibio en 2021?",
        "cuanto cuesta la ciclorruta norte sur",
        "cual es el salario del alcalde",
        "What's the population of Antioquia?",
        "quien es el presidente de colombia",
    ],
)
def test_out_of_scope_is_refused_without_figures(engine: Engine, question: str) -> None:
    answer = engine.ask(question).answer
    assert answer.status == "not_found", answer.text
    assert not answer.figures
    assert answer.suggestions and all(":" not in s or " " in s for s in answer.suggestions)
    assert not any(s.startswith(("list.", "table.", "fact.")) for s in answer.suggestions)


def test_year_without_report_names_available_years(engine: Engine) -> None:
    answer = engine.ask("cual fue la inversion en 2019").answer
    assert answer.status == "not_found" and "2020" in answer.text


@pytest.mark.parametrize(
    ("question", "both"),
    [
        ("son 62 o 61 contratos?", ("62", "61")),
        ("cuando fue el encuentro sos paisa de austin", ("11 de noviembre", "14 de noviembre")),
        ("cuantos eventos se gestionaron para la alcaldia", ("13", "14")),
        ("cuanta cooperacion tecnica y financiera hubo", ("4,989", "4,9")),
    ],
)
def test_contradictions_give_both_sides(engine: Engine, question: str, both: tuple) -> None:
    answer = engine.ask(question).answer
    assert answer.status == "answered"
    assert all(value in answer.text for value in both), answer.text
    assert len({s.quote for s in answer.sources}) >= 2  # both sides quoted


@pytest.mark.parametrize(
    "text", ["", "   ", "😀😀😀", "\x00\x01", "a" * 5000, "'; DROP TABLE x;--"]
)
def test_bad_input_gets_a_polite_reply(engine: Engine, text: str) -> None:
    answer = engine.ask(text).answer
    assert answer.text.strip()
    assert answer.status in ("answered", "not_found", "ambiguous")


# ----------------------------------------------------------------------------- follow-ups


def test_follow_up_for_the_target_and_for_another_month(engine: Engine) -> None:
    first = engine.ask("cuanta inversion se atrajo")
    assert "381,3" in first.answer.text
    target = engine.ask("¿y la meta?", first.context)
    assert "350" in target.answer.text and target.answer.figures[0].target
    english = engine.ask("and in English?", target.context)
    assert english.answer.lang == "en" and "USD 350 million" in english.answer.text

    september = engine.ask("eventos de septiembre", ConversationContext())
    october = engine.ask("¿y en octubre?", september.context)
    assert "Start Out Brasil" in october.answer.text
    assert "Boston" not in october.answer.text


def test_context_is_plain_data(engine: Engine) -> None:
    reply = engine.ask("cuantas pqrs hubo")
    restored = ConversationContext.model_validate_json(reply.context.model_dump_json())
    assert restored == reply.context


# ----------------------------------------------------------------------------- CLI contract


def test_cli_ask_json_streams_one_object_per_line(tmp_path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "PATH": "/usr/bin:/bin"}
    questions = "cuantas pqrs hubo\nWhat's the population of Antioquia?\n/redes\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "-"],
        input=questions,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    answers = [json.loads(line) for line in lines]
    assert answers[0]["status"] == "answered" and "137" in answers[0]["text"]
    assert answers[1]["status"] == "not_found"
    assert "AICE" in answers[2]["text"]
    assert set(answers[0]) >= {
        "status",
        "text",
        "figures",
        "sources",
        "suggestions",
        "intent",
        "score",
    }


def test_equally_fitting_rows_are_ambiguous_and_each_option_answers(engine: Engine) -> None:
    answer = engine.ask("cuantos asistentes hubo").answer
    assert answer.status == "ambiguous" and not answer.figures
    assert 3 <= len(answer.suggestions) <= 3
    option = engine.ask(answer.suggestions[0]).answer
    assert option.status == "answered" and option.figures
