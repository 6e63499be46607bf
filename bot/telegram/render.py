"""An `Answer` as Telegram HTML: everything from the report escaped, figures in bold, notes in
italics, the source line at the end, split into pages that each fit in one message.

Lengths are counted in UTF-16 code units of the HTML itself, which is never less than what
Telegram counts (the text after entity parsing), so a page that fits here fits there.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

from bot.engine.answer import Answer, Source
from bot.engine.slots import MONTH_NAMES_ES
from bot.texts import say

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
PAGE_MARKER_RESERVE = 24  # room for "\n\n<i>Página 12/12</i>"
MAX_SOURCES_IN_FOOTER = 4

_MONTHS = "|".join(MONTH_NAMES_ES)
_DATE_TAIL = rf"\s+de\s+(?:{_MONTHS})\b"
_NOTE_ID = re.compile(r"^\[[\w.-]+\]\s*")

Style = Literal["plain", "note", "quote", "heading"]

def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Paragraph:
    text: str  # plain text, unescaped
    style: Style = "plain"


# ----------------------------------------------------------------------------- figures in bold


def _figure_pattern(answer: Answer) -> re.Pattern[str] | None:
    """One regex for every figure string of the answer, longest first, on number boundaries."""
    strings: set[str] = set()
    for figure in answer.figures:
        for value in (figure.display, figure.target, figure.raw):
            if value and value.strip() and any(c.isdigit() for c in value):
                strings.add(value.strip())
    if not strings:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True))
    # Not inside a longer number or word ("3" in "§3.2" or "2023"), nor a day in a date
    # ("15" in "15 de diciembre"): those are not the answer's figures.
    return re.compile(rf"(?<![\w.,§$])(?:{alternatives})(?![\w]|[.,]\d|{_DATE_TAIL})")


def _bold_figures(text: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<b>{escape(match.group(0))}</b>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def render_paragraph(paragraph: Paragraph, pattern: re.Pattern[str] | None) -> str:
    if paragraph.style == "note":
        return f"<i>{escape(paragraph.text)}</i>"
    if paragraph.style == "quote":
        return f"<blockquote>{escape(paragraph.text)}</blockquote>"
    if paragraph.style == "heading":
        return f"<b>{escape(paragraph.text)}</b>"
    return _bold_figures(paragraph.text, pattern)


# ----------------------------------------------------------------------------- answer parts


def source_label(source: Source) -> str:
    return source.label()


def source_line(answer: Answer) -> str | None:
    """ "Fuente: §3.2 Indicadores de inversión" (one entry per distinct section)."""
    labels: list[str] = []
    for source in answer.sources:
        label = source_label(source)
        if label not in labels:
            labels.append(label)
    if not labels:
        return f"{say('source', answer.lang)}: {answer.report}" if answer.report else None
    shown = labels[:MAX_SOURCES_IN_FOOTER]
    if len(labels) > len(shown):
        shown.append(say("more", answer.lang).format(n=len(labels) - len(shown)))
    word = say("source" if len(labels) == 1 else "sources", answer.lang)
    report = f"{answer.report}, " if answer.report else ""
    return f"{word}: {report}{'; '.join(shown)}"


def answer_paragraphs(answer: Answer) -> list[Paragraph]:
    paragraphs = [_paragraph(line, answer) for line in answer.text.split("\n")]
    if answer.kind == "source":
        for source in answer.sources:
            where = source_label(source)
            if source.line is not None:
                where += f" ({say('line', answer.lang)} {source.line})"
            if where in answer.text:
                continue  # /fuente wrote it, with its quote
            paragraphs += [
                Paragraph(""),
                Paragraph(where, "heading"),
                Paragraph(source.quote, "quote"),
            ]
    for note in answer.notes:
        note = _NOTE_ID.sub("", note)  # "[premios-4-vs-3] Ojo: …": the id is for logs, not users
        if note and note not in answer.text:  # the engine may have written it into the text
            paragraphs += [Paragraph(""), Paragraph(note, "note")]
    if answer.suggestions and answer.status != "answered":
        heading = say("did_you_mean", answer.lang)
        if heading.lower().rstrip("…?.") not in answer.text.lower():
            paragraphs += [Paragraph(""), Paragraph(heading)]
    return _trim_blank(paragraphs)


def _paragraph(line: str, answer: Answer) -> Paragraph:
    """/fuente writes "§3.2 Title (línea 387)" then «the quote»: a heading and a quotation."""
    if answer.kind != "source":
        return Paragraph(line)
    opening, closing = say("quote_open", answer.lang), say("quote_close", answer.lang)
    if line.startswith("§"):
        return Paragraph(line, "heading")
    if line.startswith(opening) and line.endswith(closing) and len(line) > 2:
        return Paragraph(line[len(opening) : -len(closing)], "quote")
    return Paragraph(line)


def _trim_blank(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """No leading, trailing or doubled blank lines."""
    out: list[Paragraph] = []
    for paragraph in paragraphs:
        blank = not paragraph.text.strip()
        if blank and (not out or not out[-1].text.strip()):
            continue
        out.append(Paragraph("", "plain") if blank else paragraph)
    while out and not out[-1].text.strip():
        out.pop()
    return out


# ----------------------------------------------------------------------------- pages


def render_pages(answer: Answer, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The answer as one or more HTML messages, each at most `limit` UTF-16 units."""
    pattern = _figure_pattern(answer)
    footer = source_line(answer) if answer.kind != "source" else None
    footer_html = f"\n\n<i>{escape(footer)}</i>" if footer else ""
    budget = limit - utf16_len(footer_html) - PAGE_MARKER_RESERVE
    if budget < 200:
        raise ValueError(f"limit {limit} leaves no room for the answer")
    pages: list[list[str]] = [[]]
    used = 0
    for paragraph in answer_paragraphs(answer):
        for piece in _fit(paragraph, pattern, budget):
            size = utf16_len(piece) + 1  # the newline that joins it
            if pages[-1] and used + size > budget:
                pages.append([])
                used = 0
            if not pages[-1] and not piece:
                continue  # no page starts with a blank line
            pages[-1].append(piece)
            used += size
    bodies = ["\n".join(lines).strip("\n") for lines in pages if any(lines)] or [""]
    total = len(bodies)
    out = []
    for index, body in enumerate(bodies):
        text = body
        if index == total - 1:
            text += footer_html
        if total > 1:
            text += f"\n\n<i>{say('page', answer.lang)} {index + 1}/{total}</i>"
        out.append(text.strip() or escape(answer.text[:limit]) or "…")
    return out


def _fit(paragraph: Paragraph, pattern: re.Pattern[str] | None, budget: int) -> list[str]:
    """The paragraph rendered, split at spaces into pieces that each fit in `budget`."""
    rendered = render_paragraph(paragraph, pattern)
    if utf16_len(rendered) <= budget:
        return [rendered]
    pieces: list[str] = []
    words = paragraph.text.split(" ")
    current: list[str] = []
    for word in words:
        candidate = " ".join([*current, word])
        if (
            current
            and utf16_len(render_paragraph(Paragraph(candidate, paragraph.style), pattern)) > budget
        ):
            pieces.append(render_paragraph(Paragraph(" ".join(current), paragraph.style), pattern))
            current = [word]
        else:
            current.append(word)
        while (
            current
            and utf16_len(render_paragraph(Paragraph(current[0], paragraph.style), pattern))
            > budget
        ):  # one "word" longer than a page (no spaces at all): cut it by characters
            head, tail = _cut_word(current[0], paragraph.style, pattern, budget)
            pieces.append(head)
            current = [tail] if tail else []
    if current:
        pieces.append(render_paragraph(Paragraph(" ".join(current), paragraph.style), pattern))
    return pieces


def _cut_word(
    word: str, style: Style, pattern: re.Pattern[str] | None, budget: int
) -> tuple[str, str]:
    size = len(word)
    low, high = 1, size
    while low < high:  # the longest prefix whose rendering fits
        mid = (low + high + 1) // 2
        if utf16_len(render_paragraph(Paragraph(word[:mid], style), pattern)) <= budget:
            low = mid
        else:
            high = mid - 1
    return render_paragraph(Paragraph(word[:low], style), pattern), word[low:]


def render_single(answer: Answer, limit: int = MESSAGE_LIMIT) -> str:
    """One message only (inline results, captions): the first page, marked as shortened."""
    pages = render_pages(answer, limit=limit)
    if len(pages) == 1:
        return pages[0]
    note = f"\n\n<i>{escape(say('continued', answer.lang))}</i>"
    shortened = render_pages(answer, limit=limit - utf16_len(note))[0]
    return _strip_page_marker(shortened, answer.lang) + note


def _strip_page_marker(text: str, lang: str) -> str:
    return re.sub(rf"\n\n<i>{say('page', lang)} \d+/\d+</i>$", "", text)


def render_caption(answer: Answer) -> str:
    return render_single(answer, limit=CAPTION_LIMIT)


def plain_text(answer: Answer) -> str:
    """The answer without markup: for inline result descriptions and logs."""
    return " ".join(answer.text.split())
