"""PNG charts a journalist can publish, drawn from the report's own tables.

Each chart carries on the image: a title, the unit, the source and cut-off ("Fuente: Informe de
Gestión ACI Medellín 2020, §8, corte 15 de diciembre de 2020", read from the report), numbers in
the chart's language formatted by the project (never by the system locale), legend words from
the table's role (budget expenses are "Ejecutado" whatever the column header says), totals stated
apart from the lines they add up (see `bot.chart_data`), and a visible note wherever the report's
text gives another figure than its table. English commands get English labels; the report's own
names (indicators, tables, budget lines) stay as the report writes them.

Sizes: 7.2 × n inches at 200 dpi (2× a 100-dpi screen): 1440 px wide, no text under 11 pt.

matplotlib's object API with the Agg canvas (no pyplot, no display, no global figure state);
drawing is serialised by a lock because matplotlib's text and font caches are not thread-safe and
the bot draws from worker threads.
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, MaxNLocator

from bot.attribution import section_cutoff, source_line, table_cutoff
from bot.chart_data import (
    ROLE_EVENTS,
    ROLE_EXPENSES,
    ROLE_INCOME,
    ROLE_INDICATORS,
    BudgetRow,
    BudgetView,
    Note,
    budget_notes,
    budget_view,
    column_of,
    count_notes,
    indicator_notes,
    tables_with_role,
)
from bot.engine.answer import Source
from bot.engine.format import format_figure, format_number
from bot.report_tables import (
    IndicatorPoint,
    Option,
    cell_at,
    clean_cell,
    indicator_columns,
    indicator_points,
    month_name,
    month_of,
    row_quote,
    section_label,
    section_title,
    sentence_case,
    table_title,
)
from knowledge.model import ParsedCell, ParsedReport, ParsedTable

_DRAW_LOCK = threading.Lock()

DEVICE_PIXEL_RATIO = 2
BASE_DPI = 100
DPI = BASE_DPI * DEVICE_PIXEL_RATIO
WIDTH_IN = 7.2  # 1440 px at 200 dpi
MIN_PT = 11
TITLE_PT = 15
SUBTITLE_PT = 12

TARGET_COLOR = "#9aa5b1"
RESULT_COLOR = "#1f6feb"
NOTE_COLOR = "#b35900"
TEXT_COLOR = "#1f2328"
MUTED_COLOR = "#57606a"
EVENT_PALETTE = (RESULT_COLOR, "#f2a33a", "#2da44e", "#8250df", TARGET_COLOR)

_RC = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: the same glyphs on every machine
    "font.size": MIN_PT,
    "axes.titlesize": MIN_PT,
    "axes.labelsize": MIN_PT,
    "xtick.labelsize": MIN_PT,
    "ytick.labelsize": MIN_PT,
    "legend.fontsize": MIN_PT,
    "legend.title_fontsize": MIN_PT,
    "text.color": TEXT_COLOR,
    "axes.edgecolor": MUTED_COLOR,
    "axes.labelcolor": TEXT_COLOR,
    "xtick.color": MUTED_COLOR,
    "ytick.color": TEXT_COLOR,
    "svg.fonttype": "none",
}

# What users read on a chart, in both languages. Role words, not the table's column headers.
TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "target": "Meta",
        "progress": "Avance",
        "planned": "Presupuesto definitivo",
        "executed": "Ejecutado",
        "collected": "Recaudado",
        "indicators_title": "{title}: meta y avance",
        "indicators_subtitle": "{target} y {progress}; cada indicador en su unidad",
        "of_target": "{share} de la meta",
        "budget_subtitle": "Millones de pesos (COP), por línea; los totales, aparte",
        "budget_total": "{label}: {done} {executed} de {planned} millones ({share})",
        "budget_part": "{done} {executed} de {planned} ({share})",
        "millions": "millones de pesos",
        "events_title": "Eventos por mes, {year}",
        "events_subtitle": "Eventos por mes de realización; {rows} filas en las tablas de {where}",
        "events_axis": "Número de eventos",
        "events_legend": "Tabla del informe",
        "note": "Nota",
        "chart_menu_indicators": "{title}: meta y avance",
        "chart_menu_expenses": "Presupuesto: gastos (ejecución por línea)",
        "chart_menu_income": "Presupuesto: ingresos (recaudo por línea)",
        "chart_menu_events": "Eventos por mes",
    },
    "en": {
        "target": "Target",
        "progress": "Progress",
        "planned": "Final budget",
        "executed": "Executed",
        "collected": "Collected",
        "indicators_title": "Indicators §{section}: target and progress",
        "indicators_subtitle": "«{title}»; {target} and {progress}, each indicator in its own unit",
        "of_target": "{share} of target",
        "budget_subtitle": "Million pesos (COP), by line; totals stated apart",
        "budget_total": "{label}: {done} {executed} of {planned} million ({share})",
        "budget_part": "{done} {executed} of {planned} ({share})",
        "millions": "million pesos",
        "events_title": "Events per month, {year}",
        "events_subtitle": "Events by month held; {rows} rows in the tables of {where}",
        "events_axis": "Number of events",
        "events_legend": "Report table",
        "note": "Note",
        "chart_menu_indicators": "{title}: target and progress",
        "chart_menu_expenses": "Budget: expenses (execution by line)",
        "chart_menu_income": "Budget: income (collection by line)",
        "chart_menu_events": "Events per month",
    },
}
_BUDGET_TITLE_EN = {ROLE_EXPENSES: "Expense budget execution", ROLE_INCOME: "Income budget"}


def _t(key: str, lang: str, **values: object) -> str:
    return TEXTS["en" if lang == "en" else "es"][key].format(**values)


@dataclass
class Chart:
    png: bytes
    title: str
    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # contradictions shown on the image
    source_line: str = ""  # the "Fuente: …" line printed on the image
    filename: str = "grafico.png"
    kind: str = ""  # indicators | expenses | income | events
    figure: Figure | None = field(default=None, repr=False)  # kept only when asked (tests)


# ----------------------------------------------------------------------------- catalogue

EXPENSES = "presupuesto"  # option values: stable, buttons and the dialog layer send them back
INCOME = "presupuesto-ingresos"
EVENTS = "eventos"
INDICATOR_PREFIX = "ind-"


def chart_options(report: ParsedReport, lang: str = "es") -> list[Option]:
    """The charts this report supports, for /grafico buttons and argument matching."""
    options = []
    for table in tables_with_role(report, ROLE_INDICATORS):
        title = section_title(report, table.section)
        chapter = report.section(table.section.split(".")[0])
        label = _t("chart_menu_indicators", lang, title=title)
        aliases = (title, chapter.title if chapter else "", "indicadores", "indicators", "metas")
        options.append(
            Option(f"{INDICATOR_PREFIX}{table.section}", label, tuple(a for a in aliases if a))
        )
    if _budget_table(report, ROLE_EXPENSES) is not None:
        aliases = ("presupuesto", "budget", "gastos", "expenses", "spending", "ejecución")
        options.append(Option(EXPENSES, _t("chart_menu_expenses", lang), aliases))
    if _budget_table(report, ROLE_INCOME) is not None:
        aliases = ("presupuesto ingresos", "ingresos", "income", "revenue", "recaudo", "budget")
        options.append(Option(INCOME, _t("chart_menu_income", lang), aliases))
    if tables_with_role(report, ROLE_EVENTS):
        aliases = ("eventos", "events", "eventos por mes", "events per month")
        options.append(Option(EVENTS, _t("chart_menu_events", lang), aliases))
    return options


def draw_chart(
    report: ParsedReport, value: str, lang: str = "es", *, keep_figure: bool = False
) -> Chart | None:
    """Draw the chart an option value names; None when this report has no such chart.

    `keep_figure` keeps the matplotlib figure on the result (to read its texts back) and always
    draws anew; otherwise the last charts drawn for the same loaded report are reused.
    """
    lang = "en" if lang == "en" else "es"
    key = (id(report), report.source_sha256, value, lang)
    if not keep_figure and key in _CACHE:
        return replace(_CACHE[key])
    with _DRAW_LOCK, matplotlib.rc_context(_RC):
        chart = _build(report, value, lang)
        if chart is None:
            return None
        assert chart.figure is not None
        chart.png = _to_png(chart.figure)
        if not keep_figure:
            chart.figure = None
            _CACHE[key] = chart
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
    return replace(chart)


# A loaded report's charts never change (re-ingesting gives another report object): drawing one
# takes about a second, so the last few are kept (a few hundred KiB each).
_CACHE: dict[tuple[int, str, str, str], Chart] = {}
_CACHE_SIZE = 24


def _build(report: ParsedReport, value: str, lang: str) -> Chart | None:
    if value.startswith(INDICATOR_PREFIX):
        section = value[len(INDICATOR_PREFIX) :]
        tables = tables_with_role(report, ROLE_INDICATORS)
        table = next((t for t in tables if t.section == section), None)
        return None if table is None else indicator_chart(report, table, lang)
    if value == EXPENSES:
        return budget_chart(report, lang, ROLE_EXPENSES)
    if value == INCOME:
        return budget_chart(report, lang, ROLE_INCOME)
    if value == EVENTS:
        return events_chart(report, lang)
    return None


# ----------------------------------------------------------------------------- layout


class _Numbers(Formatter):
    """Tick labels in the chart's language, as the project formats numbers: "7.000", "17,5"."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.decimals = 0

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_number(x, self.lang, decimals=self.decimals)

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        self.decimals = max((_decimals_needed(v) for v in values), default=0)
        return [self(v) for v in values]


def _decimals_needed(value: float) -> int:
    for decimals in range(4):
        if abs(round(value, decimals) - value) < 1e-9:
            return decimals
    return 3


def _text_width(text: str, fontsize: float, bold: bool = False) -> float:
    """About how wide a text is in DejaVu Sans, in inches (average glyph widths)."""
    return len(text) * fontsize * (0.6 if bold else 0.54) / 72


def _wrap(text: str, fontsize: float, width_in: float, bold: bool = False) -> list[str]:
    chars = max(20, int(width_in * 72 / (fontsize * (0.6 if bold else 0.54))))
    return textwrap.wrap(text, chars, break_long_words=False) or [""]


def _line_in(fontsize: float) -> float:
    return fontsize * 1.35 / 72


class _Page:
    """Blocks stacked from the top of a fixed-width figure, measured in inches."""

    MARGIN = 0.3

    def __init__(self) -> None:
        self.blocks: list[tuple[str, float, dict]] = []

    @property
    def height(self) -> float:
        return self.MARGIN * 2 + sum(h for _, h, _ in self.blocks)

    def text(self, lines: list[str], fontsize: float, **style: object) -> None:
        self.blocks.append(("text", _line_in(fontsize) * len(lines), {
            "lines": lines, "fontsize": fontsize, **style,
        }))

    def space(self, inches: float) -> None:
        self.blocks.append(("space", inches, {}))

    def axes(self, inches: float, left: float, right: float = 0.35, key: str = "") -> None:
        self.blocks.append(("axes", inches, {"left": left, "right": right, "key": key}))

    def render(self) -> tuple[Figure, dict[str, Axes]]:
        height = self.height
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
        axes: dict[str, Axes] = {}
        top = height - self.MARGIN
        for kind, inches, spec in self.blocks:
            if kind == "text":
                style = {k: v for k, v in spec.items() if k not in ("lines", "fontsize")}
                fig.text(
                    self.MARGIN / WIDTH_IN,
                    top / height,
                    "\n".join(spec["lines"]),
                    fontsize=spec["fontsize"],
                    va="top",
                    ha="left",
                    linespacing=1.25,
                    **style,
                )
            elif kind == "axes":
                left, right = spec["left"], spec["right"]
                rect = (
                    left / WIDTH_IN,
                    (top - inches) / height,
                    (WIDTH_IN - left - right) / WIDTH_IN,
                    inches / height,
                )
                axes[spec["key"]] = fig.add_axes(rect)
            top -= inches
        return fig, axes


def _header(page: _Page, title: str, subtitle: str) -> None:
    page.text(_wrap(title, TITLE_PT, WIDTH_IN - 0.6, bold=True), TITLE_PT, fontweight="bold")
    page.space(0.05)
    page.text(_wrap(subtitle, SUBTITLE_PT, WIDTH_IN - 0.6), SUBTITLE_PT, color=MUTED_COLOR)
    page.space(0.2)


def _footer(page: _Page, notes: list[str], source: str, lang: str) -> None:
    page.space(0.15)
    for note in notes:
        lines = _wrap(f"⚠ {_t('note', lang)}: {note}", MIN_PT, WIDTH_IN - 0.6)
        page.text(lines, MIN_PT, color=NOTE_COLOR)
        page.space(0.06)
    page.text(_wrap(source, MIN_PT, WIDTH_IN - 0.6), MIN_PT, color=MUTED_COLOR)


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=MIN_PT)


def _unit_label(unit: str | None, scale: str | None, unit_text: str, lang: str) -> str:
    """An axis unit: the report's own words in Spanish ("Millones de dólares"), the project's
    unit words in English ("USD million")."""
    if lang == "es":
        return unit_text or (unit or "")
    sample = format_figure(1.0, unit, scale, "en")
    words = [w for w in sample.replace("%", " %").split() if w != "1"]
    return " ".join(words).replace("%", "percent")


# ----------------------------------------------------------------------------- indicators


def indicator_chart(report: ParsedReport, table: ParsedTable, lang: str = "es") -> Chart | None:
    points = indicator_points(table)
    if not points:
        return None
    notes = {n.row_index: n for n in indicator_notes(report, table)}
    title_es = section_title(report, table.section)
    unit_col, target_col, result_col = indicator_columns(table)
    target_head = sentence_case(clean_cell(table.header[target_col or 0]), report)
    progress_head = sentence_case(clean_cell(table.header[result_col or 0]), report)
    progress_head = progress_head[:1].lower() + progress_head[1:]
    if lang == "es":
        title = _t("indicators_title", lang, title=title_es)
        subtitle = _t("indicators_subtitle", lang, target=target_head, progress=progress_head)
    else:
        title = _t("indicators_title", lang, section=table.section)
        subtitle = _t(
            "indicators_subtitle", lang, title=title_es, target="target", progress="progress"
        )
    cutoff = table_cutoff(report, table)
    sections = {table.section} | {s for n in notes.values() for s in n.sections}
    source = source_line(report, sections, cutoff, lang)
    page = _Page()
    _header(page, title, subtitle)
    page.axes(0.3, left=_Page.MARGIN, key="legend")
    page.space(0.1)
    rows_by_line = {row.line: i for i, row in enumerate(table.rows)}
    label_width = WIDTH_IN - 2 * _Page.MARGIN
    panels = []
    for index, point in enumerate(points):
        row_index = rows_by_line[point.line]
        page.text(_wrap(point.label, MIN_PT, label_width, bold=True), MIN_PT, fontweight="bold")
        note = notes.get(row_index)
        if note is not None:
            lines = _wrap(f"⚠ {_t('note', lang)}: {note.text(lang)}", MIN_PT, label_width)
            page.text(lines, MIN_PT, color=NOTE_COLOR)
        page.space(0.05)
        key = f"ind-{index}"
        page.axes(0.75, left=_INDICATOR_LEFT, right=_INDICATOR_RIGHT, key=key)
        page.space(0.6)
        panels.append((key, point, row_index))
    _footer(page, [], source, lang)  # each note sits under its indicator's name
    fig, axes = page.render()
    target_word, progress_word = _t("target", lang), _t("progress", lang)
    for key, point, row_index in panels:
        row = table.rows[row_index]
        unit_text = ""
        if unit_col is not None and unit_col < len(row.cells):
            unit_text = sentence_case(clean_cell(row.cells[unit_col].raw), report)
        cells = (cell_at(row, target_col), cell_at(row, result_col))
        _indicator_panel(axes[key], point, cells, unit_text, lang, row_index in notes)
        axes[key].set_yticks([1, 0], [target_word, progress_word])
    _legend_row(
        axes["legend"],
        [
            Patch(color=TARGET_COLOR, label=target_word),
            Patch(color=RESULT_COLOR, label=progress_word),
        ],
    )
    sources = [_table_source(report, table, row_index=None)]
    sources += [_note_source(report, n) for n in notes.values()]
    return Chart(
        png=b"", title=title, sources=sources, notes=[n.text(lang) for n in notes.values()],
        source_line=source, filename=f"grafico-indicadores-{table.section}.png",
        kind=ROLE_INDICATORS, figure=fig,
    )


_INDICATOR_LEFT = 1.2
_INDICATOR_RIGHT = 0.3


def _legend_row(ax: Axes, handles: list[Patch]) -> None:
    ax.axis("off")
    ax.legend(handles=handles, loc="center left", ncols=len(handles), frameon=False,
              borderaxespad=0, handlelength=1.6)


def _indicator_panel(
    ax: Axes,
    point: IndicatorPoint,
    cells: tuple[ParsedCell | None, ParsedCell | None],
    unit_text: str,
    lang: str,
    disputed: bool,
) -> None:
    """Target and progress bars of one indicator, each labelled with its figure and unit; the
    share of target only when both are in the same unit and the report does not dispute it."""
    values = [point.target, point.result]
    ax.barh([1, 0], values, height=0.7, color=[TARGET_COLOR, RESULT_COLOR])
    labels = [
        format_figure(c.value, c.unit, c.scale, lang, raw=clean_cell(c.raw)) if c else ""
        for c in cells
    ]
    if point.same_unit and point.target and not disputed:
        share = format_number(round(point.result / point.target * 100), lang)
        share = f"{share} %" if lang == "es" else f"{share}%"
        labels[1] += f"  ({_t('of_target', lang, share=share)})"
    ax.set_xlim(0, _room_for_labels(values, labels, WIDTH_IN - _INDICATOR_LEFT - _INDICATOR_RIGHT))
    for y, value, label in zip([1, 0], values, labels, strict=True):
        ax.annotate(
            label, (value, y), xytext=(4, 0), textcoords="offset points", va="center",
            fontsize=MIN_PT,
        )
    counts = all(float(v).is_integer() for v in values) and max(values) >= 1
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=counts))
    ax.xaxis.set_major_formatter(_Numbers(lang))
    result_cell = cells[1]
    unit = _unit_label(
        result_cell.unit if result_cell else None,
        result_cell.scale if result_cell else None,
        unit_text,
        lang,
    )
    ax.set_xlabel(unit, fontsize=MIN_PT, color=MUTED_COLOR, loc="right", labelpad=1)
    ax.set_ylim(-0.6, 1.6)
    _style(ax)


def _room_for_labels(values: list[float], labels: list[str], axes_width: float) -> float:
    """The x-axis end at which every bar's label, written after the bar, still fits."""
    end = max(values) * 1.05 or 1.0
    for value, label in zip(values, labels, strict=True):
        free = axes_width - _text_width(label, MIN_PT) - 0.15
        if free > 0.5 and value > 0:
            end = max(end, value * axes_width / free)
    return end


# ----------------------------------------------------------------------------- budget


def _budget_table(report: ParsedReport, role: str) -> ParsedTable | None:
    tables = tables_with_role(report, role)
    return tables[0] if tables else None


def _year_of(table: ParsedTable, report: ParsedReport) -> int:
    match = re.search(r"\b(19|20)\d{2}\b", table.title)
    return int(match.group(0)) if match else report.year


def budget_chart(
    report: ParsedReport, lang: str = "es", role: str = ROLE_EXPENSES
) -> Chart | None:
    table = _budget_table(report, role)
    view = budget_view(table) if table is not None else None
    if table is None or view is None or not view.parts:
        return None
    if lang == "es":
        title = table_title(table, report)
    else:
        title = f"{_BUDGET_TITLE_EN[role]} {_year_of(table, report)}"
    notes = budget_notes(report, view)
    cutoff = table_cutoff(report, table)
    source = source_line(report, {table.section} | {s for n in notes for s in n.sections},
                         cutoff, lang)
    done_word = _t("executed" if role == ROLE_EXPENSES else "collected", lang)
    planned_word = _t("planned", lang)
    rows = _budget_rows(view)
    labels = [_budget_label(kind, row, report, lang, done_word.lower()) for kind, row in rows]
    label_width = min(3.4, max(
        _text_width(line, MIN_PT, bold=kind == "heading")
        for (kind, _), label in zip(rows, labels, strict=True) for line in label.split("\n")
    ))
    left, right = label_width + _Page.MARGIN + 0.15, 0.25
    page = _Page()
    _header(page, title, _t("budget_subtitle", lang))
    for total in view.grand_totals:
        text = _budget_total_text(total, report, lang, done_word.lower())
        page.text(_wrap(text, SUBTITLE_PT, WIDTH_IN - 0.6, bold=True), SUBTITLE_PT,
                  fontweight="bold")
    page.space(0.1)
    page.axes(0.3, left=_Page.MARGIN, key="legend")
    page.space(0.1)
    page.axes(0.55 * len(rows) + 0.2, left=left, right=right, key="bars")
    page.space(0.55)
    _footer(page, [n.text(lang) for n in notes], source, lang)
    fig, axes = page.render()
    ax = axes["bars"]
    positions = list(range(len(rows)))[::-1]
    height = 0.36
    bar_labels: list[tuple[float, str]] = []
    for pos, (kind, row) in zip(positions, rows, strict=True):
        if kind == "heading":
            continue
        ax.barh(pos + height / 2, row.planned / 1e6, height=height, color=TARGET_COLOR)
        ax.barh(pos - height / 2, row.executed / 1e6, height=height, color=RESULT_COLOR)
        label = f"{_millions(row.executed, lang)} ({_share_text(row.share, lang)})"
        bar_labels.append((row.executed / 1e6, label))
        ax.annotate(
            label, (row.executed / 1e6, pos - height / 2),
            xytext=(4, 0), textcoords="offset points", va="center", fontsize=MIN_PT,
        )
    ax.set_yticks(positions, labels)
    for tick, (kind, _) in zip(ax.get_yticklabels(), rows, strict=True):
        if kind == "heading":
            tick.set_fontweight("bold")
    biggest = max(r.planned for r in view.parts) / 1e6
    end = _room_for_labels(
        [v for v, _ in bar_labels], [lb for _, lb in bar_labels], WIDTH_IN - left - right
    )
    ax.set_xlim(0, max(biggest * 1.05, end))
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.xaxis.set_major_formatter(_Numbers(lang))
    ax.set_xlabel(_t("millions", lang), fontsize=MIN_PT, color=MUTED_COLOR)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    _legend_row(
        axes["legend"],
        [Patch(color=TARGET_COLOR, label=planned_word), Patch(color=RESULT_COLOR, label=done_word)],
    )
    _style(ax)
    first = view.grand_totals[0] if view.grand_totals else view.rows[0]
    sources = [_table_source(report, table, row_index=first.line.index)]
    sources += [_note_source(report, n) for n in notes]
    return Chart(
        png=b"", title=title, sources=sources, notes=[n.text(lang) for n in notes],
        source_line=source, filename=f"grafico-presupuesto-{_role_slug(role)}.png", kind=role,
        figure=fig,
    )


def _budget_label(kind: str, row: BudgetRow, report: ParsedReport, lang: str, done: str) -> str:
    """A line's name as the report writes it (sentence case), parts indented under their
    sub-total; a sub-total of several parts states its own figures under its name."""
    name = sentence_case(row.line.label, report)
    indent = "   " * max(0, row.line.level - 1)
    if kind == "heading":
        text = f"{indent}{name}"
        if len(row.line.children) > 1:
            text += "\n" + indent + _budget_part_text(row, lang, done)
        return text
    return "\n".join(indent + w for w in _wrap(name, MIN_PT, 2.9))


def _share_text(share: str, lang: str) -> str:
    share = clean_cell(share)
    return share.replace("%", " %") if lang == "es" else _reformat_share(share)


def _role_slug(role: str) -> str:
    return "gastos" if role == ROLE_EXPENSES else "ingresos"


def _budget_rows(view: BudgetView) -> list[tuple[str, BudgetRow]]:
    """Lines in table order: sub-totals as headings over their parts, grand totals left out
    (they are stated above the chart)."""
    rows = []
    for row in view.rows:
        if row.line.is_total and row.line.parent is None:
            continue
        rows.append(("heading" if row.line.is_total else "part", row))
    return rows


def _millions(value: float, lang: str) -> str:
    millions = value / 1e6
    return format_number(round(millions) if millions >= 100 else round(millions, 1), lang)


def _reformat_share(share: str) -> str:
    """A percentage cell as written in Spanish ("81,23%") in English form ("81.23%")."""
    return share.replace(".", "\x00").replace(",", ".").replace("\x00", ",").replace(" ", "")


def _budget_total_text(row: BudgetRow, report: ParsedReport, lang: str, done: str) -> str:
    share = _share_text(row.share, lang)
    label = sentence_case(row.line.label, report)
    return _t(
        "budget_total", lang, label=label, done=done, executed=_millions(row.executed, lang),
        planned=_millions(row.planned, lang), share=share,
    )


def _budget_part_text(row: BudgetRow, lang: str, done: str) -> str:
    share = _share_text(row.share, lang)
    return _t(
        "budget_part", lang, done=done, executed=_millions(row.executed, lang),
        planned=_millions(row.planned, lang), share=share,
    )


# ----------------------------------------------------------------------------- events


def events_chart(report: ParsedReport, lang: str = "es") -> Chart | None:
    tables = tables_with_role(report, ROLE_EVENTS)
    per_table: list[tuple[ParsedTable, dict[int, int]]] = []
    for table in tables:
        date_col = column_of(table, "date", "fecha")
        counts: dict[int, int] = {}
        for row in table.rows:
            month = month_of(clean_cell(row.cells[date_col].raw)) if date_col is not None and (
                date_col < len(row.cells)) else None
            if month is not None:
                counts[month] = counts.get(month, 0) + 1
        if counts:
            per_table.append((table, counts))
    if not per_table:
        return None
    months = sorted({m for _, counts in per_table for m in counts})
    months = list(range(months[0], months[-1] + 1))
    notes = count_notes(report, tables)
    sections = sorted({t.section for t in tables})
    where = ", ".join(f"§{s}" for s in sections)
    rows = sum(len(t.rows) for t in tables)
    title = _t("events_title", lang, year=report.year)
    subtitle = _t("events_subtitle", lang, rows=format_number(rows, lang), where=where)
    cutoff = section_cutoff(report, sections[0])
    source = source_line(report, set(sections) | {s for n in notes for s in n.sections},
                         cutoff, lang)
    page = _Page()
    _header(page, title, subtitle)
    page.axes(3.3, left=0.8, right=0.3, key="bars")
    page.space(0.55)
    legend_lines = len(per_table) + 1
    page.space(_line_in(MIN_PT) * legend_lines + 0.15)
    _footer(page, [n.text(lang) for n in notes], source, lang)
    fig, axes = page.render()
    ax = axes["bars"]
    ticks = [month_name(m, lang)[:3].capitalize() for m in months]
    bottoms = [0] * len(months)
    for index, (table, counts) in enumerate(per_table):
        heights = [counts.get(m, 0) for m in months]
        ax.bar(
            range(len(months)), heights, bottom=bottoms,
            label=f"{table_title(table, report)} ({format_number(sum(heights), lang)})",
            color=EVENT_PALETTE[index % len(EVENT_PALETTE)], width=0.72,
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    for x, total in enumerate(bottoms):
        if total:
            ax.annotate(format_number(total, lang), (x, total), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=MIN_PT)
    ax.set_xticks(range(len(months)), ticks)
    ax.set_ylabel(_t("events_axis", lang), fontsize=MIN_PT)
    ax.set_ylim(0, max(bottoms) * 1.18 + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_Numbers(lang))
    ax.legend(
        loc="upper left", bbox_to_anchor=(0.0, -0.12), frameon=False,
        title=_t("events_legend", lang), alignment="left",
    )
    _style(ax)
    sources = [
        Source(section=s, title=section_title(report, s), quote=section_label(report, s))
        for s in sections
    ]
    sources += [_note_source(report, n) for n in notes]
    return Chart(
        png=b"", title=title, sources=sources, notes=[n.text(lang) for n in notes],
        source_line=source, filename="grafico-eventos.png", kind=ROLE_EVENTS, figure=fig,
    )


# ----------------------------------------------------------------------------- plumbing


def _table_source(report: ParsedReport, table: ParsedTable, row_index: int | None) -> Source:
    row = table.rows[row_index] if row_index is not None else None
    quote = row_quote(table, row) if row is not None else " · ".join(map(clean_cell, table.header))
    return Source(
        section=table.section,
        title=section_title(report, table.section),
        quote=quote,
        line=row.line if row is not None else table.line_start,
    )


def _note_source(report: ParsedReport, note: Note) -> Source:
    section = note.sections[0]
    quote = note.text_value
    line = None
    for fact in report.facts:
        if fact.section == section and fact.raw == note.text_value:
            quote, line = fact.sentence, fact.line
            break
    return Source(section=section, title=section_title(report, section), quote=quote, line=line)


def _to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def chart_texts(fig: Figure) -> list[str]:
    """Every text drawn on a figure (titles, ticks, labels, legend, notes), for checks."""
    from matplotlib.text import Text

    FigureCanvasAgg(fig).draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]



def save_examples(report: ParsedReport, folder: str) -> list[str]:
    """One PNG per chart kind (Spanish) and the budget in English, as the README shows them."""
    from pathlib import Path

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    seen: set[tuple[str, str]] = set()
    wanted = [(o.value, "es") for o in chart_options(report)] + [(EXPENSES, "en")]
    for value, lang in wanted:
        chart = draw_chart(report, value, lang)
        if chart is None or (chart.kind, lang) in seen:  # one indicator chart is enough
            continue
        seen.add((chart.kind, lang))
        name = chart.filename if lang == "es" else chart.filename.replace(".png", "-en.png")
        (out / name).write_bytes(chart.png)
        written.append(str(out / name))
    return written


if __name__ == "__main__":  # python -m bot.charts docs/charts
    import sys

    from bot.settings import DEFAULT_REPORT_PATH
    from knowledge.ingest import parse_report, read_report_file

    parsed = parse_report(
        read_report_file(DEFAULT_REPORT_PATH), source_name=DEFAULT_REPORT_PATH.name
    )
    for path in save_examples(parsed, sys.argv[1] if len(sys.argv) > 1 else "docs/charts"):
        print(path)
