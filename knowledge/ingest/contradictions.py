"""Contradictions: places where a report gives the same fact two ways, found by general rules.

- count-items: a list announces a count ("TRES PREMIOS ...:") and lists another number of items;
- count-rows: a sentence counts things ("13 para asesorar ... al alcalde", within "46 EVENTOS")
  that a table captioned with the same words lists as rows (14);
- text-table: a figure or date of the text about a table row (most of the row's naming words in
  the same clause) that is none of the row's cells ("9%" against a row with 10 and 90%);
- summary-section: a figure of the executive summary against the same fact (same unit, most of
  its clause's words) in a later section with another value;
- same-count: the same counted thing ("N premios internacionales") with two values.
Each side keeps its quote, section and line. Words that appear all over the report (the
organisation's name, its city) never make two passages "about the same thing".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from knowledge.ingest.enumerations import _NOT_COUNTED, FoundList, count_value
from knowledge.ingest.sections import section_at
from knowledge.model import (
    ContradictionSide,
    ParsedContradiction,
    ParsedFact,
    ParsedReport,
    ParsedSection,
    ParsedTable,
)
from knowledge.numbers import SPELLED, date_spans
from knowledge.text import clean, fold, shorten

# Function words long enough to pass the length filter; general Spanish and English.
_FUNCTION_WORDS = frozenset([
    "para", "como", "entre", "sobre", "desde", "este", "esta", "estos", "estas", "hasta",
    "donde", "cual", "cuales", "tambien", "tiene", "tienen", "todo", "todos", "toda", "todas",
    "otros", "otras", "otro", "otra", "cada", "mismo", "misma", "sido", "fueron", "fue", "ser",
    "han", "hemos", "sus", "los", "las", "del", "por", "con", "que", "una", "uno", "unos",
    "unas", "mas", "muy", "pero", "sino", "segun", "durante", "dentro", "cerca", "traves",
    "total", "manera", "parte", "with", "from", "that", "this", "these", "those", "their",
    "other",
])
_SCALE = {None: 1.0, "mil": 1e3, "millones": 1e6, "billones": 1e12, "MM": 1e6}
_COUNT_RE = re.compile(
    r"(?<![\d.,$])\b(\d{1,4}|" + "|".join(SPELLED) + r")\b(?![.,]\d)\s*([^\W\d_]*)",
    re.IGNORECASE)
_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"]
_DATE_RE = re.compile(
    r"\b(\d{1,2})\s+de\s+(" + "|".join(_MONTHS) + r")\b|\b(" + "|".join(_MONTHS)
    + r")\s+(\d{1,2})\b", re.IGNORECASE)
_SUMMARY_WORDS = ("resumen", "summary", "sintesis")


def _stem(word: str) -> str:
    return word[:5]


def _words(text: str) -> list[str]:
    return [w for w in fold(text).split()
            if len(w) > 3 and not w.isdigit() and w not in _FUNCTION_WORDS]


@dataclass
class _Vocabulary:
    """How widespread each word stem is: stems in many sections name nothing in particular."""

    common: set[str]  # in more than 30 % of the sections
    everywhere: set[str]  # in more than 60 %

    def stems(self, text: str) -> set[str]:
        return {_stem(w) for w in _words(text)} - self.common

    def loose_stems(self, text: str) -> set[str]:
        return {_stem(w) for w in _words(text)} - self.everywhere


def _vocabulary(report: ParsedReport) -> _Vocabulary:
    df: Counter[str] = Counter()
    for s in report.sections:
        df.update({_stem(w) for w in _words(s.title + " " + s.text)})
    limit = max(3, int(0.3 * len(report.sections)))
    high = max(4, int(0.6 * len(report.sections)))
    return _Vocabulary({w for w, n in df.items() if n > limit},
                       {w for w, n in df.items() if n > high})


def _row_subject(table: ParsedTable, i: int) -> str:
    """What a row is about, for a contradiction's subject: its first filled cell."""
    return shorten(clean(next(c.raw for c in table.rows[i].cells if c.raw)), 120)


def _clauses(sentence: str) -> list[str]:
    return [c.strip() for c in re.split(r";|\.\s", sentence) if c.strip()]


def _side(report: ParsedReport, quote: str, line: int, value: str = "",
          table: str | None = None) -> ContradictionSide:
    where = section_at(report.sections, line)
    return ContradictionSide(quote=shorten(clean(quote), 400),
                             section=where.number if where else "0",
                             line=line, value=value, table=table)


def _row_text(table: ParsedTable, row_index: int) -> str:
    return " ".join(c.raw for c in table.rows[row_index].cells if c.raw)


def _describe(subject: str, sides: list[ContradictionSide]) -> tuple[str, str]:
    es = "; ".join(f"§{s.section} (línea {s.line}): {s.value or '?'}" for s in sides)
    en = "; ".join(f"§{s.section} (line {s.line}): {s.value or '?'}" for s in sides)
    return (f"El informe da valores distintos para «{subject}»: {es}.",
            f"The report gives different values for “{subject}”: {en}.")


def _make(rule: str, subject: str, keywords: set[str],
          sides: list[ContradictionSide], noun: str = "") -> ParsedContradiction:
    """`noun`, when given, is what is counted: always a keyword, the first."""
    es, en = _describe(subject, sides)
    rest = sorted(k for k in keywords if k and k != noun) or _words(subject)[:3]
    ordered = ([noun] if noun else []) + rest
    return ParsedContradiction(
        key=f"{rule}-{sides[0].section}-{sides[0].line}", rule=rule,  # type: ignore[arg-type]
        subject=subject, keywords=ordered[:12], description_es=es, description_en=en,
        sides=sides)


def _specific_keywords(c: ParsedContradiction, vocab: _Vocabulary) -> ParsedContradiction:
    """Words all over the report (the organisation, its city) name nothing in particular."""
    noun = c.keywords[:1] if c.rule in ("count-items", "count-rows", "same-count") else []
    rest = [k for k in c.keywords[len(noun):] if _stem(k) not in vocab.everywhere]
    keywords = list(dict.fromkeys(noun + rest)) or c.keywords[:1]
    return c.model_copy(update={"keywords": keywords})


# ----------------------------------------------------------------------------- count vs items


def _count_items(report: ParsedReport, lists: list[FoundList]) -> list[ParsedContradiction]:
    found = []
    for f in lists:
        n = len(f.enumeration.items)
        if f.announced is None or f.announced == n or f.announced_line is None:
            continue
        subject = f.enumeration.title.rstrip(":")
        last = f.enumeration.items[-1]
        sides = [_side(report, f.announced_quote, f.announced_line, str(f.announced)),
                 _side(report, last.label, last.line, str(n))]
        counted = _COUNT_RE.search(f.announced_quote)
        noun = fold(counted.group(2)) if counted and counted.group(2) else ""
        keywords = {noun} if noun else {w for w in _words(subject) if len(w) > 4}
        found.append(_make("count-items", noun or subject, keywords, sides, noun))
    return found


# ----------------------------------------------------------------------------- count vs rows


@dataclass
class _Count:
    value: int
    raw: str
    noun: str  # folded
    context: str  # the words after the number up to the next count
    line: int
    sentence: str


def _counts_in(report: ParsedReport, section: ParsedSection) -> list[_Count]:
    """"46 EVENTOS, 16 organizados ..., 13 para asesorar ...": every count with the noun it
    counts (a later number without a noun counts the first one's)."""
    out: list[_Count] = []
    for k in range(section.line_start, section.line_end + 1):
        text = clean(report.lines[k - 1]) if k - 1 < len(report.lines) else ""
        if not text or "\t" in report.lines[k - 1]:
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            matches = list(_COUNT_RE.finditer(sentence))
            noun = ""
            for j, m in enumerate(matches):
                end = matches[j + 1].start() if j + 1 < len(matches) else len(sentence)
                word = fold(m.group(2))
                context = sentence[m.end():end]
                participle = re.search(r"(?:ados|idos|adas|idas)$", word) is not None
                if word.endswith("s") and len(word) > 3 and not (noun and participle):
                    noun = word
                elif not noun:
                    continue
                else:
                    context = sentence[m.start(2):end]
                out.append(_Count(count_value(m.group(1)), m.group(1), noun, context, k,
                                  sentence))
    return out


def _count_rows(report: ParsedReport, vocab: _Vocabulary) -> list[ParsedContradiction]:
    found = []
    by_noun: dict[str, list[ParsedTable]] = {}
    for t in report.tables:
        if t.kind != "grid" or not t.rows:
            continue
        for w in _words(t.title):
            by_noun.setdefault(_stem(w), []).append(t)
    for section in report.sections:
        for c in _counts_in(report, section):
            tables = by_noun.get(_stem(c.noun), [])
            if not tables:
                continue
            ctx = vocab.loose_stems(c.context) - {_stem(c.noun)}
            specific = [t for t in tables if ctx & (vocab.loose_stems(t.title) - {_stem(c.noun)})]
            if len(specific) == 1:
                table = specific[0]
                total = _total_row(table)
                if total is not None:
                    cells = _row_cells(table, total)
                    if not cells or any(_same(float(c.value), v) for v, _, _ in cells):
                        continue
                    side = _side(report, _row_text(table, total), table.rows[total].line,
                                 _count_cell(table, total, c.noun), table.key)
                elif len(table.rows) != c.value:
                    side = _side(report, table.title, table.line_start, str(len(table.rows)),
                                 table.key)
                else:
                    continue
                if True:
                    sides = [_side(report, c.sentence, c.line, c.raw), side]
                    words = clean(c.context).split(",")[0].split()[:6]
                    subject = f"{c.noun} {' '.join(words)}".strip().rstrip(".")
                    title_stems = {_stem(w) for w in _words(table.title)}
                    keywords = {c.noun} | {w for w in _words(table.title) if len(w) > 4} | {
                        w for w in _words(c.context) if _stem(w) in title_stems}
                    found.append(_make("count-rows", shorten(subject, 120), keywords, sides,
                                       c.noun))
            elif not ctx and len(tables) >= 2 and all(
                    _stem(c.noun) in {_stem(w) for w in _words(t.title)[:1]} for t in tables):
                rows = sum(len(t.rows) for t in tables)
                if rows != c.value:
                    sides = [_side(report, c.sentence, c.line, c.raw)]
                    sides += [_side(report, t.title, t.line_start, str(len(t.rows)), t.key)
                              for t in tables]
                    found.append(_make("count-rows", c.noun, {c.noun}, sides, c.noun))
    return found


# ----------------------------------------------------------------------------- text vs table


def _total_row(table: ParsedTable) -> int | None:
    """The row that totals the others ("Total contratos"), if any."""
    for i, row in enumerate(table.rows):
        first = next((c.raw for c in row.cells if c.raw), "")
        if fold(first).split()[:1] == ["total"]:
            return i
    return None


def _count_cell(table: ParsedTable, i: int, noun: str) -> str:
    cells = table.rows[i].cells
    for k, cell in enumerate(cells):
        header = table.header[k] if k < len(table.header) else ""
        if cell.value is not None and _stem(noun) in {_stem(w) for w in _words(header)}:
            return cell.raw
    return next((c.raw for c in cells if c.value is not None), "")


def _scaled(value: float | None, scale: str | None) -> float | None:
    return None if value is None else value * _SCALE.get(scale, 1.0)


def _same(a: float | None, b: float | None) -> bool:
    """Equal as written: "$6.173 millones" is the cell 6.172.926.682 rounded."""
    return a is not None and b is not None and abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)


def _comparable(a: float | None, b: float) -> bool:
    """Figures a factor of ten apart are not two readings of one fact."""
    return a is not None and a > 0 and b > 0 and 0.1 <= a / b <= 10


def _kind(unit: str | None) -> str:
    if unit in ("USD", "COP"):
        return "money"
    if unit == "%":
        return "%"
    return "count"


def _row_cells(table: ParsedTable, i: int, with_header: bool = False) -> list[Any]:
    """(scaled value, kind, raw[, unit, header stems]) of the numeric, non-date cells of a row."""
    out: list[Any] = []
    for k, cell in enumerate(table.rows[i].cells):
        if cell.value is None or date_spans(cell.raw):
            continue
        item = (_scaled(cell.value, cell.scale) or 0.0, _kind(cell.unit), cell.raw)
        if with_header:
            header = table.header[k] if k < len(table.header) else ""
            item = (*item, cell.unit, {_stem(w) for w in _words(header)})
        out.append(item)
    return out


def _label_stems(table: ParsedTable, i: int, vocab: _Vocabulary) -> set[str]:
    cells = [c for c in table.rows[i].cells if c.raw and c.value is None]
    return vocab.stems(cells[0].raw) if cells else set()


def _text_table(report: ParsedReport, vocab: _Vocabulary) -> list[ParsedContradiction]:
    rows = []
    for t in report.tables:
        if t.kind != "grid":
            continue
        for i in range(len(t.rows)):
            label = _label_stems(t, i, vocab)
            if label:
                context = f"{_row_text(t, i)} {t.title} {' '.join(t.header)}"
                rows.append((t, i, label, vocab.stems(context)))
    found: dict[tuple[int, int], ParsedContradiction] = {}
    by_line: dict[int, list[ParsedFact]] = {}
    for f in report.facts:
        if not any(t.line_start <= f.line <= t.line_end for t in report.tables):
            by_line.setdefault(f.line, []).append(f)
    for line, facts in by_line.items():
        for clause in _clauses(facts[0].sentence):
            clause_facts = [f for f in facts if clean(f.raw).split()[0] in clause]
            stems = vocab.stems(clause)
            best = None
            for t, i, label, whole in rows:
                hit = len(label & stems)
                need = len(label) if len(label) <= 3 else -(-3 * len(label) // 5)
                if hit >= need and len(whole & stems) >= 2:
                    rank = (hit, _total_row(t) == i)
                    if best is None or rank > best[0]:
                        best = (rank, t, i)
            if best is None:
                continue
            _, t, i = best
            cells = _row_cells(t, i)
            row_line = t.rows[i].line
            clause_stems = {_stem(w) for w in _words(clause)}
            for f in clause_facts:
                value, kind = _scaled(f.value, f.scale), _kind(f.unit)
                if kind == "count" and f.unit and _stem(fold(f.unit)) in label:
                    continue  # "DOS ENCUENTROS" counts rows like this one, not a cell of it
                same_kind = [c for c in _row_cells(t, i, with_header=True)
                             if c[1] == kind and (kind != "money" or c[3] == f.unit)
                             and (kind != "count" or c[4] & (clause_stems | {
                                 _stem(fold(f.unit or ""))}))]
                if not same_kind or any(_same(value, c[0]) for c in cells):
                    continue
                same_kind = [c for c in same_kind if _comparable(value, c[0])]
                if not same_kind:
                    continue
                if f.role == "target" and (line, row_line) in found:
                    continue
                other = max(same_kind, key=lambda c: c[0])
                sides = [_side(report, clause, line, clean(f.raw)),
                         _side(report, _row_text(t, i), row_line, other[2], t.key)]
                subject = _row_subject(t, i)
                shared = vocab.loose_stems(subject) & vocab.loose_stems(clause)
                keywords = {w for w in _words(subject) if _stem(w) in shared}
                found.setdefault((line, row_line), _make("text-table", subject, keywords, sides))
            for date in _DATE_RE.finditer(clause):
                day, month = _date_parts(date)
                for cell in t.rows[i].cells:
                    m = _DATE_RE.search(cell.raw)
                    if m and _date_parts(m)[1] == month and _date_parts(m)[0] != day:
                        if len(label & stems) < 1:
                            continue
                        sides = [_side(report, clause, line, date.group(0)),
                                 _side(report, _row_text(t, i), row_line, m.group(0), t.key)]
                        subject = _row_subject(t, i)
                        shared = vocab.loose_stems(subject) & vocab.loose_stems(clause)
                        keywords = {w for w in _words(subject) if _stem(w) in shared}
                        found.setdefault((line, row_line),
                                         _make("text-table", subject, keywords, sides))
    # dates against rows named by a rare word of the clause (a place, a name)
    for section in report.sections:
        for k in range(section.line_start, section.line_end + 1):
            raw = report.lines[k - 1] if k - 1 < len(report.lines) else ""
            if "\t" in raw or not raw.strip():
                continue
            for clause in re.split(r"[;,]|\.\s|\s+y\s+", clean(raw)):
                dates = list(_DATE_RE.finditer(clause))
                if len(dates) != 1:
                    continue
                day, month = _date_parts(dates[0])
                stems = vocab.stems(clause)
                for t, i, label, _whole in rows:
                    rare = label & stems & _rare(report)
                    if not rare:
                        continue
                    for cell in t.rows[i].cells:
                        m = _DATE_RE.search(cell.raw)
                        if m and _date_parts(m)[1] == month and _date_parts(m)[0] != day:
                            row_line = t.rows[i].line
                            sides = [_side(report, clause, k, dates[0].group(0)),
                                     _side(report, _row_text(t, i), row_line, m.group(0), t.key)]
                            subject = _row_subject(t, i)
                            keywords = {w for w in _words(subject) if _stem(w) in rare}
                            found.setdefault((k, row_line),
                                             _make("text-table", subject, keywords, sides))
    return list(found.values())


def _date_parts(m: re.Match[str]) -> tuple[int, str]:
    if m.group(1):
        return int(m.group(1)), m.group(2).lower()
    return int(m.group(4)), m.group(3).lower()


_RARE_CACHE: dict[int, set[str]] = {}


def _rare(report: ParsedReport) -> set[str]:
    """Stems in at most two sections: names of places, people, programmes."""
    key = id(report)
    if key not in _RARE_CACHE:
        df: Counter[str] = Counter()
        for s in report.sections:
            df.update({_stem(w) for w in _words(s.title + " " + s.text)})
        _RARE_CACHE.clear()
        _RARE_CACHE[key] = {w for w, n in df.items() if n <= 2}
    return _RARE_CACHE[key]


# ----------------------------------------------------------------------------- summary vs section


def _summary(report: ParsedReport) -> ParsedSection | None:
    return next((s for s in report.sections if s.level == 1
                 and any(w in fold(s.title) for w in _SUMMARY_WORDS)), None)


def _summary_section(report: ParsedReport, vocab: _Vocabulary) -> list[ParsedContradiction]:
    summary = _summary(report)
    if summary is None:
        return []
    inside = [f for f in report.facts if f.section == summary.number]
    others = [f for f in report.facts if f.section != summary.number and f.role != "target"]
    found = []
    for f in inside:
        clause = next((c for c in _clauses(f.sentence) if clean(f.raw).split()[0] in c),
                      f.sentence)
        stems = vocab.stems(clause)
        if len(stems) < 3:
            continue
        value = _scaled(f.value, f.scale)
        candidates = []
        for g in others:
            if (g.unit or "") != (f.unit or ""):
                continue
            g_clause = next((c for c in _clauses(g.sentence) if clean(g.raw).split()[0] in c),
                            g.sentence)
            g_stems = vocab.stems(g_clause)
            shared = stems & g_stems
            if len(shared) >= 3 and len(shared) >= 0.6 * min(len(stems), len(g_stems)):
                candidates.append((len(shared), g, g_clause))
        if not candidates:
            continue
        if any(_same(value, _scaled(g.value, g.scale)) and (g.unit or "") == (f.unit or "")
               for g in report.facts if g.section != summary.number):
            continue  # a later section repeats the figure: the summary is backed
        if any(_same(value, _scaled(c.value, c.scale)) for t in report.tables for r in t.rows
               for c in r.cells):
            continue
        _, g, g_clause = max(candidates, key=lambda c: c[0])
        sides = [_side(report, clause, f.line, clean(f.raw)),
                 _side(report, g_clause, g.line, clean(g.raw))]
        subject = " ".join(w for w in _words(clause) if _stem(w) in stems & vocab.stems(g_clause))
        found.append(_make("summary-section", shorten(subject, 120) or clean(f.raw),
                           set(subject.split()), sides))
    return found


# ----------------------------------------------------------------------------- same count


def _same_count(report: ParsedReport, vocab: _Vocabulary) -> list[ParsedContradiction]:
    """"4 PREMIOS INTERNACIONALES" and "TRES PREMIOS INTERNACIONALES": noun and the word after
    it the same, the values not."""
    seen: dict[tuple[str, str], list[_Count]] = {}
    for section in report.sections:
        for c in _counts_in(report, section):
            after = _words(c.context)
            if not after or fold(c.context.split()[0] if c.context.split() else "") == "":
                continue
            first = fold(c.context).split()
            if c.noun not in fold(c.sentence).split() or not first or len(first[0]) <= 3:
                continue
            if first[0] in _FUNCTION_WORDS or c.noun in _NOT_COUNTED:
                continue
            key = (_stem(c.noun), _stem(first[0]))
            if _stem(c.noun) in vocab.common and _stem(first[0]) in vocab.common:
                continue
            seen.setdefault(key, []).append(c)
    found = []
    for counts in seen.values():
        values = {c.value for c in counts}
        if len(values) < 2 or len(counts) > 4:
            continue
        a = counts[0]
        b = next(c for c in counts if c.value != a.value)
        if a.line == b.line:
            continue
        sides = [_side(report, a.sentence, a.line, a.raw), _side(report, b.sentence, b.line, b.raw)]
        subject = f"{a.noun} {fold(a.context).split()[0]}"
        found.append(_make("same-count", subject, {a.noun}, sides, a.noun))
    return found


# ----------------------------------------------------------------------------- entry point


def find_contradictions(report: ParsedReport, lists: list[FoundList]) -> list[ParsedContradiction]:
    vocab = _vocabulary(report)
    found = _count_items(report, lists)
    found += _count_rows(report, vocab)
    found += _text_table(report, vocab)
    found += _summary_section(report, vocab)
    found += _same_count(report, vocab)
    unique: dict[frozenset[tuple[str, int]], ParsedContradiction] = {}
    for c in found:
        sig = frozenset((s.section, s.line) for s in c.sides)
        unique.setdefault(sig, c)
    keys: set[str] = set()
    result = []
    for c in unique.values():
        key, n = c.key, 2
        while key in keys:
            key, n = f"{c.key}-{n}", n + 1
        keys.add(key)
        result.append(_specific_keywords(c.model_copy(update={"key": key}), vocab))
    return result
