"""Charts and the table readings behind them, on the real report: every plotted number is a cell."""

from __future__ import annotations

import io

import pytest
from matplotlib.image import imread

from bot import charts
from bot.report_tables import (
    budget_lines,
    clean_cell,
    column_index,
    event_tables,
    events_per_month,
    expense_table,
    indicator_points,
    indicator_tables,
    month_of,
)
from knowledge.model import ParsedReport


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


@pytest.mark.parametrize("value", ["ind-3.2", "ind-4.2", "presupuesto", "eventos"])
def test_each_chart_is_a_readable_png_with_its_source(
    parsed_report: ParsedReport, value: str
) -> None:
    options = {o.value for o in charts.chart_options(parsed_report)}
    assert value in options
    chart = charts.draw_chart(parsed_report, value)
    assert chart is not None
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = imread(io.BytesIO(chart.png), format="png")
    height, width = pixels.shape[:2]
    assert width >= 600 and height >= 300
    assert pixels.std() > 0.05  # something is drawn, not a blank canvas
    assert chart.sources and all(s.section for s in chart.sources)
    assert charts.draw_chart(parsed_report, "no-such-chart") is None
