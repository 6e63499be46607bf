"""Find a report's tables by what their headers say, and read their cells for commands and charts.

Commands (/indicadores, /eventos, /presupuesto, /proyectos, /csv) and charts work from the parsed
report itself, located by header words ("INDICADOR" + "META", "EVENTO" + "FECHA", "PPTO"), never
by keys or figures written here, so another year's report with the same kind of tables works too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.engine.slots import MONTH_NAMES_EN, MONTH_NAMES_ES
from knowledge.model import ParsedCell, ParsedReport, ParsedRow, ParsedTable
from knowledge.text import fold as _fold
from knowledge.text import shorten

MONTHS_ES = tuple(MONTH_NAMES_ES)
MONTHS_EN = tuple(MONTH_NAMES_EN)
_MONTH_PATTERN = re.compile(
    r"\b(ene|feb|mar|abr|may|jun|jul|ago|sep|set|oct|nov|dic)[a-z]*\.?(?![a-z])"
)
_MONTH_PREFIX = {m[:3]: i for i, m in enumerate(MONTHS_ES, start=1)} | {"set": 9}
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")
_HTML_TAG = re.compile(r"<[^>]+>")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|>~])")


def fold(text: str) -> str:
    """Lowercase, accents removed, whitespace collapsed, punctuation kept: for matching table
    cells and arguments ("22/04/2020", "3.2"), never for display. The one fold of
    `knowledge.text`, keeping punctuation."""
    return _fold(text, punctuation=True)


def clean_cell(raw: str) -> str:
    """A cell as a reader sees it: markdown escapes and stray HTML list markup removed."""
    text = _HTML_TAG.sub(" ", raw)
    text = _MD_ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def cell_text(row: ParsedRow, index: int | None) -> str:
    if index is None or index >= len(row.cells):
        return ""
    return clean_cell(row.cells[index].raw)


def cell_at(row: ParsedRow, index: int | None) -> ParsedCell | None:
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


# ----------------------------------------------------------------------------- finding tables


def header_has(table: ParsedTable, *words: str) -> bool:
    header = fold(" | ".join(table.header))
    return all(fold(w) in header for w in words)


def column_index(table: ParsedTable, *words: str, start: int = 0) -> int | None:
    """First column (from `start`) whose header contains every word."""
    for index, name in enumerate(table.header):
        if index >= start and all(fold(w) in fold(name) for w in words):
            return index
    return None


def grid_tables(report: ParsedReport) -> list[ParsedTable]:
    return [t for t in report.tables if t.kind == "grid" and t.rows]


def indicator_tables(report: ParsedReport) -> list[ParsedTable]:
    return [t for t in grid_tables(report) if header_has(t, "indicador", "meta")]


def event_tables(report: ParsedReport) -> list[ParsedTable]:
    return [t for t in grid_tables(report) if header_has(t, "evento", "fecha")]


def budget_tables(report: ParsedReport) -> list[ParsedTable]:
    return [t for t in grid_tables(report) if header_has(t, "ppto")]


def project_tables(report: ParsedReport) -> list[ParsedTable]:
    return [
        t
        for t in grid_tables(report)
        if t.header and "proyecto" in fold(t.header[0]) and "nombre" in fold(t.header[0])
    ]


# ----------------------------------------------------------------------------- labels


def section_title(report: ParsedReport, number: str) -> str:
    """The section's title as the table of contents writes it ("Indicadores de inversión").

    Body headings are often in capitals; the contents list has the same title in sentence case,
    which reads better in a chat. Falls back to the body title in sentence case.
    """
    section = report.section(number)
    if section is None:
        return ""
    target = fold(section.title)
    pattern = re.compile(rf"^\W*{re.escape(number)}\.?\s+(.+?)\s*$")
    for line in report.lines[: max(1, section.line_start - 1)]:
        match = pattern.match(line)
        if match and fold(match.group(1)) == target:
            return match.group(1)
    return sentence_case(section.title, report)


_WORD = re.compile(r"[^\W\d_]+")


def _casing(report: ParsedReport) -> dict[str, str]:
    """How the report writes each word inside mixed-case sentences: "medellín" -> "Medellín"."""
    cached = _CASINGS.get(report.source_sha256)
    if cached is not None:
        return cached
    counts: dict[str, Counter[str]] = {}
    for line in report.lines:
        if line.isupper():
            continue
        words = _WORD.findall(line)
        for word in words[1:]:  # the first word of a line is capitalised by position
            counts.setdefault(word.lower(), Counter())[word] += 1
    casing = {lower: forms.most_common(1)[0][0] for lower, forms in counts.items()}
    _CASINGS[report.source_sha256] = casing
    return casing


_CASINGS: dict[str, dict[str, str]] = {}


def sentence_case(title: str, report: ParsedReport | None = None) -> str:
    """An all-capitals heading in sentence case, keeping the report's proper nouns and acronyms."""
    if not title.isupper():
        return title
    casing = _casing(report) if report is not None else {}
    words = _WORD.split(title)
    tokens = _WORD.findall(title)
    out = [words[0]]
    for index, token in enumerate(tokens):
        lower = token.lower()
        form = casing.get(lower, lower)
        if form == lower and index == 0:
            form = lower[:1].upper() + lower[1:]
        out.append(form)
        out.append(words[index + 1])
    text = "".join(out)
    return text[:1].upper() + text[1:]


_TITLE_SMALL_WORDS = frozenset({"de", "del", "la", "las", "el", "los", "y", "e", "en", "a", "of"})


def report_title(report: ParsedReport) -> str:
    """The report's title in title case, words as the report writes them ("ACI", "Medellín"):
    an all-capitals cover line "INFORME DE GESTIÓN ACI MEDELLÍN 2020" reads "Informe de
    Gestión ACI Medellín 2020"."""
    title = " ".join(report.title.split())
    if not title.isupper():
        return title
    casing = _casing(report)
    out = []
    for index, token in enumerate(re.split(r"(\s+)", title)):
        lower = token.lower()
        if not token.strip() or not any(c.isalpha() for c in token):
            out.append(token)
            continue
        form = casing.get(lower, lower)
        if form.isupper() and len(form) > 1:
            out.append(form)  # an acronym the report writes in capitals inside sentences
        elif lower in _TITLE_SMALL_WORDS and index > 0:
            out.append(lower)
        else:
            out.append(form[:1].upper() + form[1:])
    return "".join(out)


def section_label(report: ParsedReport, number: str) -> str:
    title = section_title(report, number)
    return f"§{number} {title}".strip()


def table_title(table: ParsedTable, report: ParsedReport | None = None) -> str:
    return sentence_case(clean_cell(table.title), report)


def table_label(report: ParsedReport, table: ParsedTable) -> str:
    """Human-readable name of a table for buttons: "Eventos propios (§5.2)"."""
    return f"{shorten(table_title(table, report), 48)} (§{table.section})"


def row_quote(table: ParsedTable, row: ParsedRow) -> str:
    """A table row as a quotable source: "Col: value · Col: value"."""
    parts = []
    for name, cell in zip(table.header, row.cells, strict=False):
        text = clean_cell(cell.raw)
        if text:
            parts.append(f"{clean_cell(name)}: {text}" if name.strip() else text)
    return " · ".join(parts)


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class IndicatorPoint:
    label: str
    unit: str
    target: float
    result: float
    target_raw: str
    result_raw: str
    line: int
    same_unit: bool = True  # target and result read in the same unit ("10" vs "90%" is not)
    result_unit: str | None = None


@dataclass(frozen=True)
class BudgetLine:
    label: str
    planned: float  # final budget ("PPTO DEFINITIVO")
    executed: float  # the column after it: collected (income) or executed (expenses)
    share: str  # the report's own percentage cell
    line: int


def indicator_columns(table: ParsedTable) -> tuple[int | None, int | None, int | None]:
    """(unit, target, result) column indexes of an indicator table."""
    unit_col = column_index(table, "unidad")
    target_col = column_index(table, "meta")
    start = (target_col or 0) + 1
    result_col = column_index(table, "avance", start=start)
    if result_col is None:
        result_col = column_index(table, "resultado", start=start)
    return unit_col, target_col, result_col


def indicator_points(table: ParsedTable) -> list[IndicatorPoint]:
    unit_col, target_col, result_col = indicator_columns(table)
    points = []
    for row in table.rows:
        target, result = cell_at(row, target_col), cell_at(row, result_col)
        if target is None or result is None or target.value is None or result.value is None:
            continue
        points.append(
            IndicatorPoint(
                label=cell_text(row, 0),
                unit=cell_text(row, unit_col),
                target=target.value,
                result=result.value,
                target_raw=clean_cell(target.raw),
                result_raw=clean_cell(result.raw),
                line=row.line,
                same_unit=(target.unit or None) == (result.unit or None),
                result_unit=result.unit,
            )
        )
    return points


def expense_table(report: ParsedReport) -> ParsedTable | None:
    """The expense execution table: the budget table whose first row is about expenses."""
    tables = budget_tables(report)
    for table in tables:
        if "gasto" in fold(table.title) or "gasto" in fold(cell_text(table.rows[0], 0)):
            return table
    return tables[-1] if tables else None


def budget_lines(table: ParsedTable) -> list[BudgetLine]:
    planned_col = column_index(table, "definitivo")
    if planned_col is None:
        return []
    executed_col = planned_col + 1
    share_col = column_index(table, "%")
    lines = []
    for row in table.rows:
        planned, executed = cell_at(row, planned_col), cell_at(row, executed_col)
        if planned is None or executed is None or planned.value is None or executed.value is None:
            continue
        lines.append(
            BudgetLine(
                label=cell_text(row, 0),
                planned=planned.value,
                executed=executed.value,
                share=cell_text(row, share_col),
                line=row.line,
            )
        )
    return lines


def events_per_month(report: ParsedReport) -> dict[str, Counter[int]]:
    """{table title: Counter(month -> events)}; rows without a readable month are left out."""
    result: dict[str, Counter[int]] = {}
    for table in event_tables(report):
        date_col = column_index(table, "fecha")
        counts: Counter[int] = Counter()
        for row in table.rows:
            month = month_of(cell_text(row, date_col))
            if month is not None:
                counts[month] += 1
        if counts:
            result[table_title(table, report)] = counts
    return result


# ----------------------------------------------------------------------------- dates


def month_of(text: str) -> int | None:
    """The first month a date cell names: "28 sept - 2 octubre" -> 9, "22/04/2020" -> 4."""
    folded = fold(text)
    numeric = _NUMERIC_DATE.search(text)
    match = _MONTH_PATTERN.search(folded)
    if numeric and (match is None or numeric.start() < match.start()):
        month = int(numeric.group(2))
        return month if 1 <= month <= 12 else None
    if match:
        return _MONTH_PREFIX.get(match.group(1))
    return None


def month_name(month: int, lang: str = "es") -> str:
    return (MONTHS_EN if lang == "en" else MONTHS_ES)[month - 1]


# ----------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Option:
    """Something a user can pick by typing roughly its name: a table, a month, a chart..."""

    value: str  # what the command receives back from a button
    label: str  # what the button shows
    aliases: tuple[str, ...] = ()  # more texts that should match it


_MATCH_STOPWORDS = frozenset(
    {"de", "del", "la", "las", "los", "el", "en", "por", "para", "con", "sin", "una", "uno"}
    | {"unos", "unas", "que", "the", "and", "for", "of"}
)
_MATCH_WORD = re.compile(r"[^\W_]+")


def match_words(text: str, ignore: Iterable[str] = ()) -> list[str]:
    """The words of a user's argument worth matching: folded, no stopwords, no ignored words."""
    ignored = [fold(w) for w in ignore]
    words = []
    for word in _MATCH_WORD.findall(fold(text)):
        if (len(word) < 3 and not word.isdigit()) or word in _MATCH_STOPWORDS:
            continue
        if any(fuzz.ratio(word, other) >= 85 for other in ignored):
            continue
        words.append(word)
    return words


def match_option(
    query: str, options: Sequence[Option], cutoff: float = 80, ignore: Iterable[str] = ()
) -> Option | None:
    """The option every word of the query names (accents, case and small typos ignored).

    Word by word rather than whole strings: "invitados" must not pick "Indicadores de inversión"
    because both are long words starting with "in", and "oct" may stand for "octubre".
    """
    wanted = fold(query)
    if not wanted or not options:
        return None
    for option in options:
        if wanted in (fold(option.value), fold(option.label)):
            return option
    words = match_words(query, ignore)
    if not words:
        return None
    best: Option | None = None
    best_score = 0.0
    for option in options:
        texts = (option.value, option.label, *option.aliases)
        vocabulary = {w for text in texts for w in _MATCH_WORD.findall(fold(text))}
        if not vocabulary:
            continue
        scores = [
            max(100.0 if len(w) >= 3 and v.startswith(w) else fuzz.ratio(w, v) for v in vocabulary)
            for w in words
        ]
        if min(scores) >= cutoff and sum(scores) / len(scores) > best_score:
            best, best_score = option, sum(scores) / len(scores)
    return best


def unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
