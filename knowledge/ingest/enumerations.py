"""Enumerations: the lists a report presents as such, found by general rules.

A list is introduced by a line that ends with ":" (or a capitalised heading) and written in one
of four shapes:
- numbered: loose "01", "02"... lines, each followed by the item ("LABEL:" + text, or a sentence);
- labeled: capitalised label lines ("AGRONEGOCIOS:", "VINCULACIÓN") with text or bullets under each;
- bullets: "- item" lines ("- **Bold label** rest" gives label + description);
- inline: one sentence "intro: item; item; item." (or "incluye: a, b y c").
Keys are made of the section number and the intro's words; a per-report overlay may rename them.
Nothing here knows a particular report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.ingest.sections import section_at
from knowledge.model import EnumerationItem, ParsedEnumeration, ParsedSection
from knowledge.numbers import SPELLED
from knowledge.text import (
    bullet_text,
    clean,
    fold,
    is_blank,
    is_bullet,
    is_table_line,
    is_upper,
    shorten,
    starts_lower,
)

_MARKER_RE = re.compile(r"^\s*(\d{2})\s*$")
_BOLD_LEAD_RE = re.compile(r"^\s*-\s*(?:▀\s*)?\*\*(.+?)\*\*\s*(.*)$")
# "intro: a; b; c" always; "intro: a, b y c" only after a word that announces a list.
_INLINE_LEAD_RE = re.compile(
    r"(?:\b(?:incluye|incluyen|siguientes|son|includes|include|following)\s*:)", re.IGNORECASE)
_COUNT_RE = re.compile(r"(?<![\d.,$])\b(\d{1,3}|" + "|".join(SPELLED) + r")\s+([^\W\d_]{3,}s)\b",
                       re.IGNORECASE)
_NOT_COUNTED = {"millones", "miles", "billones", "pesos", "dolares", "años", "anos", "meses",
                "dias", "horas", "veces"}


@dataclass
class FoundList:
    """A list as ingest found it, with what its intro announces (for contradiction checks)."""

    enumeration: ParsedEnumeration
    intro: str  # the intro line as a reader sees it ("" when the list follows a heading)
    intro_line: int  # 1-based
    announced: int | None = None  # "ESTRATEGIA ... EN 5 FASES:" -> 5
    announced_quote: str = ""
    announced_line: int | None = None


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


def _numbered(lines: list[str], start: int, end: int) -> tuple[list[EnumerationItem], int]:
    items: list[EnumerationItem] = []
    i = start
    last = start
    while i <= end:
        m = _MARKER_RE.match(lines[i])
        if not m:
            if items and not is_blank(lines[i]):
                break  # prose after the last item's paragraph ends the list
            i += 1
            continue
        if int(m.group(1)) != len(items) + 1:
            break
        j = i + 1
        while j <= end and is_blank(lines[j]):
            j += 1
        if j > end or _MARKER_RE.match(lines[j]):
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
        last = nxt - 1
        i = nxt
    return items, last


def _is_label(line: str) -> bool:
    if is_bullet(line) or is_table_line(line) or _MARKER_RE.match(line):
        return False
    head = clean(line).partition(":")[0]
    if head[:1].isdigit():
        return False  # a figure in capitals ("2.800 MILLONES DE PESOS"), not a label
    return len(head) < 80 and sum(c.isalpha() for c in head) >= 2 and is_upper(head)


def _labeled(lines: list[str], start: int, end: int) -> tuple[list[EnumerationItem], int]:
    items: list[EnumerationItem] = []
    parts: list[str] = []
    bullets = False
    prose = False
    last = start

    def close() -> None:
        if items:
            items[-1].description = "; ".join(p for p in parts if p)

    for i in range(start, end + 1):
        line = lines[i]
        if is_blank(line):
            continue
        if _is_label(line) and not (items and not parts):
            close()
            head, _, rest = clean(line).partition(":")
            items.append(EnumerationItem(position=len(items) + 1, label=head.strip(), line=i + 1))
            parts, bullets, prose = ([rest.strip()] if rest.strip() else []), False, bool(rest)
            last = i
            continue
        if not items or is_table_line(line) or _MARKER_RE.match(line):
            break
        if is_bullet(line):
            parts.append(bullet_text(line))
            bullets = True
        elif bullets or _is_label(line):
            break  # prose after the list
        elif prose and not starts_lower(line):
            if _label_ahead(lines, i, end):
                # Labels over paragraphs of prose are sub-headings of a text, not a list.
                return [], start
            break  # prose after the list
        else:
            if prose and parts:
                parts[-1] = f"{parts[-1]} {clean(line)}"
            else:
                parts.append(clean(line))
            prose = True
        last = i
    close()
    if items and not items[-1].description:
        items.pop()  # a label with nothing under it is the next heading, not an item
    return items, last


def _label_ahead(lines: list[str], i: int, end: int, paragraphs: int = 4) -> bool:
    """Whether a label line comes within a few prose paragraphs (no table, bullet or marker)."""
    seen = 0
    for j in range(i + 1, end + 1):
        line = lines[j]
        if is_blank(line):
            continue
        if _is_label(line):
            return True
        if is_table_line(line) or is_bullet(line) or _MARKER_RE.match(line):
            return False
        if not starts_lower(line):
            seen += 1
            if seen > paragraphs:
                return False
    return False


def _bullets(lines: list[str], start: int, end: int) -> tuple[list[EnumerationItem], int]:
    items: list[EnumerationItem] = []
    blanks = 0
    last = start
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
            last = i
        elif items and starts_lower(line) and not is_table_line(line):
            items[-1].label = f"{items[-1].label} {clean(line)}"  # a bullet wrapped by the PDF
            last = i
        else:
            break
    return items, last


def inline_items(text: str, lead_end: int, line: int) -> list[EnumerationItem]:
    """Items of "intro: a; b; c." starting at `lead_end` of a clean line."""
    tail = text[lead_end:]
    tail = re.split(r"(?<=[a-záéíóúñ)])\.\s", tail)[0].strip().rstrip(".")
    pieces = tail.split(";") if ";" in tail else re.split(r",\s*|\s+y\s+", tail)
    return [EnumerationItem(position=k, label=p.strip(), line=line)
            for k, p in enumerate((p for p in pieces if p.strip()), start=1)]


def _inline(text: str, line: int) -> tuple[str, list[EnumerationItem]] | None:
    colon = text.find(":")
    if colon < 0:
        return None
    tail = text[colon + 1:]
    first_sentence = re.split(r"(?<=[a-záéíóúñ)])\.\s", tail)[0]
    lead = re.split(r"(?<=[.!?])\s+", text[:colon])[-1]
    if len(lead) > 100 and not _INLINE_LEAD_RE.search(text[:colon + 1]):
        return None  # a colon inside a long sentence explains; it does not list
    if first_sentence.count(";") >= 2 or (
            _INLINE_LEAD_RE.search(text[:colon + 1]) and first_sentence.count(",") >= 1):
        items = inline_items(text, colon + 1, line)
        if len(items) >= 2 and all(len(i.label) < 200 for i in items):
            return text[:colon].strip(), items
    return None


def _slug(text: str) -> str:
    words = [w for w in fold(text).split() if len(w) > 2][-5:]
    return "-".join(words)[:40].strip("-") or "lista"


def _title(intro: str, section: ParsedSection | None) -> str:
    text = intro.rstrip(":").strip()
    if not text:
        return section.title if section else ""
    # The words that name the list: the clause that introduces it.
    parts = re.split(r"(?<=[.;])\s+", text)
    return shorten(parts[-1], 160)


def _counts(text: str) -> list[re.Match[str]]:
    return [m for m in _COUNT_RE.finditer(text) if fold(m.group(2)) not in _NOT_COUNTED]


def count_value(word: str) -> int:
    return int(word) if word.isdigit() else SPELLED[word.lower()]


def _announced(intro: str, before: str) -> tuple[int | None, str]:
    """A count the intro announces ("EN 5 FASES:", "cinco líneas ...:"), or the section text
    before the list does ("a través de 8 sectores") for a plural noun the intro names."""
    clause = _title(intro, None)
    found = _counts(clause)
    if found:
        return count_value(found[0].group(1)), clause
    nouns = {fold(w)[:5] for w in clause.split() if fold(w).endswith("s") and len(w) > 4}
    for sentence in re.split(r"(?<=[.:;])\s+", before):
        for m in _counts(sentence):
            if fold(m.group(2))[:5] in nouns:
                return count_value(m.group(1)), sentence.strip()
    return None, ""


def _intro_before(lines: list[str], i: int, lo: int) -> int | None:
    """0-based index of the line introducing a list that starts at line i, if any."""
    j = i - 1
    while j >= lo and is_blank(lines[j]):
        j -= 1
    if j < lo or is_table_line(lines[j]):
        return None
    text = clean(lines[j])
    if text.endswith(":") or (is_upper(text) and len(text) < 160 and not is_bullet(lines[j])):
        return j
    return None


def find_lists(lines: list[str], body_start: int, sections: list[ParsedSection],
               skip: set[int]) -> list[FoundList]:
    """Every list of the report body, in reading order."""
    found: list[FoundList] = []
    used: set[int] = set()  # 0-based lines already part of a list

    def add(kind_items: list[EnumerationItem], intro_at: int | None, section: ParsedSection,
            last: int) -> None:
        intro = clean(lines[intro_at]) if intro_at is not None else ""
        if len(kind_items) < 2:
            return
        first = kind_items[0].line - 1
        used.update(range(first, last + 1))
        before = " ".join(clean(x) for x in lines[section.line_start:first] if not is_blank(x))
        announced, quote = _announced(intro, before)
        title = _title(intro, section)
        if intro_at is not None and intro_at in skip and section.parent:
            parent = next((s for s in sections if s.number == section.parent), None)
            if parent is not None:
                title = f"{parent.title}: {section.title}"
        enumeration = ParsedEnumeration(key="", title=title, section=section.number,
                                        items=kind_items)
        announced_line = None
        if quote:
            announced_line = (intro_at + 1 if quote == intro and intro_at is not None
                              else _line_of(lines, quote, section))
        found.append(FoundList(enumeration, intro,
                               (intro_at + 1) if intro_at is not None else section.line_start,
                               announced, quote, announced_line))

    for section in sections:
        lo = section.line_start  # 0-based index of the line after the heading line
        hi = section.line_end - 1
        i = lo
        while i <= hi:
            line = lines[i]
            if i in skip or i in used or is_blank(line) or is_table_line(line):
                i += 1
                continue
            if _MARKER_RE.match(line) and int(_MARKER_RE.match(line).group(1)) == 1:
                items, last = _numbered(lines, i, hi)
                if len(items) >= 2:
                    add(items, _intro_before(lines, i, lo), section, last)
                    i = last + 1
                    continue
            if is_bullet(line):
                text = bullet_text(line)
                if text.endswith(":") and i + 1 <= hi:
                    items, last = _bullets(lines, i + 1, hi)
                    if len(items) >= 2:
                        add(items, i, section, last)
                        i = last + 1
                        continue
                items, last = _bullets(lines, i, hi)
                intro_at = _intro_before(lines, i, lo)
                if len(items) >= 2 and intro_at is not None:
                    add(items, intro_at, section, last)
                    i = last + 1
                    continue
                i = max(last, i) + 1
                continue
            text = clean(line)
            nxt = i + 1
            while nxt <= hi and is_blank(lines[nxt]):
                nxt += 1
            is_intro = not text[:1].isdigit() and (
                text.endswith(":") or (is_upper(text) and len(text) < 160))
            if is_intro and nxt <= hi and _is_label(lines[nxt]):
                items, last = _labeled(lines, nxt, hi)
                if len(items) >= 2:
                    add(items, i, section, last)
                    i = last + 1
                    continue
            inline = _inline(text, i + 1)
            if inline is not None:
                intro, items = inline
                intro_at = i
                if len(items) >= 2:
                    announced, quote = _announced(intro, "")
                    enumeration = ParsedEnumeration(key="", title=_title(intro, section),
                                                    section=section.number, items=items)
                    found.append(FoundList(enumeration, intro, intro_at + 1, announced, quote,
                                           intro_at + 1 if quote else None))
            i += 1
    _assign_keys(found)
    return found


def _line_of(lines: list[str], quote: str, section: ParsedSection) -> int | None:
    probe = quote[:60]
    for k in range(section.line_start - 1, section.line_end):
        if probe and probe in clean(lines[k]):
            return k + 1
    return None


def _assign_keys(found: list[FoundList]) -> None:
    used: set[str] = set()
    for f in found:
        e = f.enumeration
        base = f"{e.section}-{_slug(e.title)}"[:60]
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        e.key = key


def parse_enumerations(lines: list[str], body_start: int, sections: list[ParsedSection],
                       skip: set[int]) -> list[ParsedEnumeration]:
    return [f.enumeration for f in find_lists(lines, body_start, sections, skip)]


__all__ = ["FoundList", "find_lists", "inline_items", "parse_enumerations", "section_at"]
