"""Report variants made by code from a report text and its parsed form (nothing typed by hand).

- change_figure / change_facts: a figure rewritten wherever it means the chosen fact (the same
  value, however it is written: "381,30", "381,3"), optionally only on some lines;
- rename_headings: section titles reworded, in the table of contents and the body alike;
- move_chapter: two adjacent chapters swap places (and numbers);
- rename_columns: table headers reworded with general words;
- change_year: the report's year (title and every lone mention, with the later dates) moves one
  year on, plan periods ("2020-2023") untouched; change_year_in_question moves a question's;
- drop_list_item: the last item of a list whose intro announces its count, removed.
"""

from __future__ import annotations

import re
from collections import defaultdict

from knowledge.ingest.enumerations import find_lists
from knowledge.ingest.report import _heading_lines
from knowledge.ingest.sections import parse_sections, parse_toc
from knowledge.model import ParsedFact, ParsedReport
from knowledge.text import clean, split_lines

_NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+)(,\d+)?(?![\w]|[.,]\d)")
_SCALE = {None: 1.0, "mil": 1e3, "millones": 1e6, "billones": 1e12, "MM": 1e6}


def _value(int_part: str, dec: str | None) -> float:
    return float(int_part.replace(".", "") + ("." + dec[1:] if dec else ""))


def _format(value: float, int_part: str, dec: str | None) -> str:
    decimals = len(dec) - 1 if dec else 0
    text = f"{value:,.{decimals}f}"  # 1,234.50
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", ".") if "." in int_part else whole.replace(",", "")
    return whole + ("," + frac if decimals else "")


def change_figure(text: str, old: float, new: float, only_lines: set[int] | None = None) -> str:
    """Every number written with value `old` (on `only_lines`, 1-based, when given) -> `new`."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if only_lines is not None and i + 1 not in only_lines:
            continue

        def swap(m: re.Match[str]) -> str:
            if abs(_value(m.group(1), m.group(2)) - old) > 1e-9:
                return m.group(0)
            return _format(new, m.group(1), m.group(2))

        lines[i] = _NUMBER_RE.sub(swap, line)
    return "\n".join(lines)


def _occurrences(report: ParsedReport) -> dict[tuple[float, str | None], set[int]]:
    """(value as written, unit) -> lines where a fact or table cell gives it."""
    where: dict[tuple[float, str | None], set[int]] = defaultdict(set)
    for f in report.facts:
        where[(round(f.value, 6), f.unit)].add(f.line)
    for t in report.tables:
        for row in t.rows:
            for cell in row.cells:
                if cell.value is not None:
                    where[(round(cell.value, 6), cell.unit)].add(row.line)
    return where


def _lines_with_value(report: ParsedReport, value: float) -> set[int]:
    found = set()
    for i, line in enumerate(report.lines):
        for m in _NUMBER_RE.finditer(line):
            if abs(_value(m.group(1), m.group(2)) - value) < 1e-9:
                found.add(i + 1)
    return found


def repeated_fact(report: ParsedReport) -> tuple[ParsedFact, list[int]]:
    """A money figure the report gives on two or more lines (and nowhere else as a number)."""
    where = _occurrences(report)
    for f in report.facts:
        if f.unit not in ("USD", "COP") or f.value < 10 or f.value != int(f.value * 10) / 10:
            continue
        lines = where[(round(f.value, 6), f.unit)]
        if len(lines) >= 2 and _lines_with_value(report, f.value) == lines:
            return f, sorted(lines)
    raise LookupError("no repeated money figure")


def chosen_facts(report: ParsedReport, n: int = 6) -> list[tuple[float, str | None]]:
    """Figures that are one fact each: a value no other fact or cell uses with another unit,
    written on at most three lines."""
    where = _occurrences(report)
    by_value: dict[float, set[str | None]] = defaultdict(set)
    for value, unit in where:
        by_value[value].add(unit)
    chosen = []
    for (value, unit), lines in sorted(where.items(), key=lambda kv: min(kv[1])):
        if value < 11 or value in (2020, 2021) or len(by_value[value]) > 1:
            continue
        if len(lines) > 3 or _lines_with_value(report, value) != lines:
            continue
        chosen.append((value, unit))
        if len(chosen) == n:
            break
    return chosen


def change_facts(text: str, report: ParsedReport, n: int = 6
                 ) -> tuple[str, dict[float, float]]:
    """The chosen facts with new values (old * 1.1 + 1, same decimals), everywhere they appear."""
    changes = {}
    for value, _unit in chosen_facts(report, n):
        new = round(value * 1.1 + 1, 1 if value != int(value) else 0)
        text = change_figure(text, value, new)
        changes[value] = new
    return text, changes


# ----------------------------------------------------------------------------- structure

# General words a maintainer may reword a heading or a column with.
_HEADING_REWORDS = [
    (r"\bLO QUE HEMOS LOGRADO EN\b", "RESULTADOS EN"),
    (r"\bQUÉ HACEMOS EN\b", "NUESTRO TRABAJO EN"),
    (r"\bINDICADORES Y METAS EN\b", "METAS E INDICADORES DE"),
    (r"\bLOGROS EN\b", "AVANCES EN"),
    (r"\bNUESTRO ROL EN\b", "NUESTRA LABOR EN"),
]
_COLUMN_REWORDS = [
    (r"^NÚMERO DE\b", "CANTIDAD DE"),
    (r"^NRO\. DE\b", "CANTIDAD DE"),
    (r"^NOMBRE DEL\b", "TÍTULO DEL"),
    (r"^FECHA DE REALIZACIÓN$", "FECHA"),
]


def _heading_and_toc_lines(text: str) -> set[int]:
    lines = split_lines(text)
    toc = parse_toc(lines)
    sections = parse_sections(lines, toc)
    return set(range(toc.start, toc.body_start)) | _heading_lines(lines, sections) | {
        s.line_start - 1 for s in sections}


def rename_headings(text: str) -> tuple[str, int]:
    """Section titles reworded in the TOC and the body; how many lines changed."""
    lines = text.split("\n")
    changed = 0
    for i in sorted(_heading_and_toc_lines(text)):
        new = lines[i]
        for pattern, repl in _HEADING_REWORDS:
            new = re.sub(pattern, repl, new, flags=re.IGNORECASE)
        if new != lines[i]:
            lines[i], changed = new, changed + 1
    return "\n".join(lines), changed


def rename_columns(text: str, report: ParsedReport) -> tuple[str, int]:
    """Table header cells reworded (general words); how many headers changed."""
    lines = text.split("\n")
    changed = 0
    for t in report.tables:
        if t.kind != "grid":
            continue
        for i in range(t.line_start - 1, t.line_end):
            if "\t" not in lines[i] or [clean(c) for c in lines[i].split("\t")] != t.header:
                continue
            cells = lines[i].split("\t")
            for k, cell in enumerate(cells):
                new = cell
                for pattern, repl in _COLUMN_REWORDS:
                    new = re.sub(pattern, repl, new.strip())
                if new != cell.strip():
                    cells[k], changed = new, changed + 1
            lines[i] = "\t".join(cells)
    return "\n".join(lines), changed


def move_chapter(text: str, report: ParsedReport) -> tuple[str, str, str]:
    """Swap the last two chapters before the last one (body and TOC, numbers included)."""
    lines = text.split("\n")
    toc = parse_toc(split_lines(text))
    chapters = [s for s in report.sections if s.level == 1]
    a, b = chapters[-3], chapters[-2]

    def block(ch_index: int) -> tuple[int, int]:
        start = chapters[ch_index].line_start - 1
        end = chapters[ch_index + 1].line_start - 1
        return start, end

    ia = len(chapters) - 3
    (sa, _), (sb, eb) = block(ia), block(ia + 1)
    renumber = {a.number: b.number, b.number: a.number}

    def renum(line: str) -> str:
        m = re.match(r"^(\s*-?\s*)(\d{1,2})((?:\.\d{1,2})+\.?(?:\s|$)|\s*$)", line)
        if m and m.group(2).lstrip("0") in renumber:
            new = renumber[m.group(2).lstrip("0")]
            width = len(m.group(2))
            return f"{m.group(1)}{new.zfill(width)}{m.group(3)}{line[m.end():]}"
        return line

    body_a = [renum(x) for x in lines[sa:sb]]
    body_b = [renum(x) for x in lines[sb:eb]]
    lines[sa:eb] = body_b + body_a
    # the TOC: swap the two chapters' entries too
    toc_lines = lines[toc.start:toc.body_start]
    starts = [i for i, x in enumerate(toc_lines) if re.fullmatch(r"\s*\d{2}\s*", x)]
    pa = next(i for i in starts if int(toc_lines[i]) == int(a.number))
    pb = next(i for i in starts if int(toc_lines[i]) == int(b.number))
    pe = next((i for i in starts if i > pb), len(toc_lines))
    ta = [renum(x) for x in toc_lines[pa:pb]]
    tb = [renum(x) for x in toc_lines[pb:pe]]
    lines[toc.start:toc.body_start] = toc_lines[:pa] + tb + ta + toc_lines[pe:]
    return "\n".join(lines), a.title, b.title


def _years_on(text: str, year: int, by: int) -> str:
    """Every lone year from `year` on moved `by` years (a plan period "2020-2023" untouched)."""
    pattern = re.compile(r"(?<![\d/-])(\d{4})(?!\s*[-–]\s*\d{4})(?![\d])")

    def shift(m: re.Match[str]) -> str:
        value = int(m.group(1))
        return str(value + by) if year <= value < year + 100 else m.group(0)

    return pattern.sub(shift, text)


def change_year(text: str, report: ParsedReport, by: int = 1) -> str:
    """The same report `by` years on: its year (title and every lone mention) and every later
    date (a cut-off in the next year, an event announced for it) move together; plan periods
    ("2020-2023") stay."""
    return _years_on(text, report.year, by)


def change_year_in_question(question: dict, year: int, by: int = 1) -> dict:
    """A question of a shared set asked of the year-changed report: the years it names move as
    the report's did (asking about the report's year, or about a later one it does not cover),
    and so do the expected strings (they are verbatim in the report)."""
    out = dict(question)
    out["q"] = _years_on(str(question["q"]), year, by)
    if question.get("expect"):
        out["expect"] = [_years_on(str(e), year, by) for e in question["expect"]]
    return out


def drop_list_item(text: str, report: ParsedReport) -> tuple[str, int]:
    """Remove the last item of a numbered list whose intro announces the right count; returns
    the text and the line of the announcement."""
    lines = split_lines(text)
    toc = parse_toc(lines)
    sections = parse_sections(lines, toc)
    for f in find_lists(lines, toc.body_start, sections, _heading_lines(lines, sections)):
        items = f.enumeration.items
        if f.announced != len(items) or f.announced_line is None:
            continue
        last = items[-1].line - 1
        marker = last - 1
        while marker > 0 and not re.fullmatch(r"\s*\d{2}\s*", lines[marker]):
            marker -= 1
        if last - marker > 3:
            continue
        out = text.split("\n")
        del out[marker:last + 1]
        return "\n".join(out), f.announced_line
    raise LookupError("no numbered list with an announced count")
