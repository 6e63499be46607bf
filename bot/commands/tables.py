"""Commands over the report's tables: /indicadores, /eventos, /presupuesto, /proyectos.

Rows are selected with `bot.engine.operators` (tables by role, rows by month, category, keyword),
the same operators the engine uses for questions, so `/eventos octubre` and «¿qué eventos hubo en
octubre?» list the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.base import Call
from bot.engine import operators
from bot.engine.answer import Figure, Source
from bot.engine.answer import Language as Lang
from bot.engine.operators import Row
from bot.reply import Reply
from bot.report_tables import (
    MONTHS_EN,
    MONTHS_ES,
    IndicatorPoint,
    Option,
    clean_cell,
    indicator_columns,
    indicator_points,
    match_words,
    month_name,
    row_quote,
    section_title,
    sentence_case,
    shorten,
    table_title,
)
from bot.texts import say
from knowledge.model import ParsedTable
from knowledge.text import fold

ROW_NAME_LIMIT = 160  # a long row name ("hechos concretos") is cut at a word, with "…"
DETAIL_LIMIT = 120


def row_source(call: Call, row: Row) -> Source:
    return Source(
        section=row.table.section,
        title=section_title(call.report, row.table.section),
        quote=row_quote(row.table, row.row),
        line=row.line,
    )


# ----------------------------------------------------------------------------- indicators


def _indicator_options(call: Call) -> list[Option]:
    options = []
    for table in operators.tables_of(call.report, "indicators"):
        chapter = call.report.section(table.section.split(".")[0])
        aliases = (chapter.title,) if chapter else ()
        options.append(Option(table.section, section_title(call.report, table.section), aliases))
    return options


def indicadores(call: Call) -> Reply:
    options = _indicator_options(call)
    if not call.args:
        return call.choose(call.say("pick_indicators"), options)
    option = call.match(options)
    if option is None:
        return call.choose(call.say("no_indicators", args=call.args), options, status="not_found")
    tables = operators.tables_of(call.report, "indicators")
    table = next(t for t in tables if t.section == option.value)
    return call.answered(indicator_answer(call, table))


def share_text(result: float, target: float, lang: Lang) -> str | None:
    if not target:
        return None
    share = round(result / target * 100)
    return f"{share} %" if lang == "es" else f"{share}%"


def comparable(point: IndicatorPoint) -> bool:
    """Result and target written alike: "90%" against "10" is a reading the report leaves open."""
    return point.same_unit and point.result_raw.endswith("%") == point.target_raw.endswith("%")


def indicator_answer(call: Call, table: ParsedTable):
    report = call.report
    _, target_col, result_col = indicator_columns(table)
    names = [clean_cell(table.header[c]).lower() for c in (target_col, result_col) if c is not None]
    title = section_title(report, table.section)
    lines = [f"{title} ({' / '.join(names)}):"]
    figures, sources = [], []
    rows = {row.line: row for row in table.rows}
    for point in indicator_points(table):
        row = rows[point.line]
        share = share_text(point.result, point.target, call.lang) if comparable(point) else None
        share_part = call.say("share_of_target_part", share=share) if share else ""
        unit = "" if point.result_raw.endswith("%") else f" {point.unit.lower()}"
        target = f"{call.say('target')}: {point.target_raw}{share_part}"
        lines.append(f"• {point.label}: {point.result_raw}{unit} ({target})")
        figures.append(
            Figure(
                label=point.label,
                value=point.result,
                unit=point.result_unit,
                display=point.result_raw,
                raw=point.result_raw,
                target=point.target_raw,
                share_of_target=share,
                section=table.section,
                computed=share is not None,
                computed_from=[point.result_raw, point.target_raw] if share else [],
            )
        )
        sources.append(
            Source(section=table.section, title=title, quote=row_quote(table, row), line=row.line)
        )
    if any(f.share_of_target for f in figures):
        lines.append(call.say("share_note"))
    return call.answer("\n".join(lines), kind="target", figures=figures, sources=sources)


# ----------------------------------------------------------------------------- events


def event_rows(call: Call) -> list[Row]:
    return operators.rows_of(operators.tables_of(call.report, "events"))


def month_options(call: Call) -> list[Option]:
    months = sorted({m for row in event_rows(call) for m in row.months})
    return [
        Option(
            f"mes-{m}", month_name(m, call.lang).capitalize(), (MONTHS_ES[m - 1], MONTHS_EN[m - 1])
        )
        for m in months
    ]


def event_type_options(call: Call) -> list[Option]:
    return [
        Option(table.key, table_title(table, call.report), (table.title, table.title.split()[-1]))
        for table in operators.tables_of(call.report, "events")
    ]


def category_options(call: Call, rows: Sequence[Row]) -> list[Option]:
    return [Option(f"cat-{value}", value) for value in operators.categories(rows)]


def eventos(call: Call) -> Reply:
    types, months = event_type_options(call), month_options(call)
    if not call.args:
        return call.choose(call.say("pick_events"), types + months)
    rows = event_rows(call)
    option = call.match(months) or call.match(types) or call.match(category_options(call, rows))
    if option is not None and option.value.startswith("mes-"):
        month = int(option.value[4:])
        selected = operators.by_month(rows, month)
        name = month_name(month, call.lang)
        head = call.say("events_month_head", month=name, total=_count(call, selected))
        return call.answered(events_answer(call, head, selected, kind="filter"))
    if option is not None and option.value.startswith("cat-"):
        selected = operators.by_category(rows, option.value[4:])
        head = call.say("events_word_head", word=option.label, total=_count(call, selected))
        return call.answered(events_answer(call, head, selected, kind="filter"))
    if option is not None:
        table = next(t for t in operators.tables_of(call.report, "events") if t.key == option.value)
        selected = operators.rows_of([table])
        head = call.say(
            "events_table_head",
            title=table_title(table, call.report),
            section=table.section,
            total=_count(call, selected),
        )
        return call.answered(events_answer(call, head, selected, kind="list", by_table=False))
    words = match_words(call.args, ignore=(call.spec.name, *call.spec.aliases))
    selected = operators.by_keyword(rows, words) if words else []
    if selected:
        head = call.say("events_word_head", word=" ".join(words), total=_count(call, selected))
        return call.answered(events_answer(call, head, selected, kind="filter"))
    return call.choose(call.say("no_events", args=call.args), types + months, status="not_found")


def _count(call: Call, rows: Sequence[Row]) -> str:
    return call.say("events_count", n=len(rows))


def event_line(row: Row) -> str:
    date = row.text("date")
    detail = row.text("attendees") or next(
        (text for i in _participant(row.table) if (text := _cell(row, i))), ""
    )
    name = shorten(row.name, ROW_NAME_LIMIT)
    return f"• {date} — {name}" + (f" ({shorten(detail, DETAIL_LIMIT)})" if detail else "")


def _participant(table: ParsedTable) -> list[int]:
    return [i for i, h in enumerate(table.header) if "participante" in fold(h)]


def _cell(row: Row, index: int) -> str:
    return clean_cell(row.row.cells[index].raw) if index < len(row.row.cells) else ""


def events_answer(call: Call, head: str, rows: Sequence[Row], *, kind: str, by_table: bool = True):
    lines = [head]
    tables: list[ParsedTable] = []
    for row in rows:
        if row.table not in tables:
            tables.append(row.table)
    for table in tables:
        if by_table:
            lines.append(f"\n{table_title(table, call.report)} (§{table.section}):")
        lines += [event_line(r) for r in rows if r.table is table]
    figure = Figure(
        label=head,
        value=len(rows),
        display=_count(call, rows),
        computed=True,
        computed_from=[table_title(t, call.report) for t in tables],
    )
    sources = [row_source(call, r) for r in rows]
    return call.answer("\n".join(lines), kind=kind, figures=[figure], sources=sources)


# ----------------------------------------------------------------------------- budget


def _budget_kind(call: Call, words: list[str]) -> tuple[list[str], list[str]]:
    """(roles asked, remaining words): "gastos funcionamiento" -> (["budget_expenses"], [...])."""
    roles, rest = [], []
    vocab = {
        "budget_expenses": {
            w for lang in ("es", "en") for w in say("budget_expenses_words", lang).split()
        },
        "budget_income": {
            w for lang in ("es", "en") for w in say("budget_income_words", lang).split()
        },
    }
    for word in words:
        role = next((r for r, names in vocab.items() if word in names), None)
        if role is not None:
            roles.append(role)
        else:
            rest.append(word)
    return roles, rest


def presupuesto(call: Call) -> Reply:
    tables = operators.tables_of(call.report, "budget_expenses", "budget_income")
    if not tables:
        return call.ask(call.spec.description(call.lang))
    if not call.args:
        # The overview a reader expects first: each budget's total line (planned, executed,
        # share), with the detail of each table offered as a choice.
        options = [
            Option(say(role, "es").lower(), call.say(role))
            for role in dict.fromkeys(operators.table_role(call.report, t) for t in tables)
        ]
        totals = [
            next((r for r in operators.rows_of([t]) if r.row.total), None) for t in tables
        ]
        if all(totals):
            overview = budget_answer(call, [r for r in totals if r is not None])
            overview.text += "\n\n" + call.say("budget_detail")
            return call.answered(overview, choices=call.choices(options))
        both = " ".join(o.value for o in options)
        labels = " + ".join(o.label for o in options)
        return call.choose(call.say("pick_budget"), [*options, Option(both, labels)])
    words = match_words(call.args, ignore=(call.spec.name, *call.spec.aliases))
    roles, rest = _budget_kind(call, words)
    if roles:
        tables = [t for t in tables if operators.table_role(call.report, t) in roles]
    rows = operators.rows_of(tables)
    if rest:
        # A line named in full ("gastos de personal") is that line, not every line saying a word.
        said = {fold(call.args), fold(" ".join(rest)), _without_role_word(call, call.args)}
        named = [r for r in rows if fold(r.name) in said] or operators.by_keyword(rows, rest)
        if not named:
            options = [
                Option(f"{_role_word(call, r)} {r.name}", sentence_case(r.name)) for r in rows
            ]
            title = ", ".join(table_title(t, call.report) for t in tables)
            return call.choose(
                call.say("no_budget_item", args=call.args, title=title), options, "not_found"
            )
        rows = named
    return call.answered(budget_answer(call, rows))


def _without_role_word(call: Call, text: str) -> str:
    """ "gastos gastos de personal" -> "gastos de personal" (the first word chose the table)."""
    words = fold(text).split()
    roles, _ = _budget_kind(call, words[:1])
    return " ".join(words[1:]) if roles and len(words) > 1 else fold(text)


def _role_word(call: Call, row: Row) -> str:
    role = operators.table_role(call.report, row.table)
    return fold(say(role, call.lang)).split()[0]


def budget_answer(call: Call, rows: Sequence[Row]):
    report = call.report
    lines: list[str] = []
    figures: list[Figure] = []
    sources: list[Source] = []
    tables: list[ParsedTable] = []
    for row in rows:
        if row.table not in tables:
            tables.append(row.table)
    for table in tables:
        planned_col = operators.column(table, "planned")
        executed_col = operators.column(table, "executed")
        if planned_col is None or executed_col is None:
            continue
        planned_name = clean_cell(table.header[planned_col]).lower()
        executed_name = clean_cell(table.header[executed_col]).lower()
        if operators.table_role(report, table) == "budget_expenses":
            executed_name = call.say("executed")  # the report heads it "RECAUDOS" there too
        lines.append(f"{table_title(table, report)} (§{table.section}):")
        for row in (r for r in rows if r.table is table):
            label = sentence_case(row.name, report)
            planned, executed = row.text("planned"), row.text("executed")
            share = row.text("share")
            lines.append(
                f"• {label}: {planned_name} {planned}; {executed_name} {executed}"
                + (f" ({share})" if share else "")
            )
            figures.append(
                Figure(
                    label=f"{label}: {executed_name}",
                    value=row.value(executed_col),
                    unit="COP",
                    display=executed,
                    raw=executed,
                    target=planned,
                    share_of_target=share or None,
                    section=table.section,
                )
            )
            sources.append(row_source(call, row))
        lines.append("")
    text = "\n".join(lines).strip()
    return call.answer(text, kind="figure", figures=figures, sources=sources)


# ----------------------------------------------------------------------------- projects


def proyectos(call: Call) -> Reply:
    report = call.report
    # The city's own projects first, then the cooperation projects with their partners.
    tables = operators.tables_of(report, "projects") + operators.tables_of(
        report, "cooperation_projects"
    )
    if not tables:
        return call.ask(call.spec.description(call.lang))
    rows = operators.rows_of(tables)
    words = match_words(call.args, ignore=(call.spec.name, *call.spec.aliases))
    if words:
        category = call.match(category_options(call, rows))
        selected = (
            operators.by_category(rows, category.value[4:])
            if category
            else operators.by_keyword(rows, words)
        )
        rows = selected or rows
    lines: list[str] = []
    figures: list[Figure] = []
    for table in tables:
        mine = [r for r in rows if r.table is table]
        if not mine:
            continue
        count = call.say("projects_count", n=len(mine))
        title = table_title(table, report)
        lines.append(f"{title} (§{table.section}): {count}.")
        figures.append(
            Figure(
                label=title, value=len(mine), display=count, computed=True, computed_from=[title]
            )
        )
        role = operators.table_role(report, table)
        lines += [_project_line(r, role) for r in mine]
        lines.append("")
    answer = call.answer(
        "\n".join(lines).strip(),
        kind="list",
        figures=figures,
        sources=[row_source(call, r) for r in rows],
    )
    return call.answered(answer)


def _project_line(row: Row, role: str) -> str:
    name_col = operators.column(row.table, "name")
    others = [
        _cell(row, i) for i in range(len(row.table.header)) if i != name_col and _cell(row, i)
    ]
    name = shorten(row.name, ROW_NAME_LIMIT)
    if role == "cooperation_projects":
        # Thematic line first is a category; the partner last is who cooperated.
        return f"• {name} — " + "; ".join(shorten(o, DETAIL_LIMIT) for o in others)
    return f"• {name}" + (f": {shorten(others[0], ROW_NAME_LIMIT)}" if others else "")
