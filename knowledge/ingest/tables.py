"""Tables: tab-separated lines, merged across page breaks, and key/value blocks.

A grid is a run of tab-separated lines; its first line is the header. When the PDF breaks a table
over pages it repeats the section caption ("4.3.2 PROYECTOS ...") and the header: a grid with the
same header as the previous one, separated only by such a caption, continues it. Three
same-header grids with nothing between them (6.1) are separate tables, one per strategic focus.
A key/value block (two cells per line, every key in capitals) is one record; consecutive records
with the same keys (the judicial processes) make one table with the keys as header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.curated import TableSpec
from knowledge.ingest.sections import _SECTION_RE, section_at
from knowledge.ingest.table_roles import classify
from knowledge.model import ParsedCell, ParsedRow, ParsedSection, ParsedTable
from knowledge.numbers import parse_number, unit_from_words
from knowledge.text import clean, fold, function_words, is_blank, is_table_line, is_upper


@dataclass
class _Block:
    start: int  # 0-based
    end: int  # 0-based, inclusive
    rows: list[list[str]]


def _blocks(lines: list[str], first: int) -> list[_Block]:
    blocks: list[_Block] = []
    i = first
    while i < len(lines):
        if is_table_line(lines[i]):
            j = i
            while j + 1 < len(lines) and is_table_line(lines[j + 1]):
                j += 1
            rows = [[c.strip() for c in line.split("\t")] for line in lines[i:j + 1]]
            blocks.append(_Block(i, j, rows))
            i = j + 1
        else:
            i += 1
    return blocks


def _is_keyvalue(block: _Block) -> bool:
    return len(block.rows) >= 3 and all(
        len(r) == 2 and r[0] and is_upper(r[0]) and r[1] for r in block.rows)


def _gap(lines: list[str], a: _Block, b: _Block) -> list[str]:
    return [line for line in lines[a.end + 1:b.start] if not is_blank(line)]


def _line_above(lines: list[str], block: _Block) -> str | None:
    """The nearest non-blank line above a table, cleaned, unless it is a table line itself."""
    i = block.start - 1
    while i >= 0 and is_blank(lines[i]):
        i -= 1
    if i < 0 or is_table_line(lines[i]):
        return None
    return clean(lines[i])


def _caption(lines: list[str], block: _Block) -> str | None:
    text = _line_above(lines, block)
    if text is None:
        return None
    if _SECTION_RE.match(text) and len(text) < 8:
        return None
    return text if is_upper(text) and len(text) < 120 and not text.endswith(".") else None


def _cell(raw: str) -> ParsedCell:
    text = clean(raw)
    if not text:
        return ParsedCell(raw="")
    n = parse_number(text)
    if n is None or (n.qualifier and len(n.qualifier.split()) > 4):
        return ParsedCell(raw=text)  # words, a date or a description: no single figure
    return ParsedCell(raw=text, value=n.value, unit=n.unit, scale=n.scale,
                      qualifier=n.qualifier)


def _fill_units(table: ParsedTable) -> None:
    """Numbers whose cell does not name a unit take it from the row's unit column."""
    unit_col = next((k for k, h in enumerate(table.header) if fold(h).startswith("unidad")), None)
    if unit_col is None:
        return
    for row in table.rows:
        if unit_col >= len(row.cells):
            continue
        row_unit, row_scale = unit_from_words(row.cells[unit_col].raw)
        if row_unit is None:
            continue
        for k, cell in enumerate(row.cells):
            if cell.value is not None and cell.unit is None and k != unit_col:
                cell.unit, cell.scale = row_unit, cell.scale or row_scale


def _heading(lines: list[str], block: _Block, section: ParsedSection | None) -> str:
    """The nearest heading above a table inside its section: a short line in capitals (its
    section number dropped), else the section's title."""
    stop = section.line_start - 1 if section else 0
    for i in range(block.start - 1, stop - 1, -1):
        if is_blank(lines[i]) or is_table_line(lines[i]):
            continue
        text = clean(lines[i])
        m = _SECTION_RE.match(text)
        if m:
            text = (m.group(2) or "").strip()
        if text and is_upper(text) and len(text) < 90 and not text.endswith("."):
            return text
    return section.title if section else ""


def _lead(lines: list[str], block: _Block) -> str | None:
    """The sentence right above a table that announces it ("Contratos suscritos ...:")."""
    text = _line_above(lines, block)
    if text is None:
        return None
    return text[:-1].strip() if text.endswith(":") and len(text) < 160 else None


def _slug(text: str, words: int = 3) -> str:
    """The first content words of a text, folded: "EVENTOS COMO INVITADOS" ->
    "eventos-invitados"."""
    stop = function_words()["key_stop"]
    kept = [w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in stop]
    return "-".join(kept[:words])[:48].strip("-")


def _rule_keys(tables: list[ParsedTable], keyed: set[int], used: set[str]) -> None:
    """Keys by rule for the tables no overlay names: section and title words; tables that
    would share one add the words of their first cell ("…-tipo", "…-proceso")."""
    bases = {k: f"{t.section}-{_slug(t.title) or 'tabla'}" for k, t in enumerate(tables)
             if k not in keyed}
    groups: dict[str, list[ParsedTable]] = {}
    for k, base in bases.items():
        groups.setdefault(base, []).append(tables[k])
    for k, base in bases.items():
        table = tables[k]
        siblings = groups[base]
        if len(siblings) > 1:
            if all(t.header[:1] == table.header[:1] for t in siblings):
                # same header: the first cell tells them apart
                first = next((c.raw for c in table.rows[0].cells if c.raw), "") \
                    if table.rows else ""
                extra = _slug(first, 2)
            else:
                extra = _slug(table.header[0] if table.header else "", 2)
            base = f"{base}-{extra}" if extra else base
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        table.key = key
        used.add(key)


def _assign_key(table: ParsedTable, caption: str | None, specs: list[TableSpec],
                used: set[str]) -> TableSpec | None:
    first_row = " ".join(c.raw for c in table.rows[0].cells) if table.rows else ""
    haystack = fold(" | ".join([caption or "", " ".join(table.header), first_row]))
    for spec in specs:
        if spec.key in used or spec.section != table.section:
            continue
        if all(fold(m) in haystack for m in spec.match):
            used.add(spec.key)
            return spec
    return None


def parse_tables(lines: list[str], body_start: int, sections: list[ParsedSection],
                 specs: list[TableSpec] | None = None) -> list[ParsedTable]:
    """Every table of the body; `specs` (a report's overlay) name some of them."""
    specs = specs or []
    tables: list[ParsedTable] = []
    used: set[str] = set()
    blocks = _blocks(lines, body_start)
    k = 0
    while k < len(blocks):
        block = blocks[k]
        section = section_at(sections, block.start + 1)
        number = section.number if section else "0"
        caption = _caption(lines, block)
        if _is_keyvalue(block):
            header = [clean(r[0]) for r in block.rows]
            records = [block]
            while (k + 1 < len(blocks) and _is_keyvalue(blocks[k + 1])
                   and [clean(r[0]) for r in blocks[k + 1].rows] == header
                   and not _gap(lines, records[-1], blocks[k + 1])):
                k += 1
                records.append(blocks[k])
            rows = [ParsedRow(line=b.start + 1, cells=[_cell(r[1]) for r in b.rows])
                    for b in records]
            table = ParsedTable(key="", section=number, title=caption or "", kind="keyvalue",
                                header=header, rows=rows, line_start=block.start + 1,
                                line_end=records[-1].end + 1)
        else:
            header = [clean(c) for c in block.rows[0]]
            parts = [block]
            while k + 1 < len(blocks) and [clean(c) for c in blocks[k + 1].rows[0]] == header:
                gap = _gap(lines, parts[-1], blocks[k + 1])
                caption_repeats = bool(gap) and all(
                    (m := _SECTION_RE.match(clean(g))) and m.group(1) == number for g in gap)
                if not caption_repeats:
                    break
                k += 1
                parts.append(blocks[k])
            rows = []
            for part in parts:
                for offset, cells in enumerate(part.rows[1:], start=1):
                    padded = cells + [""] * (len(header) - len(cells))
                    rows.append(ParsedRow(line=part.start + offset + 1,
                                          cells=[_cell(c) for c in padded]))
            table = ParsedTable(key="", section=number, title=caption or "", header=header,
                                rows=rows, line_start=block.start + 1, line_end=parts[-1].end + 1)
        table.heading = _heading(lines, block, section)
        lead = _lead(lines, block)
        spec = _assign_key(table, caption, specs, used)
        if spec is not None:
            table.key, table.title = spec.key, spec.title
        else:
            # a short naming lead ("Contratos suscritos y ejecutados …:") says what the table
            # holds better than the section heading it sits under
            naming = lead if lead and len(lead) <= 80 and not re.search(r"\d", lead) else None
            table.title = table.title or naming or table.heading or lead or ""
            table.key = ""  # named by rule once every table is known
        _fill_units(table)
        classify(table, [t for t in (table.heading, caption, lead) if t])
        tables.append(table)
        k += 1
    _rule_keys(tables, {k for k, t in enumerate(tables) if t.key}, used)
    return tables
