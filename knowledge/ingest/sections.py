"""Table of contents and the section tree of the body.

Headings are loose lines: a chapter is a two-digit line ("03") followed by its title line; a
section is "3.2" followed by its title line, or "4.3.1 TITLE" on one line. The same shapes are
also used for other things, which is why the table of contents drives recognition:
- two-digit lines are also numbered list items ("01".."12") and decorative chapter repeats;
- a section number is repeated as a table caption on a page break ("4.3.2 PROYECTOS ...", "5.2").
A chapter heading must be the next chapter number AND be followed by that chapter's TOC title; a
section heading must be in the TOC and not seen before. Without a TOC, a chapter is the next
number followed by a capitalised title that does not end with ":" (list labels do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.errors import IngestError
from knowledge.model import ParsedSection
from knowledge.text import clean, fold, is_blank, is_upper

_CHAPTER_RE = re.compile(r"^\s*(\d{2})\s*$")
_SECTION_RE = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){1,2})\.?(?:\s+(\S.*))?$")
_TOC_ENTRY_RE = re.compile(r"^\s*-\s*(\d{1,2}(?:\.\d{1,2}){1,2})\.?\s+(.+)$")


@dataclass
class Toc:
    """The table of contents: chapter and section titles by number, and where the body starts."""

    chapters: dict[str, str] = field(default_factory=dict)  # "3" -> "ATRACCIÓN DE INVERSIÓN"
    sections: dict[str, str] = field(default_factory=dict)  # "3.2" -> "Indicadores de inversión"
    start: int = 0  # 0-based index of the first TOC line
    body_start: int = 0  # 0-based index of the first body line

    def entries(self) -> list[tuple[str, str]]:
        merged = {**self.chapters, **self.sections}
        return sorted(merged.items(), key=lambda kv: [int(p) for p in kv[0].split(".")])


def _next_nonblank(lines: list[str], i: int) -> int | None:
    j = i + 1
    while j < len(lines) and is_blank(lines[j]):
        j += 1
    return j if j < len(lines) else None


def parse_toc(lines: list[str]) -> Toc:
    start = next((i for i, line in enumerate(lines) if fold(line) == "tabla de contenido"), None)
    if start is None:
        return Toc()
    toc = Toc(start=start, body_start=start)
    last_chapter = 0
    last_section: str | None = None
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if is_blank(line) or fold(line) == "tabla de contenido":
            last_section = None if is_blank(line) else last_section
            i += 1
            continue
        chapter = _CHAPTER_RE.match(line)
        if chapter:
            number = int(chapter.group(1))
            if number <= last_chapter:
                toc.body_start = i  # numbering restarts: the body begins here
                return toc
            title_at = _next_nonblank(lines, i)
            if title_at is None:
                break
            toc.chapters[str(number)] = clean(lines[title_at])
            last_chapter, last_section = number, None
            i = title_at + 1
            continue
        entry = _TOC_ENTRY_RE.match(line)
        if entry:
            last_section = entry.group(1)
            toc.sections[last_section] = clean(entry.group(2)).rstrip(".")
        elif last_section is not None:  # a title wrapped onto the next line
            toc.sections[last_section] = f"{toc.sections[last_section]} {clean(line)}".rstrip(".")
        else:
            break
        i += 1
    toc.body_start = i
    return toc


@dataclass
class _Heading:
    number: str
    title: str
    line: int  # 0-based heading line
    title_line: int  # 0-based line holding the title


def _titles_match(body_title: str, toc_title: str) -> bool:
    return fold(body_title) == fold(toc_title)


def _find_headings(lines: list[str], toc: Toc) -> list[_Heading]:
    headings: list[_Heading] = []
    chapter = 0
    seen: set[str] = set()
    i = toc.body_start
    while i < len(lines):
        line = lines[i]
        m_chapter = _CHAPTER_RE.match(line)
        if m_chapter:
            number = int(m_chapter.group(1))
            title_at = _next_nonblank(lines, i)
            if number > chapter and title_at is not None:
                title = clean(lines[title_at])
                if toc.chapters:
                    ok = _titles_match(title, toc.chapters.get(str(number), "\x00"))
                else:
                    ok = number == chapter + 1 and is_upper(title) and not title.endswith(":")
                if ok:
                    headings.append(_Heading(str(number), title, i, title_at))
                    chapter = number
                    i = title_at + 1
                    continue
        m_section = _SECTION_RE.match(line)
        if m_section and chapter:
            number = m_section.group(1)
            known = number in toc.sections if toc.sections else True
            if number.split(".")[0] == str(chapter) and known and number not in seen:
                inline = m_section.group(2)
                title_at = i if inline else _next_nonblank(lines, i)
                if title_at is not None:
                    title = clean(inline) if inline else clean(lines[title_at])
                    if toc.sections or is_upper(title):
                        headings.append(_Heading(number, title, i, title_at))
                        seen.add(number)
                        i = title_at + 1
                        continue
        i += 1
    return headings


def parse_sections(lines: list[str], toc: Toc) -> list[ParsedSection]:
    """Chapters and numbered sections with their own text (up to the next heading)."""
    headings = _find_headings(lines, toc)
    if not any("." not in h.number for h in headings):
        raise IngestError(
            "El texto no tiene estructura de informe: no se encontraron capítulos "
            "(líneas '01', '02'... seguidas de su título)."
        )
    sections: list[ParsedSection] = []
    for k, h in enumerate(headings):
        end = headings[k + 1].line - 1 if k + 1 < len(headings) else len(lines) - 1
        while end > h.title_line and not lines[end].strip():
            end -= 1
        body = [clean(line) if "\t" not in line else line.replace("\\$", "$").strip()
                for line in lines[h.title_line + 1:end + 1]]
        parts = h.number.split(".")
        sections.append(ParsedSection(
            number=h.number, title=h.title, level=len(parts),
            parent=".".join(parts[:-1]) or None,
            line_start=h.line + 1, line_end=end + 1,
            text="\n".join(b for b in body if b),
        ))
    return sections


def section_at(sections: list[ParsedSection], line: int) -> ParsedSection | None:
    """The innermost section holding a 1-based line."""
    found = None
    for s in sections:
        if s.line_start <= line <= s.line_end:
            found = s
    return found
