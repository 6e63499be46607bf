"""The command catalogue and run_command on the real report, without Telegram."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bot.commands import COMMANDS, command_lang, resolve_command, run_command
from bot.engine.answer import Answer, Source
from bot.engine.core import Engine
from bot.report_tables import clean_cell, grid_tables, indicator_tables

TELEGRAM_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
TABLE_BACKED = ("indicadores", "eventos", "grafico", "csv", "seccion")




def test_catalogue_is_valid_for_telegram() -> None:
    names = [name for spec in COMMANDS for name in (spec.name, *spec.aliases)]
    assert len(names) == len(set(names))
    for spec in COMMANDS:
        for name in (spec.name, *spec.aliases):
            assert TELEGRAM_COMMAND.match(name), name
            assert resolve_command(f"/{name.upper()}@informe_bot") is spec
        assert 3 <= len(spec.description_es) <= 256 and 3 <= len(spec.description_en) <= 256
    assert resolve_command("nada") is None
    assert command_lang("help") == "en" and command_lang("ayuda") == "es"
    assert command_lang("csv", default="en") == "en" and command_lang("indicators") == "en"


@pytest.mark.parametrize("spec", COMMANDS, ids=[s.name for s in COMMANDS])
def test_every_command_answers_with_and_without_odd_arguments(
    answer_engine: Engine, spec: object
) -> None:
    name = spec.name  # type: ignore[attr-defined]
    for args in ("", "  ", "'; DROP TABLE query_log; --", "9" * 500, "🙂🙂", "<b>x</b> & %s {0}"):
        for lang in ("es", "en"):
            result = run_command(answer_engine, name, args, lang=lang)
            assert isinstance(result.answer, Answer)
            assert result.answer.text.strip()
            assert result.answer.status in ("answered", "ambiguous", "not_found")
            if result.choices:
                assert result.command is not None and resolve_command(result.command) is spec


@pytest.mark.parametrize("name", TABLE_BACKED)
def test_every_pick_one_button_of_table_commands_gives_an_answer(
    answer_engine: Engine, name: str
) -> None:
    menu = run_command(answer_engine, name, "")
    assert len(menu.choices) >= 2
    for option in menu.choices:
        result = run_command(answer_engine, menu.command or name, option.value)
        assert result.answer.status == "answered", (option, result.answer.text)
        assert result.remember and result.answer.sources
        if name == "grafico":
            assert result.attachment and result.attachment.data.startswith(b"\x89PNG")
        if name == "csv":
            assert result.attachment and result.attachment.filename.endswith(".csv")


def test_english_alias_answers_in_english(answer_engine: Engine) -> None:
    result = run_command(answer_engine, "indicators", "", lang="en")
    assert result.answer.text == "Which indicators?" and result.command == "indicators"
    result = run_command(answer_engine, "indicators", result.choices[0].value, lang="en")
    assert "of the target" in result.answer.text and "Computed" not in result.answer.text


def test_indicators_compute_share_only_for_comparable_cells(answer_engine: Engine) -> None:
    table = indicator_tables(answer_engine.reports[answer_engine.latest_report_id])[0]
    result = run_command(answer_engine, "indicadores", table.section)
    figures = {f.label: f for f in result.answer.figures}
    assert len(figures) == len(table.rows)
    for row in table.rows:
        figure = figures[clean_cell(row.cells[0].raw)]
        result_raw, target_raw = clean_cell(row.cells[-1].raw), clean_cell(row.cells[-2].raw)
        assert (figure.display, figure.target) == (result_raw, target_raw)
        if result_raw.endswith("%") != target_raw.endswith("%"):
            assert figure.share_of_target is None  # "90%" against "10": not comparable
        else:
            share = row.cells[-1].value / row.cells[-2].value * 100  # type: ignore[operator]
            assert figure.share_of_target == f"{round(share)} %"


def test_every_table_exports_as_csv(answer_engine: Engine) -> None:
    report = answer_engine.reports[answer_engine.latest_report_id]
    for table in grid_tables(report):
        result = run_command(answer_engine, "csv", table.key)
        assert result.attachment is not None
        document = result.attachment.data
        assert document.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(document.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == len(table.rows) + 3  # header, rows, blank row, source line
        assert rows[1][0] == clean_cell(table.rows[0].cells[0].raw)
        assert rows[-2] == [] and rows[-1][0].startswith("Fuente: ")
        assert f"§{table.section}" in rows[-1][0]


def test_source_command_uses_the_last_answer(answer_engine: Engine) -> None:
    empty = run_command(answer_engine, "fuente", "")
    assert empty.answer.status == "not_found" and not empty.remember
    last = Answer(
        status="answered",
        text="x",
        sources=[Source(section="3.2", title="Indicadores de inversión", quote="Q", line=387)],
    )
    result = run_command(answer_engine, "fuente", "", last_answer=last)
    assert result.answer.kind == "source" and result.answer.sources == last.sources
    assert "«Q»" in result.answer.text and "línea 387" in result.answer.text
    assert not result.remember  # /fuente does not replace the answer it describes


def test_unknown_command_is_a_polite_not_found(answer_engine: Engine) -> None:
    result = run_command(answer_engine, "borrar_todo", "")
    assert result.answer.status == "not_found" and "/ayuda" in result.answer.text
