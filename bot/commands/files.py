"""/grafico and /csv: an attachment (PNG chart, CSV table) with a caption naming its source.

What the files contain is `bot.charts` and `bot.csv_export`; here only which chart or table the
argument names, and the reply that carries the file.
"""

from __future__ import annotations

from bot.commands.base import Call
from bot.reply import Attachment, Reply


def grafico(call: Call) -> Reply:
    from bot import charts  # matplotlib loads only when a chart is asked for

    options = charts.chart_options(call.report, call.lang)
    if not call.args:
        return call.choose(call.say("pick_chart"), options)
    option = call.match(options)
    chart = charts.draw_chart(call.report, option.value, call.lang) if option else None
    if chart is None:
        return call.choose(call.say("no_chart", args=call.args), options, status="not_found")
    note = call.say("note")
    text = "\n".join([chart.title, *(f"⚠ {note}: {n}" for n in chart.notes)])
    answer = call.answer(text, kind="chart", sources=chart.sources)
    return call.answered(answer, attachment=Attachment("photo", chart.png, chart.filename))


def csv(call: Call) -> Reply:
    from bot import csv_export

    options = csv_export.export_options(call.report, call.lang)
    if not call.args:
        return call.choose(call.say("pick_table"), options)
    export = csv_export.export_csv(call.report, call.args, call.lang)
    if export is None:
        return call.choose(call.say("no_table", args=call.args), options, status="not_found")
    if not export.rows:
        text = call.say("no_rows", title=export.title, args=call.args)
        return call.reply(call.answer(text, "not_found", sources=export.sources))
    rows = call.say("rows_count", n=len(export.rows))
    text = f"{call.say('csv_caption', title=export.title, rows=rows)}\n{export.source_line}"
    answer = call.answer(text, kind="table", sources=export.sources)
    return call.answered(answer, attachment=Attachment("document", export.data, export.filename))
