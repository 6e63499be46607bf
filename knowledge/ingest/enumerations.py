"""Enumerations: the lists the report presents as such, read where enumerations.yaml says.

The curated spec only gives the anchor line and the shape (numbered, labeled, bullets, inline);
labels and descriptions are read from the report text, so a changed report changes the items.
"""

from __future__ import annotations

import re

from bot.errors import IngestError
from knowledge.curated import Curated, EnumerationSpec, QuoteIndex
from knowledge.ingest.sections import section_at
from knowledge.model import EnumerationItem, ParsedEnumeration, ParsedSection
from knowledge.text import (
    bullet_text,
    clean,
    is_blank,
    is_bullet,
    is_table_line,
    is_upper,
    starts_lower,
)

_MARKER_RE = re.compile(r"^\s*(\d{2})\s*$")
_BOLD_LEAD_RE = re.compile(r"^\s*-\s*(?:▀\s*)?\*\*(.+?)\*\*\s*(.*)$")


def _split_label(text: str) -> tuple[str, str]:
    """ "C40:" -> ("C40", ""); "Promoción ...: POR QUÉ ..." -> ("Promoción ...", "POR QUÉ ...")."""
    head, sep, rest = text.partition(":")
    if sep and len(head) <= 120:
        return head.strip(), rest.strip()
    return text.strip(), ""


def _paragraph(lines: list[str], i: int, end: int) -> tuple[str, int]:
    """Text of the paragraph starting at line i (plus lower-case continuations); next line index."""
    parts: list[str] = []
    while i <= end and not is_blank(lines[i]):
        parts.append(clean(lines[i]))
        i += 1
    while True:
        j = i
        while j <= end and is_blank(lines[j]):
            j += 1
        if j <= end and parts and starts_lower(lines[j]) and not is_table_line(lines[j]):
            while j <= end and not is_blank(lines[j]):
                parts.append(clean(lines[j]))
                j += 1
            i = j
        else:
            return " ".join(parts), i


def _numbered(lines: list[str], start: int, end: int) -> list[EnumerationItem]:
    items: list[EnumerationItem] = []
    i = start
    while i <= end:
        m = _MARKER_RE.match(lines[i])
        if not m:
            if items and not is_blank(lines[i]) and not _MARKER_RE.match(lines[i]):
                # prose after the last item's paragraph ends the list
                break
            i += 1
            continue
        if int(m.group(1)) != len(items) + 1:
            break
        j = i + 1
        while j <= end and is_blank(lines[j]):
            j += 1
        if j > end:
            break
        first = clean(lines[j])
        if first.endswith(":"):
            label = first[:-1].strip()
            k = j + 1
            while k <= end and is_blank(lines[k]):
                k += 1
            description, nxt = _paragraph(lines, k, end) if k <= end else ("", k)
        else:
            text, nxt = _paragraph(lines, j, end)
            label, description = _split_label(text)
        items.append(EnumerationItem(position=len(items) + 1, label=label,
                                     description=description, line=j + 1))
        i = nxt
    return items


def _is_label(line: str) -> bool:
    if is_bullet(line) or is_table_line(line):
        return False
    head = clean(line).partition(":")[0]
    return len(head) < 80 and sum(c.isalpha() for c in head) >= 2 and is_upper(head)


def _labeled(lines: list[str], start: int, end: int, count: int | None) -> list[EnumerationItem]:
    items: list[EnumerationItem] = []
    parts: list[str] = []
    bullets = False
    prose = False

    def close() -> None:
        if items:
            items[-1].description = "; ".join(p for p in parts if p)

    for i in range(start, end + 1):
        line = lines[i]
        if is_blank(line):
            continue
        if _is_label(line) and (count is None or len(items) < count or not items):
            close()
            head, _, rest = clean(line).partition(":")
            items.append(EnumerationItem(position=len(items) + 1, label=head.strip(), line=i + 1))
            parts, bullets, prose = ([rest.strip()] if rest.strip() else []), False, bool(rest)
            continue
        if not items or is_table_line(line):
            break
        if is_bullet(line):
            parts.append(bullet_text(line))
            bullets = True
        elif bullets or (prose and not starts_lower(line)):
            break  # prose after the list
        else:
            if prose and parts:
                parts[-1] = f"{parts[-1]} {clean(line)}"
            else:
                parts.append(clean(line))
            prose = True
    close()
    return items


def _bullets(lines: list[str], start: int, end: int) -> list[EnumerationItem]:
    items: list[EnumerationItem] = []
    blanks = 0
    for i in range(start, end + 1):
        line = lines[i]
        if is_blank(line):
            blanks += 1
            if items and blanks >= 2:
                break
            continue
        blanks = 0
        if is_bullet(line):
            bold = _BOLD_LEAD_RE.match(line)
            label, description = ((clean(bold.group(1)), clean(bold.group(2))) if bold
                                  else (bullet_text(line), ""))
            items.append(EnumerationItem(position=len(items) + 1, label=label.rstrip(":"),
                                         description=description, line=i + 1))
        elif items and starts_lower(line):
            items[-1].label = f"{items[-1].label} {clean(line)}"  # a bullet wrapped by the PDF
        elif items:
            break
    return items


def _inline(lines: list[str], line: int, anchor: str) -> list[EnumerationItem]:
    text = clean(lines[line])
    tail = text[text.find(clean(anchor)) + len(clean(anchor)):]
    tail = re.split(r"(?<=[a-záéíóúñ)])\.\s", tail)[0].strip().rstrip(".")
    pieces = tail.split(";") if ";" in tail else re.split(r",\s*|\s+y\s+", tail)
    return [EnumerationItem(position=k, label=p.strip(), line=line + 1)
            for k, p in enumerate((p for p in pieces if p.strip()), start=1)]


def _extract(spec: EnumerationSpec, lines: list[str], index: QuoteIndex,
             sections: list[ParsedSection]) -> ParsedEnumeration:
    section = next((s for s in sections if s.number == spec.section), None)
    if section is None:
        raise IngestError(f"Enumeración '{spec.key}': la sección {spec.section} no existe")
    end = section.line_end - 1
    if spec.anchor is None:
        start = section.line_start  # the line after the heading (0-based)
    else:
        at = index.line_of(spec.anchor)
        if at is None:
            raise IngestError(f"Enumeración '{spec.key}': no se encontró «{spec.anchor}»")
        where = section_at(sections, at)
        if where is None or where.number != spec.section:
            raise IngestError(
                f"Enumeración '{spec.key}': «{spec.anchor}» no está en la sección {spec.section}")
        start = at  # 0-based index of the line after the anchor line
    if spec.kind == "numbered":
        items = _numbered(lines, start, end)
    elif spec.kind == "labeled":
        items = _labeled(lines, start, end, spec.count)
    elif spec.kind == "bullets":
        items = _bullets(lines, start, end)
    else:
        items = _inline(lines, start - 1, spec.anchor or "")
    if not items or (spec.count is not None and len(items) != spec.count):
        raise IngestError(
            f"Enumeración '{spec.key}': se esperaban {spec.count or 'algunos'} elementos y se "
            f"encontraron {len(items)}")
    return ParsedEnumeration(key=spec.key, title=spec.title, section=spec.section, items=items)


def parse_enumerations(lines: list[str], index: QuoteIndex, sections: list[ParsedSection],
                       curated: Curated | None) -> list[ParsedEnumeration]:
    if curated is None:
        return []
    return [_extract(spec, lines, index, sections) for spec in curated.enumerations]
