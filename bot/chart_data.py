"""What a chart shows, read from the report by rules: table roles, totals and their parts, and the
places where the report's text announces a figure its own table does not give.

- Roles: a table's role comes from the parsed model when ingest sets one (`ParsedTable.role`),
  otherwise from its header and caption words (indicator, event and budget tables; a budget table
  is about expenses or income by the word its caption or first line uses).
- Totals: a line is the total of the lines under it when each of its figures equals the sum of
  theirs (nested: "Gastos" = "Funcionamiento" + "Inversión", each the sum of its own lines); a
  line named "Total …" sums the lines before it. Charts draw the parts and state totals apart.
- Contradictions: an indicator row whose text sentence (outside the table) names the same
  indicator with another result; a count the text announces as a sum of parts ("46 eventos, 16
  …, 17 … y 13 …") that the tables' rows do not add up to; a budget share the lead-in text gives
  that no line of the table has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.format import format_figure, format_number
from bot.report_tables import (
    IndicatorPoint,
    cell_at,
    cell_text,
    clean_cell,
    column_index,
    fold,
    header_has,
    indicator_columns,
    indicator_points,
    table_title,
)
from knowledge.model import (
    ContradictionSide,
    ParsedCell,
    ParsedContradiction,
    ParsedFact,
    ParsedReport,
    ParsedTable,
)

# ----------------------------------------------------------------------------- roles

ROLE_INDICATORS = "indicators"
ROLE_EVENTS = "events"
ROLE_INCOME = "income"
ROLE_EXPENSES = "expenses"
ROLE_OTHER = "other"

_ROLE_ALIASES = {  # role names ingest may use -> the ones charts and files work with
    "indicator": ROLE_INDICATORS,
    "indicators": ROLE_INDICATORS,
    "event": ROLE_EVENTS,
    "events": ROLE_EVENTS,
    "income": ROLE_INCOME,
    "budget_income": ROLE_INCOME,
    "budget-income": ROLE_INCOME,
    "expenses": ROLE_EXPENSES,
    "expense": ROLE_EXPENSES,
    "budget_expenses": ROLE_EXPENSES,
    "budget-expenses": ROLE_EXPENSES,
}


def table_role(table: ParsedTable) -> str:
    """indicators | events | income | expenses | other."""
    given = getattr(table, "role", None)
    if isinstance(given, str) and fold(given) in _ROLE_ALIASES:
        return _ROLE_ALIASES[fold(given)]
    if table.kind != "grid" or not table.rows:
        return ROLE_OTHER
    if header_has(table, "indicador", "meta"):
        return ROLE_INDICATORS
    if header_has(table, "evento", "fecha"):
        return ROLE_EVENTS
    if header_has(table, "ppto") or header_has(table, "presupuesto"):
        subject = fold(f"{table.title} {cell_text(table.rows[0], 0)}")
        if "gasto" in subject:
            return ROLE_EXPENSES
        if "ingreso" in subject:
            return ROLE_INCOME
    return ROLE_OTHER


def tables_with_role(report: ParsedReport, role: str) -> list[ParsedTable]:
    return [t for t in report.tables if table_role(t) == role]


def column_of(table: ParsedTable, meaning: str, *header_words: str) -> int | None:
    """The column holding `meaning` ("final_budget", "executed", "date"...) when ingest typed the
    columns (`ParsedTable.columns`), else the first whose header has every word."""
    typed = getattr(table, "columns", None)
    if typed:
        found = next((c for c in typed if getattr(c, "meaning", None) == meaning), None)
        if found is not None:
            return found.index
    return column_index(table, *header_words) if header_words else None


def is_prose(fact: ParsedFact) -> bool:
    """A figure of the text (prose or highlight), not one of a table's cells."""
    return getattr(fact, "source", "prose") != "cell"


# ----------------------------------------------------------------------------- totals


@dataclass(frozen=True)
class Line:
    """One row of a table of amounts, placed in its tree of totals."""

    index: int  # row index in the table
    label: str
    parent: int | None  # row index of the line it is a part of
    children: tuple[int, ...]  # row indexes of its parts
    level: int  # 0 for top lines

    @property
    def is_total(self) -> bool:
        return bool(self.children)


def amount_columns(table: ParsedTable) -> list[int]:
    """Columns whose cells are amounts that add up (numbers, not percentages)."""
    columns = []
    for index in range(1, len(table.header)):
        cells = [row.cells[index] for row in table.rows if index < len(row.cells)]
        numeric = [c for c in cells if c.value is not None]
        if numeric and len(numeric) == len(cells) and all(c.unit != "%" for c in numeric):
            columns.append(index)
    return columns


def _decimals(cell: ParsedCell) -> int:
    match = re.search(r",(\d+)", cell.raw)
    return len(match.group(1)) if match else 0


def _sums_to(table: ParsedTable, whole: int, parts: list[int], columns: list[int]) -> bool:
    """Every amount of row `whole` equals the sum of the same amounts of rows `parts`."""
    if not parts or not columns:
        return False
    nonzero = False
    for column in columns:
        total = table.rows[whole].cells[column]
        cells = [table.rows[p].cells[column] for p in parts]
        decimals = max(_decimals(c) for c in [total, *cells])
        tolerance = 0.5 * 10**-decimals * len(cells) + 1e-9
        if abs((total.value or 0) - sum(c.value or 0 for c in cells)) > tolerance:
            return False
        nonzero = nonzero or bool(total.value)
    return nonzero


def line_tree(table: ParsedTable) -> list[Line]:
    """The table's rows as lines with their totals and parts (see the module docstring); the
    parts ingest marked (`ParsedRow.parent`) when it did."""
    marked = _marked_tree(table)
    if marked is not None:
        return marked
    count = len(table.rows)
    columns = amount_columns(table)
    end = list(range(count))  # last row index of each row's subtree
    children: list[list[int]] = [[] for _ in range(count)]
    for index in range(count - 1, -1, -1):  # bottom-up: a total after its parts' subtotals
        top, cursor = [], index + 1
        while cursor < count:
            top.append(cursor)
            if _sums_to(table, index, top, columns):
                children[index], end[index] = list(top), end[cursor]
                break
            cursor = end[cursor] + 1
    labels = [fold(cell_text(row, 0)) for row in table.rows]
    claimed = {c for kids in children for c in kids}
    for index, label in enumerate(labels):  # "Total …" rows sum the top lines before them
        if children[index] or not label.startswith("total"):
            continue
        before = [i for i in range(index) if i not in claimed and not _inside(i, children)]
        if before:
            children[index] = before
            claimed.update(before)
    parent: dict[int, int] = {c: p for p, kids in enumerate(children) for c in kids}
    lines = []
    for index, row in enumerate(table.rows):
        level, up = 0, parent.get(index)
        while up is not None:
            level, up = level + 1, parent.get(up)
        lines.append(
            Line(index, cell_text(row, 0), parent.get(index), tuple(children[index]), level)
        )
    return lines


def _marked_tree(table: ParsedTable) -> list[Line] | None:
    parents = [getattr(row, "parent", None) for row in table.rows]
    if not any(p is not None for p in parents):
        return None
    children: dict[int, list[int]] = {}
    for index, parent in enumerate(parents):
        if parent is not None and 0 <= parent < len(table.rows) and parent != index:
            children.setdefault(parent, []).append(index)
    lines = []
    for index, row in enumerate(table.rows):
        level, up, seen = 0, parents[index], {index}
        while up is not None and up not in seen:
            seen.add(up)
            level, up = level + 1, parents[up]
        lines.append(
            Line(index, cell_text(row, 0), parents[index], tuple(children.get(index, [])), level)
        )
    return lines


def _inside(index: int, children: list[list[int]]) -> bool:
    return any(index in kids for kids in children)


# ----------------------------------------------------------------------------- budget


@dataclass(frozen=True)
class BudgetRow:
    line: Line
    planned: float  # final budget
    executed: float  # executed (expenses) or collected (income)
    share: str  # the report's own percentage cell, as written
    row_line: int  # report line


@dataclass(frozen=True)
class BudgetView:
    table: ParsedTable
    role: str  # expenses | income
    rows: list[BudgetRow]
    planned_header: str
    executed_header: str

    @property
    def grand_totals(self) -> list[BudgetRow]:
        return [r for r in self.rows if r.line.is_total and r.line.parent is None]

    @property
    def parts(self) -> list[BudgetRow]:
        """The lines a chart draws: the ones no other line breaks down."""
        return [r for r in self.rows if not r.line.is_total]


def budget_view(table: ParsedTable) -> BudgetView | None:
    planned_col = column_of(table, "final_budget", "definitivo")
    if planned_col is None or planned_col + 1 >= len(table.header):
        return None
    executed_col = column_of(table, "executed") or column_of(table, "collected") or planned_col + 1
    share_col = column_of(table, "share", "%")
    rows = []
    for line, row in zip(line_tree(table), table.rows, strict=True):
        planned, executed = row.cells[planned_col], row.cells[executed_col]
        if planned.value is None or executed.value is None:
            return None
        share = cell_text(row, share_col)
        rows.append(BudgetRow(line, planned.value, executed.value, share, row.line))
    return BudgetView(
        table=table,
        role=table_role(table),
        rows=rows,
        planned_header=clean_cell(table.header[planned_col]),
        executed_header=clean_cell(table.header[executed_col]),
    )


# ----------------------------------------------------------------------------- contradictions
#
# Ingest finds the report's contradictions by its own rules (`ParsedReport.contradictions`, the
# ones the bot's answers state); a chart shows those that concern its tables, worded for the
# chart. The rules below (`*_by_rule`) compare a chart's table with the figure the text announces
# and add what ingest did not list, so a report parsed without contradictions gets notes too.


@dataclass(frozen=True)
class Note:
    """A place where the report's text and its table disagree, both sides as the report says."""

    text_es: str
    text_en: str
    sections: tuple[str, ...]  # where each side sits
    row_index: int | None = None  # the table row it concerns, when one
    text_value: str = ""  # the text's figure as written
    table_value: str = ""  # the table's figure as written

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_es


_CONTENT_WORD = re.compile(r"[a-z]{4,}")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _CONTENT_WORD.findall(fold(text))}


def _same_at_precision(text_value: float, text_decimals: int, table: float, decimals: int) -> bool:
    places = min(text_decimals, decimals)
    return round(text_value, places) == round(table, places)


def _fact_decimals(fact: ParsedFact) -> int:
    match = re.search(r"\d,(\d+)", fact.raw)
    return len(match.group(1)) if match else 0


def indicator_notes_by_rule(report: ParsedReport, table: ParsedTable) -> list[Note]:
    """Indicator rows whose result the text states otherwise.

    A sentence outside the table speaks of a row when it shares most of the row label's words
    (4+ letters, compared by their first five letters); its result figure in the row's unit is
    compared at the precision both write ("4,989" vs "4,9" -> 5,0 vs 4,9).
    """
    notes = []
    result_col = _result_column(table)
    for index, (row, point) in enumerate(_rows_with_points(table)):
        if point is None or result_col is None:
            continue
        result_cell = row.cells[result_col]
        label = _stems(point.label)
        if len(label) < 3:
            continue
        for fact in report.facts:
            if table.line_start <= fact.line <= table.line_end or fact.role != "result":
                continue
            if not is_prose(fact):
                continue
            if (fact.unit, fact.scale) != (result_cell.unit, result_cell.scale):
                continue
            if len(label & _stems(fact.sentence)) < 0.7 * len(label):
                continue
            if _same_at_precision(
                fact.value, _fact_decimals(fact), point.result, _decimals(result_cell)
            ):
                continue
            notes.append(_indicator_note(report, table, index, point, result_cell, fact))
            break
    return notes


def _result_column(table: ParsedTable) -> int | None:
    return indicator_columns(table)[2]


def _rows_with_points(table: ParsedTable) -> list[tuple]:
    points = {p.line: p for p in indicator_points(table)}
    return [(row, points.get(row.line)) for row in table.rows]


def _indicator_note(
    report: ParsedReport,
    table: ParsedTable,
    index: int,
    point: IndicatorPoint,
    result_cell: ParsedCell,
    fact: ParsedFact,
) -> Note:
    text_es = format_figure(fact.value, fact.unit, fact.scale, "es")
    text_en = format_figure(fact.value, fact.unit, fact.scale, "en")
    table_es = format_figure(result_cell.value, result_cell.unit, result_cell.scale, "es")
    table_en = format_figure(result_cell.value, result_cell.unit, result_cell.scale, "en")
    where = f"§{fact.section}"
    target = next(
        (f for f in report.facts if f.line == fact.line and f.role == "target"), None
    )
    of_es = of_en = ""
    if target is not None:
        of_es = f" sobre una meta de {format_figure(target.value, target.unit, target.scale, 'es')}"
        en = format_figure(target.value, target.unit, target.scale, "en")
        of_en = f" against a target of {en}"
    return Note(
        text_es=f"El texto ({where}) da {text_es}{of_es} para este indicador; la tabla, "
        f"{table_es}.",
        text_en=f"The text ({where}) gives {text_en}{of_en} for this indicator; the table, "
        f"{table_en}.",
        sections=(fact.section, table.section),
        row_index=index,
        text_value=fact.raw,
        table_value=point.result_raw,
    )


def count_notes_by_rule(report: ParsedReport, tables: list[ParsedTable]) -> list[Note]:
    """Rows counted across tables vs a count the text announces with its parts.

    The tables' common caption word names what is counted ("eventos"); a sentence with a figure in
    that unit followed by as many figures as there are tables, which add up to it, announces the
    total and each table's count (in the tables' order).
    """
    noun = _common_word(tables)
    if noun is None:
        return []
    by_line: dict[int, list[ParsedFact]] = {}
    for fact in report.facts:
        if fact.unit and fold(fact.unit) == noun and is_prose(fact):
            by_line.setdefault(fact.line, []).append(fact)
    counts = [len(t.rows) for t in tables]
    for facts in by_line.values():
        if len(facts) != len(tables) + 1:
            continue
        total, *parts = facts
        if total.value != sum(p.value for p in parts):
            continue
        if total.value == sum(counts) and [p.value for p in parts] == counts:
            return []
        return [_count_note(report, tables, noun, total, parts, counts)]
    return []


def _common_word(tables: list[ParsedTable]) -> str | None:
    if not tables:
        return None
    words = [set(re.findall(r"[a-z]{4,}", fold(t.title))) for t in tables]
    common = set.intersection(*words)
    if not common:
        return None
    title = fold(tables[0].title)
    return min(common, key=title.index)


def _count_note(
    report: ParsedReport,
    tables: list[ParsedTable],
    noun: str,
    total: ParsedFact,
    parts: list[ParsedFact],
    counts: list[int],
) -> Note:
    def listed(values: list[float], lang: str) -> str:
        texts = [format_number(v, lang) for v in values]
        return " + ".join(texts)

    table_sections = sorted({t.section for t in tables})
    where_tables = ", ".join(f"§{s}" for s in table_sections)
    rows_total = format_number(sum(counts), "es")
    differing = [
        table_title(t, report)
        for t, part, count in zip(tables, parts, counts, strict=True)
        if part.value != count
    ]
    text_es = (
        f"El texto (§{total.section}) dice {format_figure(total.value, noun, None, 'es')} "
        f"({listed([p.value for p in parts], 'es')}); las tablas de {where_tables} listan "
        f"{rows_total} ({listed([float(c) for c in counts], 'es')})"
    )
    text_en = (
        f"The text (§{total.section}) says {format_figure(total.value, noun, None, 'en')} "
        f"({listed([p.value for p in parts], 'en')}); the tables of {where_tables} list "
        f"{format_number(sum(counts), 'en')} ({listed([float(c) for c in counts], 'en')})"
    )
    if differing:
        text_es += ": difiere " + ", ".join(f"«{d}»" for d in differing)
        text_en += ": «" + "», «".join(differing) + "» differs"
    return Note(
        text_es=text_es + ".",
        text_en=text_en + ".",
        sections=(total.section, *table_sections),
        text_value=total.raw,
        table_value=str(sum(counts)),
    )


def budget_notes_by_rule(report: ParsedReport, view: BudgetView) -> list[Note]:
    """A percentage the table's lead-in text gives that no line of the table has."""
    table = view.table
    lead_in = _lead_in_lines(report, table)
    shares = {r.share for r in view.rows}
    share_values = [_share_value(s) for s in shares]
    notes = []
    for fact in report.facts:
        if fact.line not in lead_in or fact.unit != "%" or not is_prose(fact):
            continue
        decimals = _fact_decimals(fact)
        if any(
            v is not None and _same_at_precision(fact.value, decimals, v, decimals)
            for v in share_values
        ):
            continue
        figure_es = format_figure(fact.value, "%", None, "es")
        figure_en = format_figure(fact.value, "%", None, "en")
        notes.append(
            Note(
                text_es=f"El texto (§{fact.section}) da {figure_es}; ninguna línea de la tabla "
                "tiene ese porcentaje.",
                text_en=f"The text (§{fact.section}) gives {figure_en}; no line of the table has "
                "that share.",
                sections=(fact.section,),
                text_value=fact.raw,
            )
        )
    return notes


def _lead_in_lines(report: ParsedReport, table: ParsedTable, limit: int = 12) -> set[int]:
    """The lines between a table and the heading or table above it: the text introducing it."""
    lines: set[int] = set()
    number = table.line_start - 1
    while number >= 1 and len(lines) < limit:
        text = report.lines[number - 1].strip()
        if "\t" in text or (text.isupper() and len(text) > 3):
            break
        lines.add(number)
        number -= 1
    return lines


def _share_value(text: str) -> float | None:
    match = re.search(r"\d+(?:\.\d{3})*(?:,\d+)?", text)
    if not match:
        return None
    return float(match.group(0).replace(".", "").replace(",", "."))


# ----------------------------------------------------------------------------- notes for a chart


def indicator_notes(report: ParsedReport, table: ParsedTable) -> list[Note]:
    """A note per indicator row the text contradicts: ingest's contradictions first, then the
    ones the rule finds."""
    notes = _ingest_row_notes(report, table)
    rows = {n.row_index for n in notes}
    notes += [n for n in indicator_notes_by_rule(report, table) if n.row_index not in rows]
    return notes


def count_notes(report: ParsedReport, tables: list[ParsedTable]) -> list[Note]:
    """Notes where the text counts the tables' rows otherwise (events: 46 said, 47 listed)."""
    notes = _ingest_count_notes(report, tables)
    return notes or count_notes_by_rule(report, tables)


def budget_notes(report: ParsedReport, view: BudgetView) -> list[Note]:
    notes = [
        Note(c.description_es, c.description_en, tuple(dict.fromkeys(s.section for s in c.sides)))
        for c in report.contradictions
        if any(side.table == view.table.key for side in c.sides)
    ]
    return notes + budget_notes_by_rule(report, view)


def _text_sides(contradiction: ParsedContradiction) -> list[ContradictionSide]:
    return [side for side in contradiction.sides if side.table is None]


def _figure_of(report: ParsedReport, side: ContradictionSide, lang: str) -> str:
    """A side's figure formatted with its unit, from the fact ingest read on its line."""
    wanted = fold(side.value).replace(" ", "")
    for fact in report.facts:
        if fact.line == side.line and is_prose(fact) and wanted and wanted in fold(
            fact.raw
        ).replace(" ", ""):
            return format_figure(fact.value, fact.unit, fact.scale, lang)
    return side.value


def _target_on(report: ParsedReport, line: int, lang: str) -> str:
    target = next(
        (f for f in report.facts if f.line == line and f.role == "target" and is_prose(f)), None
    )
    if target is None:
        return ""
    figure = format_figure(target.value, target.unit, target.scale, lang)
    return f" sobre una meta de {figure}" if lang == "es" else f" against a target of {figure}"


def _ingest_row_notes(report: ParsedReport, table: ParsedTable) -> list[Note]:
    by_line = {row.line: index for index, row in enumerate(table.rows)}
    result_col = _result_column(table)
    notes = []
    for contradiction in report.contradictions:
        rows = [
            (side, by_line[side.line])
            for side in contradiction.sides
            if side.table == table.key and side.line in by_line
        ]
        texts = _text_sides(contradiction)
        if len(rows) != 1 or not texts:
            continue
        table_side, row_index = rows[0]
        text = texts[0]
        cell = cell_at(table.rows[row_index], result_col)
        table_es = table_en = table_side.value
        if cell is not None and cell.value is not None:
            table_es = format_figure(cell.value, cell.unit, cell.scale, "es")
            table_en = format_figure(cell.value, cell.unit, cell.scale, "en")
        notes.append(
            Note(
                text_es=f"El texto (§{text.section}) da {_figure_of(report, text, 'es')}"
                f"{_target_on(report, text.line, 'es')} para este indicador; la tabla, "
                f"{table_es}.",
                text_en=f"The text (§{text.section}) gives {_figure_of(report, text, 'en')}"
                f"{_target_on(report, text.line, 'en')} for this indicator; the table, "
                f"{table_en}.",
                sections=(text.section, table.section),
                row_index=row_index,
                text_value=text.value,
                table_value=table_side.value,
            )
        )
    return notes


def _ingest_count_notes(report: ParsedReport, tables: list[ParsedTable]) -> list[Note]:
    """Contradictions between a count the text gives and the rows of these tables."""
    keys = {t.key: t for t in tables}
    notes = []
    for contradiction in report.contradictions:
        if contradiction.rule != "count-rows":
            continue
        listed = [s for s in contradiction.sides if s.table in keys]
        texts = _text_sides(contradiction)
        if not listed or not texts:
            continue
        text = texts[0]
        counts = [keys[s.table].rows for s in listed if s.table]
        rows = sum(len(r) for r in counts)
        where = ", ".join(dict.fromkeys(f"§{s.section}" for s in listed))
        said_es = f"{text.value} {contradiction.subject}"
        said_en = format_figure(_number(text.value), fold(contradiction.subject.split()[0]),
                                None, "en") if len(listed) > 1 else text.value
        if len(listed) > 1:
            parts = " + ".join(s.value for s in listed)
            text_es = (f"El texto (§{text.section}) dice {said_es}; las tablas de {where} "
                       f"listan {rows} ({parts}).")
            text_en = (f"The text (§{text.section}) says {said_en}; the tables of {where} "
                       f"list {rows} ({parts}).")
        else:
            name = table_title(keys[listed[0].table or ""], report)
            text_es = (f"El texto (§{text.section}) dice {said_es}; la tabla «{name}» "
                       f"lista {rows}.")
            text_en = (f"The text (§{text.section}) says {said_en} «{contradiction.subject}»; "
                       f"the table «{name}» lists {rows}.")
        notes.append(
            Note(
                text_es=text_es,
                text_en=text_en,
                sections=(text.section, *dict.fromkeys(s.section for s in listed)),
                text_value=text.value,
                table_value=str(rows),
            )
        )
    return notes


def _number(text: str) -> float:
    match = re.search(r"\d+(?:,\d+)?", text)
    return float(match.group(0).replace(",", ".")) if match else 0.0
