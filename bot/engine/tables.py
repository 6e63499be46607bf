"""Operators over a table or an enumeration: rows, filters, largest, totals, indicators."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.engine.answer import Answer, Figure, Source
from bot.engine.figures import row_answer
from bot.engine.format import format_number
from bot.engine.index import Passage, ReportIndex, clean_text
from bot.engine.normalize import content_tokens, fold
from bot.engine.quoting import (
    criteria_text,
    number_figure,
    shorten,
    source_of,
    title_case,
)
from bot.engine.retrieval import query_terms, search
from bot.engine.rows import INDICATOR_WORDS, indicator_parts, row_name
from bot.engine.slots import extract_months
from bot.texts import say as t
from knowledge.model import ParsedCell

if TYPE_CHECKING:
    from bot.engine.catalog import Intent
    from bot.engine.core import Engine, Request


def enumeration_answer(request: Request, intent: Intent, engine: Engine) -> Answer | None:
    index = request.index
    enumeration = next((e for e in index.report.enumerations if e.key in intent.targets), None)
    if enumeration is None or not enumeration.items:
        return None
    lang = request.lang
    section = index.sections.get(enumeration.section)
    lines = [t("list_header", lang, title=intent.label(lang), count=len(enumeration.items))]
    for item in enumeration.items:
        label = clean_text(item.label).rstrip(":")
        description = clean_text(item.description)
        line = f"{item.position}. {label}"
        if description:
            line += f": {shorten(description, 160)}"
        lines.append(line)
    text = "\n".join(lines)
    first = enumeration.items[0]
    return Answer(
        status="answered",
        text=text,
        sources=[
            Source(
                section=enumeration.section,
                title=title_case(section.title) if section else enumeration.title,
                quote=shorten(clean_text(enumeration.title), 200),
                line=first.line,
            )
        ],
        intent=intent.id,
        kind="list",
        score=1.0,
    )


# ---------------------------------------------------------------------------- indicator tables


def indicators_answer(request: Request, intent: Intent, engine: Engine) -> Answer | None:
    index = request.index
    table = next((index.tables[k] for k in intent.targets if k in index.tables), None)
    if table is None:
        return None
    rows = [p for p in index.passages if p.table_key == table.key]
    # A question about one indicator gets that row, not the whole table; the words that name
    # the table itself (its title, heading, the intent's labels) ask for all of it.
    naming = INDICATOR_WORDS | set(content_tokens(" ".join(
        [table.title, table.heading, intent.label_es, intent.label_en])))
    terms = [
        (term, alts)
        for term, alts in query_terms(request.question, engine.synonyms)
        if term not in naming and not any(a in naming for a in alts)
    ]
    if terms:
        hits = search(index, terms, kinds=("row",), limit=4)
        hits = [h for h in hits if h.passage.table_key == table.key]
        if (
            hits
            and hits[0].score >= 0.5
            and (len(hits) == 1 or hits[0].score - hits[1].score >= 0.1)
        ):
            return row_answer(request, hits[0], engine)
    lang = request.lang
    lines = [t("list_header", lang, title=intent.label(lang), count=len(rows))]
    figures: list[Figure] = []
    for passage in rows:
        indicator = indicator_parts(passage, lang)
        if indicator is None:
            continue
        figures.append(indicator.figure)
        lines.append(f"• {indicator.line}")
    section = index.sections.get(table.section)
    return Answer(
        status="answered",
        text="\n".join(lines),
        figures=figures,
        sources=[
            Source(
                section=table.section,
                title=title_case(section.title) if section else table.title,
                quote=shorten(" | ".join(table.header), 300),
                line=table.line_start,
            )
        ],
        intent=intent.id,
        kind="target",
        score=1.0,
    )


# ---------------------------------------------------------------------------- other tables


def table_answer(request: Request, intent: Intent, engine: Engine) -> Answer | None:
    """Filters, superlatives and totals over a table; the whole table when asked for a list."""
    index = request.index
    tables = [index.tables[k] for k in intent.targets if k in index.tables]
    if not tables:
        return None
    slots = request.slots
    lang = request.lang
    rows = [p for p in index.passages if p.kind == "row" and p.table_key in intent.targets]
    month = slots.months[0] if slots.months else None
    matched_value, rows_by_value = _categorical_filter(request, rows)
    has_filter = bool(month or slots.threshold or matched_value)
    if slots.measure in ("cantidad", "valor", "costo", "fecha") and not (
        has_filter or slots.superlative
    ):
        return None  # "¿cuántos eventos hubo?" is stated in a sentence; retrieval finds it
    if not (
        has_filter
        or slots.superlative
        or slots.wants_total
        or slots.wants_list
        or _names_table(request, intent)
    ):
        return None
    selected = rows
    if matched_value:
        selected = rows_by_value
    if month:
        selected = [p for p in selected if month in _row_months(p)]
    numeric_column = _numeric_column(selected or rows, request)
    if slots.threshold and numeric_column:
        op, value = slots.threshold
        selected = [
            p
            for p in selected
            if not p.total or all(r.total for r in selected)
            if (v := _cell_value(p, numeric_column)) is not None
            and (
                (op == "gt" and v > value)
                or (op == "lt" and v < value)
                or (op == "ge" and v >= value)
            )
        ]
    title = intent.label(lang)
    criteria = criteria_text(lang, month, slots.threshold, matched_value)
    if slots.superlative and numeric_column and selected:
        return _superlative(request, intent, selected, numeric_column, title)
    if slots.wants_total and numeric_column and selected and not (month or slots.threshold):
        # The total of the rows asked for: all of them, or those of the named kind.
        return _total(request, intent, selected, numeric_column, title)
    if not selected:
        return Answer(
            status="answered",
            text=t("filter_none", lang, title=title, criteria=criteria),
            intent=intent.id,
            kind="filter",
            score=0.8,
            sources=[_table_source(index, tables[0])],
        )
    lines = [t("filter_header", lang, title=title, count=len(selected), criteria=criteria)]
    figures: list[Figure] = []
    for passage in selected:
        lines.append(f"• {_row_line(passage, numeric_column, request.question, matched_value)}")
        if numeric_column:
            number = next((n for n in passage.numbers if n.column == numeric_column), None)
            if number:
                figures.append(number_figure(number, row_name(passage), lang, passage.section))
    return Answer(
        status="answered",
        text="\n".join(lines),
        figures=figures[:20],
        sources=[
            _table_source(index, index.tables[k])
            for k in dict.fromkeys(p.table_key for p in selected if p.table_key)
        ],
        intent=intent.id,
        kind="filter" if has_filter else "list",
        score=0.9,
    )


def _names_table(request: Request, intent: Intent) -> bool:
    """Short questions that name a table ("pqrs por proceso", "/redes") want the whole table."""
    words = content_tokens(request.question)
    return len(words) <= 4 and intent.handler == "table"


def _table_source(index: ReportIndex, table: object) -> Source:
    section = index.sections.get(table.section)  # type: ignore[attr-defined]
    return Source(
        section=table.section,  # type: ignore[attr-defined]
        title=title_case(section.title) if section else table.title,  # type: ignore[attr-defined]
        quote=shorten(f"{table.title}: " + " | ".join(table.header), 300),  # type: ignore[attr-defined]
        line=table.line_start,  # type: ignore[attr-defined]
    )


SHORT_CELL = 60  # characters: a date, a figure, a name; longer cells are descriptions
ROW_CELLS = 3  # cells a row's line shows besides its name


def _row_line(
    passage: Passage, numeric_column: str | None, asked: str = "", matched: str | None = None
) -> str:
    """A row as a line: its name, then its short cells (dates, figures, names), the column the
    operator works on, and any column the question names by its words ("¿quiénes fueron los
    cooperantes?" shows COOPERANTE O ALIADO however long); other long cells are left out.
    When the rows were picked by the very value that names them ("línea Ecociudad"), the row
    is named by its longest text cell instead (what each row is)."""
    name = row_name(passage)
    if matched and fold(name) == fold(matched):
        texts = [clean_text(c.raw) for _, c in passage.cells or [] if c.value is None]
        longest = max(texts, key=len, default="")
        if len(longest) > len(name):
            name = shorten(longest, 160)
    asked_words = set(content_tokens(asked))
    ranked: list[tuple[int, int, str]] = []  # (priority, column, text)
    for position, (header, cell) in enumerate(passage.cells or []):
        raw = clean_text(cell.raw)
        if not raw or raw == name or raw in name:
            continue
        named = bool(asked_words & set(content_tokens(header)))
        if named or header == numeric_column:
            priority = 0
        elif len(raw) <= SHORT_CELL:
            priority = 1  # the last columns first: results follow what they are results of
        else:
            continue
        text = f"{title_case(header)}: {shorten(raw, 200 if named else 140)}"
        ranked.append((priority, -position, text))
    chosen = sorted(ranked)[:ROW_CELLS]
    extras = [text for _, _, text in sorted(chosen, key=lambda c: -c[1])]
    line = shorten(name, 220)
    return f"{line} — {'; '.join(extras)}" if extras else line


def _with_meanings(passage: Passage) -> list[tuple[tuple[str, ParsedCell], str]]:
    cells = passage.cells or []
    meanings = passage.meanings or []
    return [(c, meanings[k] if k < len(meanings) else "other") for k, c in enumerate(cells)]


def _row_months(passage: Passage) -> set[int]:
    months: set[int] = set()
    for (_header, cell), meaning in _with_meanings(passage):
        if meaning != "date":
            continue
        raw = clean_text(cell.raw)
        months.update(extract_months(fold(raw)))
        for match in re.finditer(r"\b\d{1,2}/(\d{1,2})/\d{4}\b", raw):
            months.add(int(match.group(1)))
        span = re.search(
            r"(\d{1,2})\s*(?:de\s+)?([a-z]+)\s*-\s*\d{1,2}\s*(?:de\s+)?([a-z]+)", fold(raw)
        )
        if span:
            first = extract_months(span.group(2))
            last = extract_months(span.group(3))
            if first and last:
                months.update(range(first[0], last[0] + 1))
    return months


def _categorical_filter(request: Request, rows: list[Passage]) -> tuple[str | None, list[Passage]]:
    """Rows whose short category cell (línea, país, tipo...) the question names.

    A cell said only by words of its own table's caption is the question naming the table, not
    a row: «presupuesto de gastos» asks for the expenses table, whose total row is «GASTOS»."""
    question = f" {request.folded} "
    best_value: str | None = None
    best_rows: list[Passage] = []
    captions: dict[str | None, set[str]] = {}
    for passage in rows:
        if passage.table_key not in captions:
            table = request.index.tables.get(passage.table_key) if passage.table_key else None
            captions[passage.table_key] = set(fold(table.title).split()) if table else set()
        caption = captions[passage.table_key]
        for (_header, cell), meaning in _with_meanings(passage):
            raw = clean_text(cell.raw)
            folded = fold(raw)
            if not folded or len(folded) > 40 or cell.value is not None or len(folded) < 4:
                continue
            # a date is no category; nor a row's name where the table has kinds of its own
            if meaning == "date" or (meaning == "label" and "category" in (passage.meanings or [])):
                continue
            if set(folded.split()) <= caption:
                continue  # the table's own word: the question names the table
            if f" {folded} " in question or (
                fuzz.partial_ratio(folded, question) >= 92
                and len(folded.split()) <= 4
                and _all_words_in(folded, question)
            ):
                if best_value is None or len(folded) > len(fold(best_value)):
                    best_value, best_rows = raw, []
                if fold(best_value) == folded:
                    best_rows.append(passage)
    return best_value, best_rows


def _all_words_in(phrase: str, question: str) -> bool:
    words = question.split()
    return all(any(fuzz.ratio(w, q) >= 85 for q in words) for w in phrase.split() if len(w) > 2)


def _numeric_column(rows: list[Passage], request: Request) -> str | None:
    """The column a filter or superlative works on: the one the question names, else the last."""
    columns: list[str] = []
    for passage in rows:
        for number in passage.numbers:
            if number.column and number.column not in columns:
                columns.append(number.column)
    # Cells that are figures, not a figure inside a long text cell (an event's name with "150
    # años"), when the rows have any.
    columns = [c for c in columns if any(
        n.column == c and n.meaning for p in rows for n in p.numbers)] or columns
    if not columns:
        return None
    # A column the question names by its own words ("la adición más grande": ADICIONES).
    asked = set(content_tokens(request.question))
    overlap = {c: len(asked & set(content_tokens(c))) for c in columns}
    most = max(overlap.values())
    named = [c for c in columns if most and overlap[c] == most]
    if len(named) == 1:
        return named[0]
    meanings = {n.column: n.meaning for p in rows for n in p.numbers if n.column}
    measure = request.slots.measure
    wanted = {"asistentes": ("count",), "valor": ("amount",), "costo": ("amount",),
              "porcentaje": ("share",), "recaudo": ("collected",)}.get(measure or "", ())
    for column in columns:
        if meanings.get(column) in wanted:
            return column
    for column in columns:
        if meanings.get(column) == "count":
            return column
    return columns[-1]


def _cell_value(passage: Passage, column: str) -> float | None:
    return next((n.value for n in passage.numbers if n.column == column), None)


def _superlative(
    request: Request, intent: Intent, rows: list[Passage], column: str, title: str
) -> Answer:
    lang = request.lang
    # The largest row is not the total of the rows: totals compete only among themselves.
    parts = [p for p in rows if not p.total] or rows
    valued = [(v, p) for p in parts if (v := _cell_value(p, column)) is not None]
    pick = max if request.slots.superlative == "max" else min
    value, passage = pick(valued, key=lambda item: item[0])
    number = next(n for n in passage.numbers if n.column == column)
    key = "max_row" if request.slots.superlative == "max" else "min_row"
    text = t(
        key,
        lang,
        column=title_case(column),
        title=title,
        value=number.raw,
        name=row_name(passage),
    )
    ties = [p for v, p in valued if v == value and p is not passage]
    if ties:
        text += " (" + "; ".join(row_name(p) for p in ties) + ")"
    mixed = sorted(
        {
            n.raw
            for _, p in valued
            for n in p.numbers
            if n.column == column and not re.fullmatch(r"[\d.,%$ ]+", n.raw)
        }
    )
    if mixed:
        text += "\n" + t("mixed_cells", lang, examples="», «".join(mixed[:4]))
    return Answer(
        status="answered",
        text=text,
        figures=[number_figure(number, row_name(passage), lang, passage.section)],
        sources=[source_of(request.index, passage)],
        intent=intent.id,
        kind="filter",
        score=0.9,
    )


def _total(
    request: Request, intent: Intent, rows: list[Passage], column: str, title: str
) -> Answer:
    lang = request.lang
    body = [p for p in rows if not fold(row_name(p)).startswith("total")]
    total_rows = [p for p in rows if fold(row_name(p)).startswith("total")]
    values = [(v, p) for p in body if (v := _cell_value(p, column)) is not None]
    total = sum(v for v, _ in values)
    lines = [f"• {_row_line(p, column)}" for p in body]
    text = "\n".join(
        [
            f"{title}:",
            *lines,
            t(
                "total",
                lang,
                column=title_case(column),
                value=format_number(total, lang),
                count=len(values),
            ),
        ]
    )
    for passage in total_rows:
        reported = _cell_value(passage, column)
        if reported is not None:
            text += " " + t("total_row", lang, value=format_number(reported, lang))
    figure = Figure(
        label=f"Total {column}",
        value=total,
        display=format_number(total, lang),
        computed=True,
        computed_from=[n.raw for _, p in values for n in p.numbers if n.column == column],
        section=body[0].section if body else None,
    )
    return Answer(
        status="answered",
        text=text,
        figures=[figure],
        sources=[source_of(request.index, p) for p in (total_rows or body[:1])],
        intent=intent.id,
        kind="filter",
        score=0.9,
    )
