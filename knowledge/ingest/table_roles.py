"""Table roles and column types, by rules over the header row, the heading and the cells.

A column's meaning comes from its header's words (data/table_roles.yaml: "META" -> target,
"PPTO DEFINITIVO" -> final_budget, "RECAUDOS" -> collected); its type from its cells (dates,
money, percentages, counts, repeated categories, names, text). The table's role follows from
its columns: a target and a result column make an indicator table; a budget column and an
executed or collected one make a budget table, of income or of expenses as the caption, the
heading and the row labels say; a date column beside a name column makes a table of events;
a name column with figures beside it is a breakdown; named rows described in words a register.
In a budget table the executed/collected column takes the table's word: the expenses table's
"RECAUDOS" holds executed amounts, so its meaning is "executed" while `header` stays as written
(and `header_meaning` keeps what the header alone says).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from knowledge.model import ColumnType, Meaning, ParsedColumn, ParsedRow, ParsedTable, TableRole
from knowledge.numbers import DATA_DIR, date_spans, parse_number, unit_from_words
from knowledge.text import fold

_CUTOFF_RE = re.compile(
    r"\b(?:al\s+cierre\s+del|con\s+corte\s+al|corte\s+al|hasta\s+el|al|a)\s+(\d{1,2})\s+de\s+"
    r"(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    r"noviembre|diciembre)(?:\s+de\s+(\d{4}))?", re.IGNORECASE)
_YEAR_RE = re.compile(r"\b((?:19|20)\d{2})\b")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@dataclass(frozen=True)
class _Rules:
    columns: list[tuple[str, str]]  # (folded cue, meaning), longest cue first
    income: list[str]
    expenses: list[str]
    total_rows: list[str]
    money: frozenset[str]
    generic_count: frozenset[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = yaml.safe_load((DATA_DIR / "table_roles.yaml").read_text(encoding="utf-8"))
    cues = [(fold(c) or c, m) for m, cs in data["columns"].items() for c in cs]
    cues.sort(key=lambda t: len(t[0]), reverse=True)
    return _Rules(columns=cues, income=[fold(c) for c in data["income"]],
                  expenses=[fold(c) for c in data["expenses"]],
                  total_rows=[fold(c) for c in data["total_rows"]],
                  money=frozenset(data["money"]),
                  generic_count=frozenset(fold(w) for w in data["generic_count"]))


def _has(text: str, cue: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(cue)}(?![\w])" if cue == "%" else
                     rf"(?<!\w){re.escape(cue)}", text) is not None


def header_meaning(header: str) -> Meaning:
    """What a header's words say a column holds ("META 2020" -> target), or "other"."""
    folded = fold(header)
    for cue, meaning in _rules().columns:
        if _has(folded, cue):
            return meaning  # type: ignore[return-value]
    return "other"


def _is_date(text: str) -> bool:
    if _NUMERIC_DATE.search(text):
        return True
    spans = date_spans(text)
    return bool(spans) and sum(e - s for s, e in spans) >= 0.3 * len(text.strip())


def _column_type(table: ParsedTable, k: int, meaning: Meaning) -> ColumnType:
    cells = [r.cells[k] for r in table.rows if k < len(r.cells) and r.cells[k].raw.strip()]
    if not cells:
        return "text"
    n = len(cells)
    if sum(_is_date(c.raw) for c in cells) >= 0.6 * n:
        return "date"
    figures = [c for c in cells if c.value is not None]
    if len(figures) >= 0.6 * n:
        units = [c.unit for c in figures]
        if units.count("%") >= 0.6 * len(figures):
            return "percent"
        money = sum(u in ("COP", "USD") for u in units)
        if money >= 0.5 * len(figures) or meaning in _rules().money:
            return "money"
        return "count"
    texts = [fold(c.raw) for c in cells]
    average = sum(len(t) for t in texts) / n
    if average < 60 and (meaning == "category" or (n >= 3 and len(set(texts)) <= 0.6 * n)):
        return "category"
    return "text"


def _label_column(table: ParsedTable, columns: list[ParsedColumn]) -> int | None:
    """The column that names each row: a header that says so, else the first column past the
    category columns when it holds short, mostly distinct texts on most rows."""
    named = [c for c in columns if c.meaning == "label" and c.type in ("text", "category")]
    if named:
        return named[0].index
    for c in columns:
        if c.type == "category":
            continue
        if c.type != "text":
            break
        values = [fold(r.cells[c.index].raw) for r in table.rows if c.index < len(r.cells)]
        filled = [v for v in values if v]
        if (filled and len(filled) >= 0.8 * len(values) and len(set(filled)) >= 0.8 * len(filled)
                and sum(map(len, filled)) / len(filled) <= 90):
            return c.index
        break
    for c in columns:  # a breakdown by category: each row is one category
        if c.type != "category":
            continue
        values = [fold(r.cells[c.index].raw) for r in table.rows if c.index < len(r.cells)]
        filled = [v for v in values if v]
        if filled and len(filled) >= 0.8 * len(values) and len(set(filled)) == len(filled):
            return c.index
    return None


def _words_hit(text: str, cues: list[str]) -> int:
    folded = fold(text)
    return sum(len(re.findall(rf"(?<!\w){re.escape(c)}\b", folded)) for c in cues)


def _budget_kind(table: ParsedTable, context: str) -> TableRole:
    rules = _rules()
    labels = " ".join(table.row_label(r) for r in table.rows[:3])
    text = f"{context} {labels}"
    income, expenses = _words_hit(text, rules.income), _words_hit(text, rules.expenses)
    return "budget_expenses" if expenses > income else "budget_income"


_TOTAL_COLUMN_ORDER = ("final_budget", "budgeted", "executed", "collected", "amount", "count")


def _mark_totals(table: ParsedTable, columns: list[ParsedColumn]) -> None:
    """Total rows: a label that opens with a total word, or (in budgets and breakdowns) a row
    the rows under it add up to; those rows get it as `parent`."""
    rules = _rules()
    for row in table.rows:
        label = fold(table.row_label(row))
        if any(re.match(rf"{re.escape(c)}\b", label) for c in rules.total_rows):
            row.total = True
    if table.role not in ("budget_income", "budget_expenses", "breakdown"):
        return
    figure_cols = [c for c in columns if c.type in ("money", "count")]
    if not figure_cols:
        return
    k = min(figure_cols, key=lambda c: _TOTAL_COLUMN_ORDER.index(c.meaning)
            if c.meaning in _TOTAL_COLUMN_ORDER else len(_TOTAL_COLUMN_ORDER)).index
    values = [r.cells[k].value if k < len(r.cells) else None for r in table.rows]

    def same_row(a: int, b: int) -> bool:
        return [c.value for c in table.rows[a].cells[1:]] == \
            [c.value for c in table.rows[b].cells[1:]]

    def subtree(i: int) -> int:
        """End (exclusive) of row i and the rows that add up to it."""
        total, pos, children = values[i], i + 1, []
        if total is None or table.rows[i].total:
            return i + 1
        acc = 0.0
        while pos < len(values) and values[pos] is not None and acc < total - 0.5:
            children.append(pos)
            acc += values[pos]
            pos = subtree(pos)
        if children and abs(acc - total) < 0.5 and total > 0 and (
                len(children) > 1 or same_row(i, children[0])):
            for c in children:
                table.rows[c].parent = i
            table.rows[i].total = True
            return pos
        return i + 1

    i = 0
    while i < len(values):
        i = subtree(i)


def _fill_column_units(table: ParsedTable, columns: list[ParsedColumn],
                       context: list[str]) -> None:
    """Figures a cell writes bare take the unit its column, or the table, names."""
    local = parse_number("$1")
    local_currency = local.unit if local else None
    context_unit = next((u for u, _ in map(unit_from_words, context) if u), None)
    for c in columns:
        cells = [r.cells[c.index] for r in table.rows if c.index < len(r.cells)]
        figures = [x for x in cells if x.value is not None]
        if not figures:
            continue
        written = [x.unit for x in figures if x.unit]
        header_unit, header_scale = unit_from_words(c.header)
        if c.type == "money":
            unit = max(set(written), key=written.count) if written else local_currency
        elif c.type == "percent":
            unit = "%"
        else:
            words = re.findall(r"[^\W\d_]+", fold(c.header))
            if header_unit is None and c.type == "count" and len(words) == 1 \
                    and words[0] not in _rules().generic_count:
                header_unit = words[0]  # "PARTICIPANTES": the header names what is counted
            generic = c.type == "count" and all(w in _rules().generic_count for w in words)
            unit = header_unit or (context_unit if generic else None) or (
                written[0] if written and len(set(written)) == 1 else None)
        c.unit = unit if all(w == unit for w in written) else None
        c.scale = header_scale
        for x in figures:
            if x.unit is None and unit is not None:
                x.unit = unit
                x.scale = x.scale or header_scale


def classify(table: ParsedTable, context: list[str]) -> None:
    """Set `columns`, `label_column`, `role` and row totals of a table (in place).

    `context`: the texts above the table that say what it is, nearest meaning first (its
    heading, its caption, the sentence that announces it).
    """
    columns = []
    for k, header in enumerate(table.header):
        meaning = header_meaning(header)
        columns.append(ParsedColumn(
            index=k, header=header, meaning=meaning, header_meaning=meaning,
            period=(m.group(1) if (m := _YEAR_RE.search(header)) else None),
            cutoff=_cutoff(header)))
    for c in columns:
        c.type = _column_type(table, c.index, c.meaning)
        if c.type == "date" and c.meaning == "other":
            c.meaning = c.header_meaning = "date"
    table.columns = columns
    table.label_column = _label_column(table, columns)
    if table.label_column is not None:
        label = columns[table.label_column]
        label.type = "name"
        label.meaning = "label"  # header_meaning keeps what the header says ("category")
    for c in columns:
        if c.type in ("count", "money", "percent") and c.meaning in ("other", "label"):
            c.meaning = {"count": "count", "money": "amount", "percent": "share"}[c.type]
    _fill_column_units(table, columns, context)
    table.role = _role(table, columns, " ".join(context))
    if table.role in ("budget_income", "budget_expenses"):
        word: Meaning = "collected" if table.role == "budget_income" else "executed"
        for c in columns:
            if c.meaning in ("executed", "collected"):
                c.meaning = word
    _mark_totals(table, columns)


def _cutoff(header: str) -> str | None:
    m = _CUTOFF_RE.search(header)
    if not m:
        return None
    year = f" de {m.group(3)}" if m.group(3) else ""
    return f"{int(m.group(1))} de {m.group(2).lower()}{year}"


def _role(table: ParsedTable, columns: list[ParsedColumn], context: str) -> TableRole:
    meanings = {c.meaning for c in columns}
    types = [c.type for c in columns]
    figures = [c for c in columns if c.type in ("count", "money", "percent")]
    if table.kind == "keyvalue":
        return "register"
    if "target" in meanings and "result" in meanings:
        return "indicators"
    if meanings & {"budgeted", "final_budget"} and meanings & {"executed", "collected"}:
        return _budget_kind(table, context)
    has_name = table.label_column is not None
    if "date" in types and has_name:
        return "events"
    if has_name and figures:
        return "breakdown"
    if has_name and sum(t in ("text", "category", "name") for t in types) >= 2 \
            and len(table.rows) >= 2:
        return "register"
    if not figures and "text" in types and len(table.rows) >= 3 and any(
            c.type == "category" and _filled(table, c.index) >= 0.8 for c in columns):
        return "register"  # described rows grouped by category (line, office, partner)
    return "other"


def _filled(table: ParsedTable, k: int) -> float:
    values = [r.cells[k].raw.strip() for r in table.rows if k < len(r.cells)]
    return sum(bool(v) for v in values) / len(values) if values else 0.0


def row_quote(table: ParsedTable, row: ParsedRow) -> str:
    """A row as a quotable source: "Header: value · Header: value"."""
    parts = []
    for name, cell in zip(table.header, row.cells, strict=False):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell.raw)).strip()
        if text:
            parts.append(f"{name}: {text}" if name.strip() else text)
    return " · ".join(parts)


def money_meanings() -> frozenset[str]:
    """The column meanings that hold money (data/table_roles.yaml `money`)."""
    return _rules().money
