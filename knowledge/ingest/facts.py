"""Facts: every figure of the prose, highlights and descriptive table cells, with its sentence.

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
from knowledge.model import FactRole, ParsedFact, ParsedSection, ParsedTable
from knowledge.numbers import DATA_DIR, NumberMatch, find_numbers
from knowledge.text import (
    bullet_text,
    clean,
    fold,
    is_blank,
    is_bullet,
    is_table_line,
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


def _facts_of(text: str, excluded: list[tuple[int, int]], line_of, section_of, year: int,
              context: str | None = None) -> list[ParsedFact]:
    facts: list[ParsedFact] = []
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        shifted = [(s - s_start, e - s_start) for s, e in excluded if s_start <= s < s_end]
        prev_end, prev_role = 0, None
        for m in _figures(sentence, shifted):
            line = line_of(s_start + m.span[0])
            shown = f"{context}: {sentence}" if context else sentence
            facts.append(ParsedFact(
                section=section_of(line), line=line + 1, raw=m.raw, value=m.value, unit=m.unit,
                scale=m.scale, sentence=shown.strip(),
                role=_role(sentence, m.span[0], m.span[1], prev_end, prev_role, m.unit),
                cutoff=_cutoff(sentence, year)))
            prev_end, prev_role = m.span[1], facts[-1].role
    return facts


def prose_facts(lines: list[str], first: int, skip: set[int], sections: list[ParsedSection],
                curated: Curated | None, year: int) -> list[ParsedFact]:
    def section_of(line: int) -> str:
        s = section_at(sections, line + 1)
        return s.number if s else "0"

    facts: list[ParsedFact] = []
    previous: _Paragraph | None = None
    for para in _paragraphs(lines, first, skip):
        excluded: list[tuple[int, int]] = []
        for line, start in zip(para.lines, para.starts, strict=True):
            piece = bullet_text(lines[line]) if is_bullet(lines[line]) else clean(lines[line])
            excluded += [(start + s, start + e) for s, e in _excluded(curated, piece)]
        standalone = len(para.text.split()) <= 6 and re.match(r"\$?\d", para.text) is not None
        context = previous.text if standalone and previous is not None else None
        facts += _facts_of(para.text, excluded, para.line_at, section_of, year, context)
        previous = para
    return facts


def table_facts(tables: list[ParsedTable], curated: Curated | None,
                year: int) -> list[ParsedFact]:
    """Figures inside descriptive cells ("Tiene una capacidad ... de 22.188,74 m ².")."""
    facts: list[ParsedFact] = []
    for table in tables:
        for row in table.rows:
            name = next((c.raw for c in row.cells if c.raw), "")
            for k, cell in enumerate(row.cells):
                if cell.value is not None or not re.search(r"\d", cell.raw):
                    continue
                text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell.raw)).strip()
                context = name if k > 0 and name != cell.raw else None
                facts += _facts_of(text, _excluded(curated, text), lambda _o, r=row: r.line - 1,
                                   lambda _line, t=table: t.section, year, context)
    return facts
