"""/grafico and /csv: an attachment (PNG chart, CSV table) with a caption naming its source.

What the files contain is `bot.charts` and `bot.csv_export`; here only which chart or table the
argument names, and the reply that carries the file.
"""

from __future__ import annotations

from bot.commands.base import Call
from bot.engine import operators
from bot.engine.answer import Source
from bot.engine.slots import extract_months
from bot.reply import Attachment, Reply
from bot.report_tables import clean_cell, match_words, month_name, section_title, table_title
from knowledge.model import ParsedTable
from knowledge.text import fold


def grafico(call: Call) -> Reply:
    from bot import charts  # matplotlib loads only when a chart is asked for

    options = charts.chart_options(call.report, call.lang)
    if not call.args:
        return call.choose(call.say("pick_chart"), options)
    option = call.match(options)
    chart = charts.draw_chart(call.report, option.value, call.lang) if option else None
    if chart is None:
        return call.choose(call.say("no_chart", args=call.args), options, status="not_found")
    answer = call.answer(chart.title, kind="chart", sources=chart.sources)
    filename = f"grafico-{option.value}.png" if option else "grafico.png"
    return call.answered(answer, attachment=Attachment("photo", chart.png, filename))


def _tables_named(call: Call, words: list[str]) -> list[ParsedTable]:
    """Every table the words name ("eventos": the three event tables; "eventos propios": one)."""
    from bot import csv_export

    report = call.report
    named = []
    for option in csv_export.table_options(report):
        if call.match([option], " ".join(words)) is not None:
            table = csv_export.find_table(report, option.value)
            if table is not None:
                named.append(table)
    return named


def csv(call: Call) -> Reply:
    from bot import csv_export

    report = call.report
    options = csv_export.table_options(report)
    if not call.args:
        return call.choose(call.say("pick_table"), options)
    words = match_words(call.args, ignore=(call.spec.name,))
    months = [m for w in words if (m := month_word(w)) is not None]
    rest = [w for w in words if month_word(w) is None]
    exact = call.match(options) if not months else None
    found = csv_export.find_table(report, exact.value) if exact else None
    tables = _tables_named(call, rest) if rest else []
    if found is not None and (len(tables) <= 1 or fold(call.args) == fold(exact.value)):
        tables = [found]
    if not tables:
        return call.choose(call.say("no_table", args=call.args), options, status="not_found")
    if months:  # "/csv eventos octubre": the rows of that month
        tables = [
            t.model_copy(
                update={
                    "rows": [r.row for r in operators.by_month(operators.rows_of([t]), months[0])]
                }
            )
            for t in tables
        ]
        tables = [t for t in tables if t.rows] or tables
    rows = sum(len(t.rows) for t in tables)
    titles = " + ".join(table_title(t, report) for t in tables)
    sections = ", ".join(dict.fromkeys(t.section for t in tables))
    text = call.say(
        "csv_caption", title=titles, section=sections, rows=call.say("rows_count", n=rows)
    )
    sources = [
        Source(
            section=t.section,
            title=section_title(report, t.section),
            quote=" · ".join(clean_cell(h) for h in t.header),
            line=t.line_start,
        )
        for t in tables
    ]
    suffix = f"-{month_name(months[0], 'es')}" if months else ""
    if len(tables) == 1:
        data = csv_export.table_csv(tables[0])
        filename = csv_export.csv_filename(tables[0]).removesuffix(".csv") + suffix + ".csv"
    else:
        data = csv_export.tables_csv(report, tables, call.lang)
        stem = "-".join(dict.fromkeys(fold(w) for w in rest)) or "tablas"
        filename = f"{stem}{suffix}.csv"
    answer = call.answer(text, kind="table", sources=sources)
    return call.answered(answer, attachment=Attachment("document", data, filename))


def month_word(word: str) -> int | None:
    months = extract_months(fold(word))
    return months[0] if len(months) == 1 and len(word) >= 3 else None
