"""Table-level operators over table roles: the rows a command or a question selects, and the
figures computed from them.

A table is found by its role ("events", "indicators", "budget_expenses"...), never by key or
title; rows are filtered by month, by a category cell, by a keyword or by a numeric threshold;
columns are read by their meaning ("date", "attendees", "executed"), so the same operator serves
`/eventos octubre` and «¿qué eventos hubo en octubre?» and they cannot disagree.

Roles and column meanings come from `knowledge.model` when ingest gives them (`table.role`,
typed columns); until then they are read from the header words by `bot.report_tables`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from bot.engine.slots import extract_months
from bot.report_tables import (
    budget_tables,
    cell_at,
    cell_text,
    column_index,
    event_tables,
    fold,
    grid_tables,
    indicator_columns,
    indicator_tables,
    project_tables,
)
from knowledge.model import ParsedReport, ParsedRow, ParsedTable
from knowledge.text import fold as plain_fold

Role = Literal[
    "indicators",
    "events",
    "budget_income",
    "budget_expenses",
    "projects",
    "cooperation_projects",
    "counts",
    "other",
]
ROLES: tuple[Role, ...] = get_args(Role)
Meaning = Literal[
    "name", "date", "attendees", "planned", "executed", "share", "target", "result", "unit", "count"
]
Comparison = Literal["gt", "lt", "ge", "le"]

_SPAN = re.compile(r"(\d{1,2})\s*(?:de\s+)?([^\W\d_]+)\.?\s*-\s*\d{1,2}\s*(?:de\s+)?([^\W\d_]+)")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}/(\d{1,2})/\d{2,4}\b")
# General header words that name a row, for a table whose label column ingest did not find.
_NAME_WORDS = ("nombre", "indicador", "proceso", "modalidad", "tipo", "detalle", "titulo")
CATEGORY_MAX_CHARS = 40  # a category cell is short text ("Desarrollo Social", "Petición")


# ----------------------------------------------------------------------------- roles


def table_role(report: ParsedReport, table: ParsedTable) -> Role:
    """The role ingest gave the table (a register is told apart by its header: the city's
    projects, or cooperation projects with their partner), else the one its header words say."""
    given = getattr(table, "role", "other") or "other"
    header = fold(" ".join(table.header))
    if given == "register" or given == "other":
        if table in project_tables(report):
            return "projects"
        if "cooperante" in header or "aliado" in header:
            return "cooperation_projects"
    if given == "breakdown":
        return "counts"
    if given in ROLES and given != "other":
        return given  # type: ignore[return-value]
    if given != "other":
        return "other"
    if table in indicator_tables(report):
        return "indicators"
    if table in event_tables(report):
        return "events"
    if table in budget_tables(report):
        expense = "gasto" in fold(table.title) or "gasto" in fold(cell_text(table.rows[0], 0))
        return "budget_expenses" if expense else "budget_income"
    if any(w in header for w in ("cantidad", "nro", "numero")):
        return "counts"
    return "other"


def tables_of(report: ParsedReport, *roles: Role) -> list[ParsedTable]:
    """The report's grid tables with one of these roles, in report order."""
    return [t for t in grid_tables(report) if table_role(report, t) in roles]


# ----------------------------------------------------------------------------- columns


# Our meanings -> the column meanings ingest gives (knowledge.model.Meaning), preferred first.
_INGEST_MEANINGS: dict[str, tuple[str, ...]] = {
    "name": ("label",),
    "date": ("date",),
    "planned": ("final_budget",),
    "executed": ("executed", "collected"),
    "share": ("share",),
    "target": ("target",),
    "result": ("result",),
    "unit": ("unit",),
    "count": ("count",),
}


def column(table: ParsedTable, meaning: Meaning) -> int | None:
    """The column that holds `meaning` in this table: as ingest typed it, else by header words."""
    for ingest_meaning in _INGEST_MEANINGS.get(meaning, ()):
        typed = next(
            (c for c in getattr(table, "columns", []) if c.meaning == ingest_meaning), None
        )
        if typed is not None:
            return typed.index
    if meaning == "attendees":
        return column_index(table, "asistentes")
    return _column_by_words(table, meaning)


def _column_by_words(table: ParsedTable, meaning: Meaning) -> int | None:
    if meaning == "name":
        for index, name in enumerate(table.header):
            if any(w in fold(name) for w in _NAME_WORDS):
                return index
        return 0 if table.header else None
    if meaning == "date":
        return column_index(table, "fecha")
    if meaning == "planned":
        return column_index(table, "definitivo")
    if meaning == "executed":
        planned = column_index(table, "definitivo")
        return planned + 1 if planned is not None and planned + 1 < len(table.header) else None
    if meaning == "share":
        return column_index(table, "%")
    if meaning in ("target", "result", "unit"):
        unit_col, target_col, result_col = indicator_columns(table)
        return {"target": target_col, "result": result_col, "unit": unit_col}[meaning]
    if meaning == "count":
        for words in (("asistentes",), ("cantidad",), ("nro",), ("numero",)):
            found = column_index(table, *words)
            if found is not None:
                return found
    return None


def numeric_columns(table: ParsedTable) -> list[int]:
    """Columns where most rows hold a number."""
    out = []
    for index in range(len(table.header)):
        values = [c.value for row in table.rows if (c := cell_at(row, index)) is not None]
        if values and sum(v is not None for v in values) * 2 >= len(values):
            out.append(index)
    return out


def category_columns(table: ParsedTable) -> list[int]:
    """Columns of short repeated text (a type, a thematic line): what a filter can name."""
    name_col, date_col = column(table, "name"), column(table, "date")
    typed = [c.index for c in getattr(table, "columns", []) if c.type == "category"]
    if typed:
        return [i for i in typed if i not in (name_col, date_col)]
    out = []
    for index in range(len(table.header)):
        if index in (name_col, date_col) or index in numeric_columns(table):
            continue
        values = [cell_text(row, index) for row in table.rows]
        short = [v for v in values if v and len(v) <= CATEGORY_MAX_CHARS]
        if short and len(short) * 2 >= len(values) and len(set(map(fold, short))) < len(short):
            out.append(index)
    return out


# ----------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Row:
    """One row of one table, with the readings every operator needs."""

    table: ParsedTable
    row: ParsedRow

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def name(self) -> str:
        return cell_text(self.row, column(self.table, "name"))

    def text(self, meaning: Meaning) -> str:
        return cell_text(self.row, column(self.table, meaning))

    def value(self, index: int | None) -> float | None:
        cell = cell_at(self.row, index)
        return cell.value if cell is not None else None

    @property
    def months(self) -> set[int]:
        return date_months(self.text("date"))


def date_months(raw: str) -> set[int]:
    """Every month a date cell covers: named months, numeric dates, and spans ("28 sept - 2
    octubre" is September and October)."""
    folded = plain_fold(raw)
    months = set(extract_months(folded))
    months.update(int(m) for m in _NUMERIC_DATE.findall(raw) if 1 <= int(m) <= 12)
    span = _SPAN.search(raw.lower())
    if span:
        first = extract_months(plain_fold(span.group(2)))
        last = extract_months(plain_fold(span.group(3)))
        if first and last and first[0] <= last[0]:
            months.update(range(first[0], last[0] + 1))
    return months


def rows_of(tables: Iterable[ParsedTable]) -> list[Row]:
    return [Row(table, row) for table in tables for row in table.rows]


def by_month(rows: Sequence[Row], month: int) -> list[Row]:
    return [r for r in rows if month in r.months]


def by_category(rows: Sequence[Row], value: str) -> list[Row]:
    """Rows whose category cell (a type, a thematic line) is `value`, accents and case ignored."""
    wanted = fold(value)
    out = []
    for r in rows:
        cells = [cell_text(r.row, i) for i in category_columns(r.table)]
        if any(fold(c) == wanted for c in cells):
            out.append(r)
    return out


def by_keyword(rows: Sequence[Row], words: Sequence[str]) -> list[Row]:
    """Rows whose text says every word (by word prefix, accents and case ignored)."""
    wanted = [plain_fold(w) for w in words if plain_fold(w)]
    if not wanted:
        return list(rows)
    out = []
    for r in rows:
        cells = " ".join(cell_text(r.row, i) for i in range(len(r.row.cells)))
        text_words = plain_fold(cells).split()
        if all(any(t.startswith(w) for t in text_words) for w in wanted):
            out.append(r)
    return out


def by_threshold(rows: Sequence[Row], meaning: Meaning, op: Comparison, value: float) -> list[Row]:
    out = []
    for r in rows:
        cell_value = r.value(column(r.table, meaning))
        if cell_value is None:
            continue
        if (
            (op == "gt" and cell_value > value)
            or (op == "lt" and cell_value < value)
            or (op == "ge" and cell_value >= value)
            or (op == "le" and cell_value <= value)
        ):
            out.append(r)
    return out


def categories(rows: Sequence[Row]) -> list[str]:
    """The distinct category values of these rows, in order of appearance."""
    seen: dict[str, str] = {}
    for r in rows:
        for index in category_columns(r.table):
            text = cell_text(r.row, index)
            if text and len(text) <= CATEGORY_MAX_CHARS:
                seen.setdefault(fold(text), text)
    return list(seen.values())


def is_total_row(r: Row) -> bool:
    return fold(r.name).startswith("total")


# ----------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Total:
    value: float
    count: int  # rows summed
    raws: tuple[str, ...]  # the cells summed, as written


def total(rows: Sequence[Row], meaning: Meaning) -> Total | None:
    """Sum of a column by its meaning over rows that are not themselves total rows."""
    raws, values = [], []
    for r in rows:
        if is_total_row(r):
            continue
        index = column(r.table, meaning)
        cell = cell_at(r.row, index)
        if cell is not None and cell.value is not None:
            values.append(cell.value)
            raws.append(cell_text(r.row, index))
    if not values:
        return None
    return Total(sum(values), len(values), tuple(raws))


def extreme(rows: Sequence[Row], meaning: Meaning, which: Literal["max", "min"]) -> list[Row]:
    """The row(s) with the largest or smallest value in the column of that meaning (ties kept)."""
    valued = [(v, r) for r in rows if (v := r.value(column(r.table, meaning))) is not None]
    if not valued:
        return []
    pick = max if which == "max" else min
    best = pick(v for v, _ in valued)
    return [r for v, r in valued if v == best]
