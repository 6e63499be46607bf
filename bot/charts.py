"""PNG charts drawn from the report's own tables: indicator targets vs results, budget execution by
line, events per month. Every number plotted is read from a parsed table cell.

Uses matplotlib's object API with the Agg canvas (no pyplot, no display, no global figure state);
drawing is serialised by a lock because matplotlib's text and font caches are not thread-safe and
the bot draws from worker threads.
"""

from __future__ import annotations

import io
import textwrap
import threading
from dataclasses import dataclass, field

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.engine.answer import Source
from bot.report_tables import (
    Option,
    budget_lines,
    clean_cell,
    column_index,
    event_tables,
    events_per_month,
    expense_table,
    indicator_points,
    indicator_tables,
    month_name,
    row_quote,
    section_label,
    section_title,
    table_title,
)
from knowledge.model import ParsedReport, ParsedTable

_DRAW_LOCK = threading.Lock()
TARGET_COLOR = "#9aa5b1"
RESULT_COLOR = "#1f6feb"


@dataclass
class Chart:
    png: bytes
    title: str
    sources: list[Source] = field(default_factory=list)


# ----------------------------------------------------------------------------- catalogue


def chart_options(report: ParsedReport, lang: str = "es") -> list[Option]:
    """The charts this report supports, for /grafico buttons and argument matching."""
    options = []
    for table in indicator_tables(report):
        title = section_title(report, table.section)
        chapter = report.section(table.section.split(".")[0])
        label = f"{title}: meta vs. resultado" if lang == "es" else f"{title}: target vs result"
        aliases = (title, chapter.title if chapter else "", "indicadores", "indicators")
        options.append(Option(f"ind-{table.section}", label, tuple(a for a in aliases if a)))
    if expense_table(report) is not None:
        label = "Ejecución presupuestal por línea" if lang == "es" else "Budget execution by line"
        options.append(
            Option("presupuesto", label, ("presupuesto", "budget", "gastos", "ejecución"))
        )
    if event_tables(report):
        label = "Eventos por mes" if lang == "es" else "Events per month"
        options.append(Option("eventos", label, ("eventos", "events", "eventos por mes")))
    return options


def draw_chart(report: ParsedReport, value: str, lang: str = "es") -> Chart | None:
    """Draw the chart an option value names; None when this report has no such chart."""
    if value.startswith("ind-"):
        table = next((t for t in indicator_tables(report) if t.section == value[4:]), None)
        return None if table is None else indicator_chart(report, table, lang)
    if value == "presupuesto":
        return budget_chart(report, lang)
    if value == "eventos":
        return events_chart(report, lang)
    return None


# ----------------------------------------------------------------------------- drawing


def indicator_chart(report: ParsedReport, table: ParsedTable, lang: str = "es") -> Chart | None:
    points = indicator_points(table)
    if not points:
        return None
    title = section_title(report, table.section)
    target_word, result_word = ("Meta", "Resultado") if lang == "es" else ("Target", "Result")
    with _DRAW_LOCK:
        fig = Figure(figsize=(2.6 * len(points) + 0.8, 4.8), dpi=100)
        axes = fig.subplots(1, len(points), squeeze=False)[0]
        for ax, point in zip(axes, points, strict=True):
            bars = ax.bar(
                [target_word, result_word],
                [point.target, point.result],
                color=[TARGET_COLOR, RESULT_COLOR],
            )
            ax.bar_label(bars, labels=[point.target_raw, point.result_raw], padding=2, fontsize=9)
            ax.set_title(textwrap.fill(point.label, 26), fontsize=8)
            ax.set_ylabel(point.unit, fontsize=8)
            ax.set_ylim(0, max(point.target, point.result) * 1.2 or 1)
            ax.tick_params(labelsize=8)
            ax.spines[["top", "right"]].set_visible(False)
        fig.suptitle(title, fontsize=12, fontweight="bold")
        fig.tight_layout()
        png = _to_png(fig)
    sources = [_table_source(report, table, row_index=None)]
    return Chart(png=png, title=title, sources=sources)


def budget_chart(report: ParsedReport, lang: str = "es") -> Chart | None:
    table = expense_table(report)
    if table is None:
        return None
    lines = budget_lines(table)
    if not lines:
        return None
    planned_col = column_index(table, "definitivo")
    assert planned_col is not None
    planned_name = clean_cell(table.header[planned_col]).capitalize()
    executed_name = clean_cell(table.header[planned_col + 1]).capitalize()
    title = table_title(table, report)
    if len(title) > 60:  # a caption-less table is titled by its lead-in sentence: too long here
        title = "Ejecución presupuestal por línea" if lang == "es" else "Budget execution by line"
    millions = "millones de pesos" if lang == "es" else "million pesos"
    with _DRAW_LOCK:
        fig = Figure(figsize=(9, 1.0 + 0.7 * len(lines)), dpi=100)
        ax = fig.subplots()
        positions = list(range(len(lines)))[::-1]
        height = 0.38
        ax.barh(
            [p + height / 2 for p in positions],
            [ln.planned / 1e6 for ln in lines],
            height=height,
            color=TARGET_COLOR,
            label=planned_name,
        )
        bars = ax.barh(
            [p - height / 2 for p in positions],
            [ln.executed / 1e6 for ln in lines],
            height=height,
            color=RESULT_COLOR,
            label=executed_name,
        )
        ax.bar_label(bars, labels=[ln.share for ln in lines], padding=3, fontsize=8)
        ax.set_yticks(positions, [textwrap.fill(ln.label.capitalize(), 34) for ln in lines])
        ax.set_xlabel(millions)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=8, loc="lower right")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(title, fontsize=12, fontweight="bold")
        fig.tight_layout()
        png = _to_png(fig)
    return Chart(png=png, title=title, sources=[_table_source(report, table, row_index=0)])


def events_chart(report: ParsedReport, lang: str = "es") -> Chart | None:
    per_table = events_per_month(report)
    if not per_table:
        return None
    months = sorted({m for counts in per_table.values() for m in counts})
    months = list(range(months[0], months[-1] + 1))
    title = "Eventos por mes" if lang == "es" else "Events per month"
    palette = [RESULT_COLOR, "#f2a33a", "#2da44e", "#8250df", TARGET_COLOR]
    with _DRAW_LOCK:
        fig = Figure(figsize=(9, 4.8), dpi=100)
        ax = fig.subplots()
        bottoms = [0] * len(months)
        for index, (name, counts) in enumerate(per_table.items()):
            heights = [counts.get(m, 0) for m in months]
            ax.bar(
                [month_name(m, lang)[:3].capitalize() for m in months],
                heights,
                bottom=bottoms,
                label=name,
                color=palette[index % len(palette)],
            )
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        for x, total in enumerate(bottoms):
            if total:
                ax.annotate(str(total), (x, total), ha="center", va="bottom", fontsize=9)
        ax.set_ylabel("Eventos" if lang == "es" else "Events")
        ax.set_ylim(0, max(bottoms) * 1.15 + 1)
        ax.legend(fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(title, fontsize=12, fontweight="bold")
        fig.tight_layout()
        png = _to_png(fig)
    sections = {t.section for t in event_tables(report)}
    sources = [
        Source(section=s, title=section_title(report, s), quote=section_label(report, s))
        for s in sorted(sections)
    ]
    return Chart(png=png, title=title, sources=sources)


def _table_source(report: ParsedReport, table: ParsedTable, row_index: int | None) -> Source:
    row = table.rows[row_index] if row_index is not None else None
    quote = row_quote(table, row) if row is not None else " · ".join(map(clean_cell, table.header))
    return Source(
        section=table.section,
        title=section_title(report, table.section),
        quote=quote,
        line=row.line if row is not None else table.line_start,
    )


def _to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()
