"""Line-level helpers for the PDF-converted report text."""

from __future__ import annotations

import re
import unicodedata

from knowledge.numbers import clean_markdown

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[¿¡\"“(]?[A-ZÁÉÍÓÚÑ])")
_ABBREVIATIONS = ("S.A.S.", "S.A.", "No.", "Dr.", "DR.", "etc.")


def split_lines(text: str) -> list[str]:
    """Report lines, 1-based by index + 1, as `cat -n` shows them."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def clean(line: str) -> str:
    """Markdown removed and whitespace folded: the text a reader sees."""
    return re.sub(r"[ \t\u00a0]+", " ", clean_markdown(line)).strip()


def fold(text: str) -> str:
    """Comparison key: no accents, casefolded, punctuation-insensitive, whitespace folded."""
    decomposed = unicodedata.normalize("NFKD", clean_markdown(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"\s+", " ", re.sub(r"[^\w%$]+", " ", plain)).strip()


def is_blank(line: str) -> bool:
    return not line.strip()


def is_upper(text: str) -> bool:
    """Mostly capital letters: headings, labels and highlighted phrases."""
    letters = [c for c in clean_markdown(text) if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def is_table_line(line: str) -> bool:
    return "\t" in line


def is_bullet(line: str) -> bool:
    return line.lstrip().startswith("- ")


def bullet_text(line: str) -> str:
    return clean(re.sub(r"^\s*-\s*(?:▀\s*)?", "", line))


def starts_lower(text: str) -> bool:
    stripped = clean(text)
    return bool(stripped) and stripped[0].islower()


def sentences(paragraph: str) -> list[tuple[int, int]]:
    """Sentence spans of a clean paragraph (periods inside abbreviations do not end one)."""
    masked = paragraph
    for abbr in _ABBREVIATIONS:
        masked = masked.replace(abbr, abbr.replace(".", "\x00"))
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(masked):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(paragraph)))
    return [(s, e) for s, e in spans if paragraph[s:e].strip()]
