"""Facts: every figure of the prose, the highlight boxes and the table cells, attributed.

Each figure gets what it counts, whose it is, what it is (meaning), its period or cut-off and
the clause that states it (knowledge.text.clauses); every clause of the prose is kept too
(ParsedReport.clauses), so a reader can search them. Cue words are data (fact_roles.yaml).

Paragraphs are rebuilt from the PDF lines (a line that starts in lower case continues the
previous one, as do wrapped bold blocks), split into sentences, and every figure found by
knowledge.numbers becomes a fact unless an exclusion (dates, years, numbers inside names) covers
it. A figure alone on its line ("2.800 MILLONES DE PESOS" in a "DATOS 2020" box) gets the line
above it as context: "Desarrollo de estrategias ...: 2.800 MILLONES DE PESOS".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.curated import Curated
from knowledge.ingest.sections import section_at
from knowledge.model import (
    FactRole,
    FactSource,
    Meaning,
    ParsedClause,
    ParsedFact,
    ParsedSection,
    ParsedTable,
)
from knowledge.numbers import DATA_DIR, NumberMatch, find_numbers, unit_words
from knowledge.text import (
    Casing,
    bullet_text,
    clauses,
    clean,
    fold,
    function_words,
    is_blank,
    is_bullet,
    is_table_line,
    is_upper,
    proper_names,
    sentences,
    starts_lower,
)

_MONTHS = ("enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
           "noviembre|diciembre")
_CUTOFF_RE = re.compile(
    r"\b(?:al\s+cierre\s+del|con\s+corte\s+al|hasta\s+el|al)\s+(\d{1,2})\s+de\s+(" + _MONTHS
    + r")(?:\s+de\s+(\d{4}))?", re.IGNORECASE)
_COUNT_UNITS_EXCLUDED = {"USD", "COP", "%", "m²", "km", "Mbps", "toneladas"}


@dataclass(frozen=True)
class _Roles:
    after: dict[str, list[str]]
    before: dict[str, list[str]]


@lru_cache(maxsize=1)
def _roles(path: Path = DATA_DIR / "fact_roles.yaml") -> _Roles:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _Roles(after=data["after"], before=data["before"])


@dataclass(frozen=True)
class _Meanings:
    sentence: dict[str, list[str]]
    after: dict[str, list[str]]
    before: dict[str, list[str]]
    part_of: list[str]
    total: list[str]


@lru_cache(maxsize=1)
def _meanings(path: Path = DATA_DIR / "fact_roles.yaml") -> _Meanings:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["meanings"]

    def folded(groups: dict[str, list[str]]) -> dict[str, list[str]]:
        # a cue written with a trailing space must end a word: "fue de " is not "fue del"
        return {k: [fold(c) + (" " if c.endswith(" ") else "") for c in v]
                for k, v in groups.items()}

    return _Meanings(sentence=folded(data["sentence"]), after=folded(data["after"]),
                     before=folded(data["before"]), part_of=[fold(c) for c in data["part_of"]],
                     total=[fold(c) for c in data["total"]])


@dataclass
class _Paragraph:
    lines: list[int] = field(default_factory=list)  # 0-based line of each piece
    starts: list[int] = field(default_factory=list)  # offset of each piece in `text`
    text: str = ""

    def add(self, line: int, piece: str) -> None:
        if self.text:
            self.text += " "
        self.lines.append(line)
        self.starts.append(len(self.text))
        self.text += piece

    def line_at(self, offset: int) -> int:
        k = 0
        while k + 1 < len(self.starts) and self.starts[k + 1] <= offset:
            k += 1
        return self.lines[k]


def _paragraphs(lines: list[str], first: int, skip: set[int]) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    blank_before = True
    for i in range(first, len(lines)):
        line = lines[i]
        if i in skip or is_table_line(line) or is_blank(line):
            if i in skip or is_table_line(line):
                current = None
            blank_before = True
            continue
        piece = bullet_text(line) if is_bullet(line) else clean(line)
        joins = current is not None and not is_bullet(line) and (
            not blank_before or starts_lower(piece))
        if not joins:
            current = _Paragraph()
            paragraphs.append(current)
        assert current is not None
        current.add(i, piece)
        blank_before = False
    return paragraphs


def _role(sentence: str, start: int, end: int, prev_end: int, prev_role: FactRole | None,
          unit: str | None) -> FactRole:
    roles = _roles()
    after = fold(sentence[end:end + 40])
    for role, cues in roles.after.items():
        if any(re.match(rf"\W*{re.escape(c)}\b", after) or f" {c}" in f" {after}"[:30]
               for c in cues):
            return role  # type: ignore[return-value]

    def nearest(window: str) -> str | None:
        best: tuple[int, str] | None = None
        folded = fold(window) + " "  # cues ending in a space must end a word
        for role, cues in roles.before.items():
            for cue in cues:
                for m in re.finditer(rf"\b{re.escape(cue)}", folded):
                    if best is None or m.start() > best[0]:
                        best = (m.start(), role)
        return best[1] if best else None

    found = nearest(sentence[prev_end:start])
    if found is None and prev_role not in (None, "target"):
        found = prev_role  # a later figure of a list shares the previous one's role
    elif found is None and prev_end > 0:
        firsts = [(m.start(), role) for role, cues in roles.before.items() for c in cues
                  for m in [re.search(rf"\b{re.escape(c)}", fold(sentence[:start]) + " ")] if m]
        found = min(firsts)[1] if firsts else None
    if found:
        return found  # type: ignore[return-value]
    if unit and unit not in _COUNT_UNITS_EXCLUDED:
        return "count"
    return "other"


def _cutoff(sentence: str, year: int) -> str | None:
    m = _CUTOFF_RE.search(sentence)
    if not m:
        return None
    return f"{int(m.group(1))} de {m.group(2).lower()} de {m.group(3) or year}"


def _excluded(curated: Curated | None, text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e, _ in curated.excluded_spans(text)] if curated else []


def _figures(text: str, excluded: list[tuple[int, int]]) -> list[NumberMatch]:
    return [m for m in find_numbers(text)
            if not any(s <= m.span[0] < e for s, e in excluded)]



_YEAR_RE = re.compile(r"(?<![\d.,$])\b((?:19|20)\d{2})\b(?!\s*(?:%|[.,]\d))")


def _cutoff(sentence: str, year: int) -> str | None:
    m = _CUTOFF_RE.search(sentence)
    if not m:
        return None
    return f"{int(m.group(1))} de {m.group(2).lower()} de {m.group(3) or year}"


def _period(text: str) -> str | None:
    """The year a text names for its figures ("META 2020", "vigencia 2020"): the last one."""
    years = [m.group(1) for m in _YEAR_RE.finditer(text)
             if not re.match(r"\s*-\s*(?:19|20)\d{2}", text[m.end():])
             and not re.search(r"(?:19|20)\d{2}\s*-\s*$", text[:m.start()])]
    return years[-1] if years else None


def _excluded(curated: Curated | None, text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e, _ in curated.excluded_spans(text)] if curated else []


def _figures(text: str, excluded: list[tuple[int, int]]) -> list[NumberMatch]:
    return [m for m in find_numbers(text)
            if not any(s <= m.span[0] < e for s, e in excluded)]


# ----------------------------------------------------------------------------- attribution


_ACCENTS = str.maketrans("áéíóúüñàèìòùâêîôûÁÉÍÓÚÜÑÀÈÌÒÙÂÊÎÔÛ",
                         "aeiouunaeiouaeiouAEIOUUNAEIOUAEIOU")


def _light(text: str) -> str:
    """Lower case without accents, same length: cue words are matched on this."""
    return text.translate(_ACCENTS).lower()


@lru_cache(maxsize=256)
def _cue_regex(cues: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})")


def _last_cue(text: str, groups: dict[str, list[str]]) -> tuple[int, str] | None:
    """(position, meaning) of the cue that starts last in a text (folded, word prefixes); of
    two cues starting at one place the longer wins."""
    folded = _light(text) + " "
    best: tuple[int, int, str] | None = None
    for meaning, cues in groups.items():
        last = None
        for last in _cue_regex(tuple(cues)).finditer(folded):  # noqa: B007
            pass
        if last is not None:
            key = (last.start(), len(last.group()))
            if best is None or key > best[:2]:
                best = (key[0], key[1], meaning)
    return (best[0], best[2]) if best else None


def _starts_with(text: str, cues: list[str]) -> bool:
    """The text opens with a cue, with no punctuation before it ("90% DE LAS CUALES")."""
    if not re.match(r"\s*\w", text):
        return False
    folded = _light(text[:80]).lstrip()
    return any(re.match(rf"{re.escape(c)}\b", folded) for c in cues)


def _contains(text: str, cues: list[str]) -> bool:
    folded = _light(text)
    return any(re.search(rf"(?<!\w){re.escape(c)}\b", folded) for c in cues)


def _ends_with(text: str, cues: list[str]) -> bool:
    folded = re.sub(r"[\s,;:]+$", "", _light(text[-60:]))
    return any(re.search(rf"(?<!\w){re.escape(c)}$", folded) for c in cues)


def _meaning(sentence: str, clause: tuple[int, int], start: int, end: int, prev_end: int,
             prev: Meaning | None, unit: str | None, label: str = "") -> Meaning:
    cues = _meanings()
    found = _last_cue(label + " " + sentence[:start], cues.sentence)
    if found:
        return found[1]  # type: ignore[return-value]
    after = _light(sentence[end:end + 40])
    for meaning, words in cues.after.items():
        if any(re.match(rf"\W*{re.escape(c)}\b", after) for c in words):
            return meaning  # type: ignore[return-value]
    window = sentence[max(prev_end, clause[0]):start]
    found = _last_cue(window, cues.before)
    if found is None and prev_end <= clause[0]:  # the clause's first figure: its whole lead
        found = _last_cue(label + " " + sentence[clause[0]:start], cues.before)
    if found:
        return found[1]  # type: ignore[return-value]
    if prev is not None and prev not in ("target", "total", "other"):
        return prev
    if unit == "%":
        return "share"
    if unit in ("COP", "USD"):
        return "amount"
    if unit is not None and unit in unit_words():
        return "count"
    return "other"


_CHAIN_RE = re.compile(
    r"\s+(?P<de>de|del)\s+(?:(?P<art>la|las|los|el)\s+)?(?P<w1>[^\W\d_][\w-]*)"
    r"(?:\s+(?P<w2>[^\W\d_][\w-]*))?", re.IGNORECASE)


def _counted(sentence: str, m: NumberMatch, previous: ParsedFact | None) -> str | None:
    """What a figure counts: its unit word and the "de ..." phrase after it ("familias de
    población migrante", "proyectos de nueva inversión"); for a percentage, what it is of."""
    if m.unit is None:
        return None
    shown = sentence[m.span[0]:m.span[1]]
    words = re.findall(r"[^\W\d_]+", shown)
    word_unit = m.unit in unit_words()
    unit_word = words[-1] if words and word_unit else None
    if word_unit and unit_word is None:
        if previous is not None and previous.unit == m.unit:
            return previous.counted  # "46 EVENTOS, 16 organizados": the unit was shared
        return m.unit
    if m.unit in ("COP", "USD") or (not word_unit and m.unit != "%"):
        return None
    parts = [unit_word] if unit_word else []
    ends = function_words()["phrase_end"]
    pos = m.span[1]
    for _ in range(2):
        chain = _CHAIN_RE.match(sentence, pos)
        if not chain or fold(chain.group("w1")) in ends:
            break
        if parts and (chain.group("art") or fold(chain.group("de")) == "del"):
            break  # "trajes de protección del gobierno": an article opens another thing
        phrase_end = chain.end("w1")
        w1, w2 = chain.group("w1"), chain.group("w2")
        if w2 and not w1[0].isupper() and not w2[0].isupper() and fold(w2) not in ends:
            phrase_end = chain.end("w2")
        piece = sentence[pos:phrase_end].strip()
        if not parts:  # a percentage: "el 64 % de las PQRS" counts PQRS
            piece = sentence[chain.start("w1"):phrase_end]
        parts.append(piece)
        pos = phrase_end
    text = " ".join(parts).strip()
    return text or None


class _Names:
    """Proper names of clauses, minus figures' own words (currency codes, unit words)."""

    def __init__(self, casing: Casing) -> None:
        self.casing = casing
        self.units = {fold(w) for w in unit_words()} | {"cop", "usd", "uds", "us", "mil", "mm"}

    def of(self, text: str, figures: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        out = []
        for s, e, name in proper_names(text, self.casing):
            if any(s < fe and fs < e for fs, fe in figures):
                continue
            if all(fold(w) in self.units for w in name.split()):
                continue
            out.append((s, e, name))
        return out


def _subject(names: list[tuple[int, int, str]], at: int, text: str = "") -> str | None:
    """The name before the figure nearest to it; else the first one after it, unless it is
    the purpose of the figure ("pruebas rápidas para Covid-19")."""
    before = [n for s, _, n in names if s < at]
    if before:
        return before[-1]
    words = function_words()
    for s, _, n in names:
        lead = [w for w in fold(text[max(0, s - 24):s]).split() if w not in words["articles"]]
        if not lead or lead[-1] not in words["purpose"]:
            return n
    return None


@dataclass
class _Builder:
    """Collects clauses and facts of one report, numbering them as they come."""

    year: int
    names: _Names
    section_of: object
    curated: Curated | None = None
    facts: list[ParsedFact] = field(default_factory=list)
    clauses: list[ParsedClause] = field(default_factory=list)
    sentence_count: int = 0

    def text(self, text: str, excluded: list[tuple[int, int]], line_of, source: FactSource,
             context: str | None = None, label: str = "", row_subject: str | None = None,
             cell: dict | None = None) -> None:
        for s_start, s_end in sentences(text):
            self._sentence(text[s_start:s_end], s_start, excluded, line_of, source, context,
                           label, row_subject, cell)

    def _sentence(self, sentence: str, offset: int, excluded: list[tuple[int, int]], line_of,
                  source: FactSource, context: str | None, label: str,
                  row_subject: str | None, cell: dict | None) -> None:
        sentence_id = self.sentence_count
        self.sentence_count += 1
        shifted = [(s - offset, e - offset) for s, e in excluded
                   if offset <= s < offset + len(sentence)]
        figures = _figures(sentence, shifted)
        spans = [m.span for m in figures]
        names = self.names.of(sentence, spans)
        shown = f"{context}: {sentence}" if context else sentence
        clause_ids: list[tuple[int, int, int]] = []
        for c_start, c_end in clauses(sentence, shifted):
            line = line_of(offset + c_start)
            c_names = [n for n in names if c_start <= n[0] < c_end]
            c_text = sentence[c_start:c_end]
            if context:
                c_text = f"{context}: {c_text}"
            clause = ParsedClause(
                index=len(self.clauses), section=self.section_of(line), line=line + 1,
                line_end=line_of(offset + max(c_start, c_end - 1)) + 1, text=c_text.strip(),
                source=source, subject=_subject(c_names, c_end, sentence) or row_subject,
                entities=[n for _, _, n in c_names], sentence=sentence_id)
            self.clauses.append(clause)
            clause_ids.append((c_start, c_end, clause.index))
        cues = _meanings()
        prev_end, prev_role = 0, None
        previous: ParsedFact | None = None
        cutoff = _cutoff(sentence, self.year)
        named = [(s, e) for s, e, x in self.curated.excluded_spans(sentence)
                 if x.kind not in ("year", "date")] \
            if self.curated and _YEAR_RE.search(sentence) else []
        unnamed = sentence
        for s, e in named:
            unnamed = unnamed[:s] + " " * (e - s) + unnamed[e:]
        period = _period(label + " " + unnamed)
        for m in figures:
            start, end = m.span
            c_start, c_end, c_index = next(
                (c for c in clause_ids if c[0] <= start < c[1]), clause_ids[-1])
            line = line_of(offset + start)
            c_names = [n for n in names if c_start <= n[0] < c_end]
            same_clause = previous is not None and previous.clause_index == c_index
            alike = previous is not None and _unit_kind(previous.unit) == _unit_kind(m.unit)
            meaning = _meaning(sentence, (c_start, c_end), start, end,
                               prev_end if same_clause else c_start,
                               previous.meaning if same_clause and alike and previous else None,
                               m.unit, label)
            part_of = None
            if previous is not None and (
                    (same_clause and _contains(sentence[prev_end:start], cues.part_of))
                    or _starts_with(sentence[end:], cues.part_of)):
                part_of = previous.index
            counted = _counted(sentence, m, previous)
            if part_of is not None and counted is None and m.unit == "%":
                counted = previous.counted if previous else None  # "90% de las cuales"
            fact = ParsedFact(
                section=self.section_of(line), line=line + 1, raw=m.raw, value=m.value,
                unit=m.unit, scale=m.scale, sentence=shown.strip(),
                role=_role(sentence, start, end, prev_end, prev_role, m.unit),
                cutoff=cutoff, index=len(self.facts), source=source, meaning=meaning,
                counted=counted,
                subject=_subject(c_names, start, sentence) or row_subject, period=period,
                total=_ends_with(sentence[max(prev_end, c_start):start], cues.total),
                part_of=part_of, clause=self.clauses[c_index].text,
                clause_line=self.clauses[c_index].line, clause_index=c_index,
                **(cell or {}))
            self.facts.append(fact)
            prev_end, prev_role, previous = end, fact.role, fact


def _unit_kind(unit: str | None) -> str | None:
    """Money and its percentages ("el 55%, es decir $11 millones") are one kind; a counted
    thing is its own ("$346 millones ... a 450 familias" are two)."""
    return "money" if unit in ("COP", "USD", "%") else unit


def _box_label(paragraphs: list[_Paragraph], k: int) -> str:
    """The capitalised labels above a box's description ("DATOS 2020", "ROI", "INDICADOR")."""
    labels: list[str] = []
    j = k - 1
    while j >= 0 and len(labels) < 3:
        text = paragraphs[j].text
        if not (is_upper(text) and len(text.split()) <= 8) or re.search(r"\d[\d.,]*\s", text):
            break
        labels.insert(0, text)
        j -= 1
    return " ".join(labels)


def _section_of(sections: list[ParsedSection]):
    def section_of(line: int) -> str:
        s = section_at(sections, line + 1)
        return s.number if s else "0"
    return section_of


def _prose(builder: _Builder, lines: list[str], first: int, skip: set[int],
           curated: Curated | None) -> None:
    paragraphs = _paragraphs(lines, first, skip)
    for k, para in enumerate(paragraphs):
        excluded: list[tuple[int, int]] = []
        for line, start in zip(para.lines, para.starts, strict=True):
            piece = bullet_text(lines[line]) if is_bullet(lines[line]) else clean(lines[line])
            excluded += [(start + s, start + e) for s, e in _excluded(curated, piece)]
        standalone = len(para.text.split()) <= 6 and re.match(r"\$?\d", para.text) is not None
        context = label = None
        if standalone and k > 0:
            context = paragraphs[k - 1].text
            label = _box_label(paragraphs, k - 1)
        source: FactSource = "highlight" if standalone or is_upper(para.text) else "prose"
        builder.text(para.text, excluded, para.line_at, source, context, label or "",
                     row_subject=context if standalone else None)


def _row_quote(table: ParsedTable, cells: list[str]) -> str:
    parts = []
    for name, text in zip(table.header, cells, strict=False):
        if text:
            parts.append(f"{name}: {text}" if name.strip() else text)
    return " · ".join(parts)


def _cells(builder: _Builder, tables: list[ParsedTable], curated: Curated | None) -> None:
    """Each figure cell is a fact; figures inside descriptive cells are read like prose."""
    for table in tables:
        columns = {c.index: c for c in table.columns}
        for r, row in enumerate(table.rows):
            texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c.raw)).strip()
                     for c in row.cells]
            quote = _row_quote(table, texts)
            label = table.row_label(row) or next((t for t in texts if t), "")
            for k, cell in enumerate(row.cells):
                column = columns.get(k)
                where = {"table_key": table.key, "row_index": r, "col_index": k,
                         "header": table.header[k] if k < len(table.header) else None}
                if cell.value is not None:
                    header = table.header[k] if k < len(table.header) else ""
                    builder.facts.append(ParsedFact(
                        section=table.section, line=row.line, raw=cell.raw, value=cell.value,
                        unit=cell.unit, scale=cell.scale, sentence=quote,
                        role=_old_role(column.meaning if column else "other"),
                        cutoff=column.cutoff if column else None, index=len(builder.facts),
                        source="cell", meaning=column.meaning if column else "other",
                        counted=header or None, subject=label or None,
                        period=column.period if column else None, total=row.total,
                        clause=quote, clause_line=row.line, **where))
                    continue
                if not re.search(r"\d", cell.raw):
                    continue
                context = label if k > 0 and label != texts[k] else None
                builder.text(texts[k], _excluded(curated, texts[k]),
                             lambda _o, line=row.line: line - 1, "cell", context,
                             row_subject=label or None, cell=where)


_OLD_ROLES: dict[str, FactRole] = {
    "target": "target", "result": "result", "budgeted": "budget", "final_budget": "budget",
    "executed": "execution", "collected": "execution", "count": "count",
}


def _old_role(meaning: str) -> FactRole:
    return _OLD_ROLES.get(meaning, "other")


def _echo_meanings(facts: list[ParsedFact]) -> None:
    """A box figure with no cue of its own repeats a figure of the text: it means the same."""
    specific = {}
    for f in facts:
        if f.source == "prose" and f.meaning not in ("amount", "count", "other", "share"):
            specific.setdefault((f.section.split(".")[0], f.value, f.unit, f.scale), f.meaning)
    for f in facts:
        if f.source == "highlight" and f.meaning in ("amount", "count", "other"):
            f.meaning = specific.get((f.section.split(".")[0], f.value, f.unit, f.scale),
                                     f.meaning)


def extract_facts(lines: list[str], first: int, skip: set[int], sections: list[ParsedSection],
                  tables: list[ParsedTable], curated: Curated | None,
                  year: int) -> tuple[list[ParsedFact], list[ParsedClause]]:
    """Every figure of the prose, highlights and tables (in line order) and every clause."""
    builder = _Builder(year=year, names=_Names(Casing(lines)), section_of=_section_of(sections),
                       curated=curated)
    _prose(builder, lines, first, skip, curated)
    _cells(builder, tables, curated)
    facts = sorted(builder.facts, key=lambda f: (f.line, f.col_index or 0))
    renumber = {f.index: k for k, f in enumerate(facts)}
    for k, f in enumerate(facts):
        f.index = k
        f.part_of = renumber.get(f.part_of) if f.part_of is not None else None
    _echo_meanings(facts)
    return facts, builder.clauses


def prose_facts(lines: list[str], first: int, skip: set[int], sections: list[ParsedSection],
                curated: Curated | None, year: int) -> list[ParsedFact]:
    """The figures of the prose and highlights only (the first ingest's view)."""
    facts, _ = extract_facts(lines, first, skip, sections, [], curated, year)
    return facts
