"""Charts and the table readings behind them, on the real report: every plotted number is a cell."""

from __future__ import annotations

import io
import re

import pytest
from matplotlib.image import imread

from bot import charts
from bot.engine.core import Engine
from bot.report_tables import (
    budget_lines,
    clean_cell,
    column_index,
    event_tables,
    events_per_month,
    expense_table,
    fold,
    indicator_points,
    indicator_tables,
    month_of,
)
from knowledge.model import ParsedReport, ParsedTable


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("14 de mayo", 5),
        ("Septiembre 23", 9),
        ("30 septiembre", 9),
        ("28 sept - 2 octubre", 9),
        ("Del 07 al 14 de octubre", 10),
        ("20 de noviembre - Día de apertura", 11),
        ("2, 3 y 4 de diciembre", 12),
        ("3 de Julio", 7),
        ("22/04/2020", 4),
        ("", None),
        ("sin fecha", None),
        ("99/99/2020", None),
    ],
)
def test_month_of_date_cells(text: str, month: int | None) -> None:
    assert month_of(text) == month


def test_indicator_points_are_the_table_cells(parsed_report: ParsedReport) -> None:
    tables = indicator_tables(parsed_report)
    assert [t.section for t in tables] == ["3.2", "4.2"]
    for table in tables:
        points = indicator_points(table)
        assert len(points) == len(table.rows)
        target_col = column_index(table, "meta")
        assert target_col is not None
        for point, row in zip(points, table.rows, strict=True):
            assert point.target == row.cells[target_col].value
            assert point.result == row.cells[target_col + 1].value
            assert point.label == clean_cell(row.cells[0].raw)


def test_budget_lines_and_events_per_month(parsed_report: ParsedReport) -> None:
    table = expense_table(parsed_report)
    assert table is not None and "gasto" in table.title.lower()
    lines = budget_lines(table)
    assert len(lines) == len(table.rows)
    assert all(0 < line.executed <= line.planned for line in lines)
    assert all(line.share.endswith("%") for line in lines)
    counts = events_per_month(parsed_report)
    tables = event_tables(parsed_report)
    assert len(counts) == len(tables) == 3
    for table, per_month in zip(tables, counts.values(), strict=True):
        dated = sum(
            month_of(clean_cell(row.cells[column_index(table, "fecha") or 0].raw)) is not None
            for row in table.rows
        )
        assert sum(per_month.values()) == dated == len(table.rows)  # every event has a month


# ----------------------------------------------------------------------------- published charts
#
# Every chart kind is drawn here and its text objects read back from the figure. Expected strings
# come from the report (its title, table headers, cells, text) or from independent rules written
# in this file (number format), never from the chart code's own helpers.


def _kinds(report: ParsedReport) -> list[str]:
    return [o.value for o in charts.chart_options(report)]


_DRAWN: dict[tuple[int, str, str], tuple[ParsedReport, charts.Chart, list[str]]] = {}


def _drawn(report: ParsedReport, value: str, lang: str = "es") -> tuple[charts.Chart, list[str]]:
    """The chart with its figure, drawn once per report, kind and language for this module
    (drawing is deterministic and takes most of a second; the tests only read it)."""
    key = (id(report), value, lang)
    if key not in _DRAWN or _DRAWN[key][0] is not report:
        chart = charts.draw_chart(report, value, lang, keep_figure=True)
        assert chart is not None and chart.figure is not None
        _DRAWN[key] = (report, chart, charts.chart_texts(chart.figure))
    _, chart, texts = _DRAWN[key]
    return chart, list(texts)


def _expected_number(value: float, lang: str) -> str:
    """Thousands "." and decimal "," in Spanish, the other way round in English."""
    decimals = 0 if float(value).is_integer() else len(repr(float(value)).split(".")[1])
    text = f"{value:,.{decimals}f}"
    if lang == "es":
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def test_the_report_offers_every_chart_kind(parsed_report: ParsedReport) -> None:
    kinds = _kinds(parsed_report)
    assert kinds == ["ind-3.2", "ind-4.2", "presupuesto", "presupuesto-ingresos", "eventos"]
    assert [t.section for t in indicator_tables(parsed_report)] == ["3.2", "4.2"]
    assert charts.draw_chart(parsed_report, "no-such-chart") is None


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("value", ["ind-3.2", "ind-4.2", "presupuesto", "presupuesto-ingresos",
                                   "eventos"])
def test_png_is_wide_enough_at_2x_and_no_text_is_under_11_pt(
    parsed_report: ParsedReport, value: str, lang: str
) -> None:
    from matplotlib.text import Text
    from PIL import Image

    chart, _ = _drawn(parsed_report, value, lang)
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(chart.png))
    assert image.size[0] >= 1280 and image.size[1] >= 600
    assert [round(d) for d in image.info["dpi"]] == [200, 200]  # 2 x 100 dpi
    pixels = imread(io.BytesIO(chart.png), format="png")
    assert pixels.std() > 0.05  # something is drawn, not a blank canvas
    assert chart.figure is not None
    sizes = [t.get_fontsize() for t in chart.figure.findobj(Text) if t.get_text().strip()]
    assert sizes and min(sizes) >= 11
    assert chart.sources and all(s.section for s in chart.sources)


@pytest.mark.parametrize("value", ["ind-3.2", "presupuesto", "eventos"])
def test_source_and_cutoff_from_the_report_are_on_the_image(
    parsed_report: ParsedReport, value: str
) -> None:
    chart, texts = _drawn(parsed_report, value)
    footer = " ".join(t.replace("\n", " ") for t in texts if t.startswith("Fuente:"))
    assert footer == chart.source_line
    name = footer.removeprefix("Fuente: ").split(", §")[0]
    title = parsed_report.title
    assert fold(name) == fold(title) and name != title and not name.islower()
    for word in name.split():  # acronyms and names as the report's own prose writes them
        if word.isupper() and len(word) > 1 and not word.isdigit():
            assert any(f" {word} " in line for line in parsed_report.lines if not line.isupper())
    # the cut-off is the date the indicator tables' headers give, in the source line's words
    header = " ".join(indicator_tables(parsed_report)[0].header)
    match = re.search(r"AL (\d{1,2}) DE ([A-ZÁÉÍÓÚ]+) DE (\d{4})", header)
    assert match is not None
    day, month, year = match.groups()
    assert footer.endswith(f"corte {day} de {month.lower()} de {year}")
    sections = {s.section for s in chart.sources}
    assert all(f"§{section}" in footer for section in sections)


def test_english_charts_say_source_and_cut_off_in_english(parsed_report: ParsedReport) -> None:
    chart, texts = _drawn(parsed_report, "presupuesto", "en")
    assert chart.source_line.startswith("Source: ") and " cut-off 15 December " in chart.source_line
    joined = "\n".join(texts)
    for spanish in ("Fuente", "corte", "Ejecutado", "Presupuesto definitivo", "millones de pesos"):
        assert spanish not in joined
    assert "Executed" in texts and "Final budget" in texts
    assert chart.title.startswith("Expense budget execution")
    _, events = _drawn(parsed_report, "eventos", "en")
    assert {"Apr", "Aug", "Dec"} <= set(events) and not {"Abr", "Ago", "Dic"} & set(events)


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("value", ["ind-4.2", "presupuesto", "eventos"])
def test_every_tick_label_is_in_the_charts_number_format(
    parsed_report: ParsedReport, value: str, lang: str
) -> None:
    chart, _ = _drawn(parsed_report, value, lang)
    assert chart.figure is not None
    checked = 0
    for ax in chart.figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not isinstance(axis.get_major_formatter(), charts._Numbers):
                continue
            locs = [v for v in axis.get_majorticklocs()]
            lo, hi = axis.get_view_interval()
            labels = {round(t.get_position()[axis is ax.yaxis], 9): t.get_text()
                      for t in axis.get_ticklabels()}
            shown = [v for v in locs if lo - 1e-9 <= v <= hi + 1e-9]
            decimals = max(
                (0 if float(v).is_integer() else len(f"{v:g}".split(".")[1]) for v in shown),
                default=0,
            )
            for v in shown:
                text = labels[round(v, 9)]
                expected = f"{v:,.{decimals}f}"
                if lang == "es":
                    expected = expected.translate(str.maketrans(",.", ".,"))
                assert text == expected, (value, lang, v, text)
                checked += 1
    assert checked >= 4
    texts = charts.chart_texts(chart.figure)
    if value == "presupuesto":  # thousands of millions on the axis: "1.000" / "1,000"
        assert ("1.000" if lang == "es" else "1,000") in texts
    if value == "ind-4.2":  # decimals on the smallest indicator's axis: "1,5" / "1.5"
        assert ("1,5" if lang == "es" else "1.5") in texts


def test_bar_labels_are_the_cells_in_the_charts_format(parsed_report: ParsedReport) -> None:
    table = indicator_tables(parsed_report)[1]
    target_col = column_index(table, "meta")
    assert target_col is not None
    for lang in ("es", "en"):
        _, texts = _drawn(parsed_report, f"ind-{table.section}", lang)
        joined = "\n".join(texts)
        for row in table.rows:
            for cell in row.cells[target_col : target_col + 2]:
                assert cell.value is not None
                assert _expected_number(cell.value, lang) in joined
        assert ("USD 4,9 millones" if lang == "es" else "USD 4.9 million") in joined


def _budget_table(report: ParsedReport, word: str) -> ParsedTable:
    return next(t for t in report.tables if word in fold(t.title) and "ppto" in fold(t.header[1]))


def test_budget_legend_words_come_from_the_tables_role_not_its_header(
    parsed_report: ParsedReport,
) -> None:
    expenses = _budget_table(parsed_report, "gastos")
    executed_header = expenses.header[(column_index(expenses, "definitivo") or 0) + 1]
    assert fold(executed_header) == "recaudos"  # the report's header misnames the column
    _, texts = _drawn(parsed_report, "presupuesto")
    assert "Ejecutado" in texts and "Presupuesto definitivo" in texts
    assert not any("recaudo" in fold(t) for t in texts)
    _, texts = _drawn(parsed_report, "presupuesto-ingresos")
    assert "Recaudado" in texts and "Ejecutado" not in texts


def test_budget_chart_draws_parts_and_states_totals_apart(parsed_report: ParsedReport) -> None:
    from matplotlib.patches import Rectangle

    from bot.chart_data import line_tree

    table = _budget_table(parsed_report, "gastos")
    planned_col = column_index(table, "definitivo")
    assert planned_col is not None
    executed = [row.cells[planned_col + 1].value or 0 for row in table.rows]
    tree = line_tree(table)
    totals = {line.index for line in tree if line.is_total}
    for line in tree:  # each total's figures, cell by cell, are the sum of its parts' figures
        if line.is_total:
            for col in range(1, len(table.header) - 1):
                whole = table.rows[line.index].cells[col].value
                assert whole == pytest.approx(
                    sum(table.rows[c].cells[col].value or 0 for c in line.children)
                )
    assert [line.parent for line in tree].count(None) == 1  # one grand total over everything
    chart, texts = _drawn(parsed_report, "presupuesto")
    assert chart.figure is not None
    ax = chart.figure.axes[-1]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    blue = [p.get_width() for p in bars if p.get_facecolor()[:3] == pytest.approx(
        (0x1F / 255, 0x6F / 255, 0xEB / 255), abs=1e-3)]
    parts = [i for i in range(len(table.rows)) if i not in totals]
    assert 0 < len(parts) < len(table.rows) and 0 in totals
    assert len(blue) == len(parts)  # one bar per line no other line breaks down
    assert sum(blue) == pytest.approx(executed[0] / 1e6)  # the parts add up to the grand total
    for total in totals:  # a sub-total equal to its one sub-line is not drawn twice
        assert sum(w == pytest.approx(executed[total] / 1e6) for w in blue) <= 1
    first = clean_cell(table.rows[0].cells[0].raw)
    total_text = next(t for t in texts if fold(t).startswith(fold(first) + ":"))
    assert "7.599" in total_text and "6.173" in total_text and "81,23 %" in total_text
    tick_names = [fold(t.get_text()).split("\n")[0].strip() for t in ax.get_yticklabels()]
    assert fold(first) not in tick_names  # the grand total is not drawn beside its parts


def test_line_tree_finds_nested_totals_and_named_totals() -> None:
    from bot.chart_data import line_tree
    from knowledge.model import ParsedCell, ParsedRow, ParsedTable

    def table(rows: list[tuple[str, float]]) -> ParsedTable:
        return ParsedTable(
            key="t", section="1", title="T", header=["DETALLE", "VALOR"],
            rows=[ParsedRow(line=i + 1, cells=[ParsedCell(raw=n), ParsedCell(raw=str(v), value=v)])
                  for i, (n, v) in enumerate(rows)],
            line_start=1, line_end=len(rows),
        )

    tree = line_tree(table([("A", 10), ("B", 4), ("C", 6), ("D", 6), ("E", 3)]))
    assert [line.children for line in tree] == [(1, 2), (), (3,), (), ()]
    assert [line.level for line in tree] == [0, 1, 1, 2, 0]
    tree = line_tree(table([("Uno", 2), ("Dos", 3), ("Total general", 99)]))
    assert tree[2].children == (0, 1)  # named "Total": its parts are the lines above it
    tree = line_tree(table([("X", 5), ("Y", 4), ("Z", 7)]))
    assert not any(line.is_total for line in tree)  # no sums, no names: no totals


def test_contradiction_notes_are_ingests_and_the_rule_finds_the_same_rows(
    parsed_report: ParsedReport,
) -> None:
    from bot.chart_data import (
        count_notes,
        count_notes_by_rule,
        indicator_notes,
        indicator_notes_by_rule,
        tables_with_role,
    )

    for table in indicator_tables(parsed_report):
        notes = indicator_notes(parsed_report, table)
        by_rule = indicator_notes_by_rule(parsed_report, table)
        # the chart's rule (table vs the text's figure) agrees with ingest's contradictions
        assert {n.row_index for n in by_rule} == {n.row_index for n in notes}
        for note in notes:
            section = parsed_report.section(note.sections[0])
            assert section is not None and note.text_value in section.text.replace("**", "")
            assert note.row_index is not None
            row = table.rows[note.row_index]
            assert note.table_value in {clean_cell(c.raw) for c in row.cells}
            assert note.text_value != note.table_value
    assert sum(len(indicator_notes(parsed_report, t)) for t in indicator_tables(parsed_report))
    events = tables_with_role(parsed_report, "events")
    total = str(sum(len(t.rows) for t in events))
    for found in (count_notes(parsed_report, events), count_notes_by_rule(parsed_report, events)):
        overall = [n for n in found if n.table_value == total]
        assert len(overall) == 1
        announced = re.match(r"\d+", overall[0].text_value)
        assert announced and announced.group(0) != total
        assert re.search(rf"\b{announced.group(0)} eventos\b", fold(" ".join(parsed_report.lines)))


def test_notes_are_visible_on_the_image(parsed_report: ParsedReport) -> None:
    table = indicator_tables(parsed_report)[0]
    chart, texts = _drawn(parsed_report, f"ind-{table.section}")
    (note,) = chart.notes
    shown = [t.replace("\n", " ") for t in texts if "Nota" in t]
    assert shown == [f"⚠ Nota: {note}"]
    free_zones = next(r for r in table.rows if "%" in r.cells[-1].raw)  # "90%" against 10
    from bot.chart_data import indicator_notes

    (found,) = indicator_notes(parsed_report, table)
    text_figure = re.match(r"[\d,]+", found.text_value)
    assert text_figure and f"{text_figure.group(0)} %" in note  # "9%" as the text writes it
    assert f"{free_zones.cells[-1].value:g} %" in note
    assert "de la meta" not in " ".join(t for t in texts if "90 %" in t)  # no share when disputed
    chart, texts = _drawn(parsed_report, "eventos")
    assert chart.notes
    for note in chart.notes:
        assert any(note in t.replace("\n", " ") for t in texts)
    total_rows = sum(len(t.rows) for t in event_tables(parsed_report))
    assert any(f"listan {total_rows}" in note for note in chart.notes)
    _, texts = _drawn(parsed_report, "eventos", "en")
    assert any(t.startswith("⚠ Note: The text") for t in texts)


def test_a_text_that_agrees_with_its_table_gives_no_note(parsed_report: ParsedReport) -> None:
    from bot.chart_data import indicator_notes

    report = parsed_report.model_copy(deep=True)
    table = indicator_tables(report)[0]
    (note,) = indicator_notes(report, table)
    assert note.row_index is not None
    row = table.rows[note.row_index]
    for fact in report.facts:  # make the text say what the table says
        if fact.raw == note.text_value and fact.section == note.sections[0]:
            fact.value = row.cells[-1].value or 0
    chart = charts.draw_chart(report, f"ind-{table.section}", keep_figure=True)
    assert chart is not None and len(chart.notes) == 1  # ingest still lists the contradiction
    report.contradictions = [
        c for c in report.contradictions
        if not any(s.table == table.key and s.line == row.line for s in c.sides)
    ]
    chart = charts.draw_chart(report, f"ind-{table.section}", keep_figure=True)
    assert chart is not None and chart.notes == []


def test_chart_command_in_english_answers_in_english(answer_engine: Engine) -> None:
    from bot.commands import run_command

    result = run_command(answer_engine, "chart", "budget", lang="en")
    assert result.photo and result.photo.startswith(b"\x89PNG")
    assert result.answer.text.startswith("Expense budget execution")
    result = run_command(answer_engine, "grafico", "eventos")
    assert result.answer.text.startswith("Eventos por mes") and "⚠ Nota:" in result.answer.text
    result = run_command(answer_engine, "grafico", "ingresos")
    assert result.answer.text.startswith("Ejecución presupuestal de ingresos")


def test_a_drawn_chart_is_kept_for_the_same_report_and_language(
    parsed_report: ParsedReport,
) -> None:
    first = charts.draw_chart(parsed_report, "eventos", "es")
    again = charts.draw_chart(parsed_report, "eventos", "es")
    english = charts.draw_chart(parsed_report, "eventos", "en")
    assert first is not None and again is not None and english is not None
    assert again is not first and again.png == first.png and english.png != first.png
    other = parsed_report.model_copy(update={"source_sha256": "another-text"})
    redrawn = charts.draw_chart(other, "eventos", "es")
    assert redrawn is not None and redrawn.png == first.png  # same content, drawn again
    assert len(charts._CACHE) <= charts._CACHE_SIZE
