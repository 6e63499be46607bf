"""Report tables as CSV files that open correctly in a Spanish-locale spreadsheet.

UTF-8 with a byte-order mark (so Excel detects the encoding), `;` as separator (the comma is the
decimal mark in es-CO), a header row, cells as the report writes them ("381,3", "$964.165.992",
"100+"), then a blank row and the source line ("Fuente: Informe de Gestión ACI Medellín 2020, §5.2,
corte 15 de diciembre de 2020").

What a user can ask for: any one table; every table of a role at once (all event tables, budget
income and expenses, all indicator tables) with a first column saying which table each row comes
from; and either narrowed to a month ("/csv eventos octubre": rows whose date names October).
Columns of tables exported together line up by header ("FECHA" joins "FECHA DE REALIZACIÓN").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from bot.attribution import source_line, table_cutoff
from bot.chart_data import ROLE_EVENTS, ROLE_EXPENSES, ROLE_INCOME, ROLE_INDICATORS, table_role
from bot.engine.answer import Source
from bot.engine.slots import MONTH_NAMES_EN, MONTH_NAMES_ES, extract_months
from bot.report_tables import (
    Option,
    clean_cell,
    column_index,
    fold,
    grid_tables,
    match_option,
    match_words,
    section_title,
    table_label,
    table_title,
)
from knowledge.model import ParsedReport, ParsedRow, ParsedTable

BOM = "\ufeff"
DELIMITER = ";"

# Groups of tables a user can export at once: option value -> roles it gathers.
GROUPS: dict[str, tuple[str, ...]] = {
    "eventos": (ROLE_EVENTS,),
    "presupuesto": (ROLE_INCOME, ROLE_EXPENSES),
    "indicadores": (ROLE_INDICATORS,),
}
_GROUP_TEXT = {
    "es": {
        "eventos": ("Todos los eventos ({count} tablas, columna Tipo)", ("todos los eventos",)),
        "presupuesto": ("Presupuesto: ingresos y gastos", ("presupuestal", "ejecución")),
        "indicadores": ("Todos los indicadores ({count} tablas)", ("metas", "indicador")),
        "type": "Tipo",
    },
    "en": {
        "eventos": ("All events ({count} tables, Type column)", ("events", "all events")),
        "presupuesto": ("Budget: income and expenses", ("budget",)),
        "indicadores": ("All indicators ({count} tables)", ("indicators", "targets")),
        "type": "Type",
    },
}
_GROUP_ALIASES = {  # words of both languages, so "/csv events" works in a Spanish chat
    "eventos": ("events", "all events", "todos los eventos"),
    "presupuesto": ("budget", "presupuestal"),
    "indicadores": ("indicators", "indicador", "metas", "targets"),
}


@dataclass
class CsvExport:
    data: bytes  # the file: BOM, header row, rows, blank row, source line
    filename: str
    title: str  # what it holds, for the reply: "Eventos propios (§5.2)"
    tables: list[ParsedTable]
    header: list[str]
    rows: list[list[str]]  # the data rows as written to the file
    source_line: str
    month: int | None = None
    sources: list[Source] = field(default_factory=list)


# ----------------------------------------------------------------------------- one table


def table_csv(table: ParsedTable, report: ParsedReport | None = None) -> bytes:
    """One table as the report writes it; the source line when the report is given."""
    header = [clean_cell(name) for name in table.header]
    rows = [_cells(table, row) for row in table.rows]
    source = _source(report, [table]) if report is not None else ""
    return _write(header, rows, source)


def csv_filename(table: ParsedTable) -> str:
    return f"{_slug(table.key)}.csv"


def table_options(report: ParsedReport) -> list[Option]:
    """Every single table a user can export, for /csv buttons and argument matching."""
    return [
        Option(
            table.key, table_label(report, table), (table.title, f"{table.section} {table.title}")
        )
        for table in grid_tables(report)
    ]


def find_table(report: ParsedReport, key: str) -> ParsedTable | None:
    return next((t for t in report.tables if t.key == key), None)


# ----------------------------------------------------------------------------- what users ask


def export_options(report: ParsedReport, lang: str = "es") -> list[Option]:
    """Single tables first, then the groups this report has (all events, budget, indicators).

    Singles come first so that a word naming one table ("gastos", "propios") picks that table;
    a group is picked by its own name ("eventos", "presupuesto") or words no single table has.
    """
    texts = _GROUP_TEXT["en" if lang == "en" else "es"]
    options = table_options(report)
    for value, roles in GROUPS.items():
        tables = _group_tables(report, roles)
        if len(tables) < 2:
            continue
        label, aliases = texts[value]
        options.append(
            Option(value, label.format(count=len(tables)), (*aliases, *_GROUP_ALIASES[value]))
        )
    return options


def export_csv(report: ParsedReport, request: str, lang: str = "es") -> CsvExport | None:
    """The file a /csv argument asks for: a table key or name, a group, and maybe a month
    ("eventos propios", "eventos de octubre", "presupuesto", "8-presupuesto-gastos"); None when
    it names nothing this report has."""
    request = " ".join(request.split())
    if not request:
        return None
    direct = _export_value(report, request, None, lang)
    if direct is not None:
        return direct
    months = extract_months(fold(request))
    month = months[0] if len(months) == 1 else None
    rest = _without_month_words(request) if month else request
    options = export_options(report, lang)
    option = _pick(report, rest, options)
    if option is None and month is not None and not match_words(rest, _FILLER):
        option = next((o for o in options if o.value == "eventos"), None)
    if option is None:
        return None
    return _export_value(report, option.value, month, lang)


_FILLER = ("csv", "tabla", "table", "archivo", "file")


def _pick(report: ParsedReport, request: str, options: list[Option]) -> Option | None:
    """The option a request names; when its words fit several single tables that one group
    holds ("eventos" fits all three event tables), the group."""
    singles = [o for o in options if o.value not in GROUPS]
    fitting = {o.value for o in singles if match_option(request, [o], ignore=_FILLER)}
    if len(fitting) > 1:
        for value, roles in GROUPS.items():
            keys = {t.key for t in _group_tables(report, roles)}
            if fitting <= keys and any(o.value == value for o in options):
                return next(o for o in options if o.value == value)
    return match_option(request, options, ignore=_FILLER)


def export_tables(
    report: ParsedReport,
    tables: list[ParsedTable],
    month: int | None = None,
    lang: str = "es",
    *,
    stem: str | None = None,
) -> CsvExport | None:
    """Tables exported together (a type column first when more than one), maybe one month."""
    if not tables:
        return None
    if len(tables) == 1:
        table = tables[0]
        header = [clean_cell(name) for name in table.header]
        rows = [_cells(table, row) for row in table.rows if _in_month(table, row, month)]
        title = f"{_CAPTION_NOTE.sub('', table_title(table, report))} (§{table.section})"
        stem = _slug(table.key)
    else:
        header, rows = _merged(report, tables, month, lang)
        title = _group_title(report, tables)
        stem = _slug(stem or "-".join(_common_prefix([t.key for t in tables]) or ["tablas"]))
    if month is not None:
        names = MONTH_NAMES_EN if lang == "en" else MONTH_NAMES_ES
        title += f", {names[month - 1].lower() if lang != 'en' else names[month - 1]}"
        stem += f"-{fold(MONTH_NAMES_ES[month - 1])}"
    source = _source(report, tables)
    sources = [
        Source(
            section=t.section,
            title=section_title(report, t.section),
            quote=" · ".join(clean_cell(h) for h in t.header),
            line=t.line_start,
        )
        for t in tables
    ]
    return CsvExport(
        data=_write(header, rows, source),
        filename=f"{stem}.csv",
        title=title,
        tables=list(tables),
        header=header,
        rows=rows,
        source_line=source,
        month=month,
        sources=sources,
    )


# ----------------------------------------------------------------------------- plumbing


def _export_value(
    report: ParsedReport, value: str, month: int | None, lang: str
) -> CsvExport | None:
    table = find_table(report, value)
    if table is not None and table.kind == "grid" and table.rows:
        return export_tables(report, [table], month, lang)
    if value in GROUPS:
        tables = _group_tables(report, GROUPS[value])
        return export_tables(report, tables, month, lang, stem=value) if tables else None
    return None


def _group_tables(report: ParsedReport, roles: tuple[str, ...]) -> list[ParsedTable]:
    return [t for t in grid_tables(report) if table_role(t) in roles]


def _cells(table: ParsedTable, row: ParsedRow) -> list[str]:
    cells = [clean_cell(cell.raw) for cell in row.cells]
    return cells + [""] * (len(table.header) - len(cells))


def _write(header: list[str], rows: list[list[str]], source: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    writer.writerow(header)
    writer.writerows(rows)
    if source:
        writer.writerow([])
        writer.writerow([source])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _source(report: ParsedReport | None, tables: list[ParsedTable]) -> str:
    if report is None or not tables:
        return ""
    return source_line(report, {t.section for t in tables}, table_cutoff(report, tables[0]))


_WORDS = re.compile(r"[a-z0-9]+")


def _header_words(name: str) -> set[str]:
    return {w for w in _WORDS.findall(fold(clean_cell(name))) if len(w) > 2}


def _merged(
    report: ParsedReport, tables: list[ParsedTable], month: int | None, lang: str
) -> tuple[list[str], list[list[str]]]:
    """One header for tables exported together: a type column, then each table's columns, a
    column joining another whose header words contain its own or are contained in them."""
    columns: list[str] = []
    words: list[set[str]] = []
    mapping: list[list[int]] = []
    for table in tables:
        positions = []
        for name in table.header:
            mine = _header_words(name)
            same = [i for i, c in enumerate(columns) if fold(c) == fold(clean_cell(name))]
            near = [
                i
                for i, theirs in enumerate(words)
                if mine and theirs and (mine <= theirs or theirs <= mine)
            ]
            found = next((i for i in same + near if i not in positions), None)
            if found is None:
                columns.append(clean_cell(name))
                words.append(mine)
                found = len(columns) - 1
            positions.append(found)
        mapping.append(positions)
    type_name = _GROUP_TEXT["en" if lang == "en" else "es"]["type"]
    rows = []
    for table, positions in zip(tables, mapping, strict=True):
        kind = table_title(table, report)
        for row in table.rows:
            if not _in_month(table, row, month):
                continue
            out = [""] * len(columns)
            for position, cell in zip(positions, _cells(table, row), strict=False):
                out[position] = cell
            rows.append([kind, *out])
    return [type_name, *columns], rows


def _group_title(report: ParsedReport, tables: list[ParsedTable]) -> str:
    names = "; ".join(_CAPTION_NOTE.sub("", table_title(t, report)) for t in tables)
    sections = ", ".join(f"§{s}" for s in sorted({t.section for t in tables}))
    return f"{names} ({sections})"


_CAPTION_NOTE = re.compile(r"\s*\([^)]*\)\s*$")  # "Indicadores … (meta 2020 y avance …)"


def _common_prefix(keys: list[str]) -> list[str]:
    parts = [k.split("-") for k in keys]
    prefix = []
    for group in zip(*parts, strict=False):
        if len(set(group)) != 1:
            break
        prefix.append(group[0])
    return prefix


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", fold(text)).strip("-") or "tabla"


# ----------------------------------------------------------------------------- months


_MONTH_WORD = re.compile(
    r"\b(" + "|".join(fold(m)[:3] for m in MONTH_NAMES_ES) + r"|set)[a-z]*\.?(?![a-z])"
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")


def months_named(text: str) -> set[int]:
    """Every month a date cell names: "28 sept - 2 octubre" -> {9, 10}, "22/04/2020" -> {4}."""
    prefixes = [fold(m)[:3] for m in MONTH_NAMES_ES]
    folded = fold(text)
    found = {int(m.group(2)) for m in _NUMERIC_DATE.finditer(folded) if 1 <= int(m.group(2)) <= 12}
    for match in _MONTH_WORD.finditer(folded):
        prefix = "sep" if match.group(1) == "set" else match.group(1)
        found.add(prefixes.index(prefix) + 1)
    return found


def _in_month(table: ParsedTable, row: ParsedRow, month: int | None) -> bool:
    if month is None:
        return True
    date_col = column_index(table, "fecha")
    if date_col is None or date_col >= len(row.cells):
        return False
    return month in months_named(row.cells[date_col].raw)


def _without_month_words(text: str) -> str:
    kept = []
    for word in text.split():
        if extract_months(fold(word)):
            continue
        kept.append(word)
    return " ".join(kept)


def tables_csv(report: ParsedReport, tables: list[ParsedTable], lang: str = "es") -> bytes:
    """Several tables in one file (a type column first), as `export_tables` writes them."""
    export = export_tables(report, tables, None, lang)
    return export.data if export is not None else b""
