"""A PDF of parts of the bundled report written another way: matplotlib's PDF backend.

Not our typesetter (tests/pdfgen.py, fpdf2): matplotlib writes its own fonts (Type 3 by
default) and places each line of text as one string. The layout differs on purpose: tables
without any cell borders but with rules above, below and under the header (the common "booktabs"
style), headers centred, figures right-aligned; prose wrapped by character count; one page of
prose in two columns. What to expect back is read from the same report text.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D

from knowledge.text import split_lines

WIDTH, HEIGHT = 595.0, 842.0  # A4 in points
MARGIN = 56.0
_FIGURE = re.compile(r"^[\d\s.,%$\\-]+$")


def report_tables(text: str) -> list[list[list[str]]]:
    """Every table of the report text: runs of tab-separated lines, cells stripped."""
    tables: list[list[list[str]]] = []
    run: list[list[str]] = []
    for line in [*split_lines(text), ""]:
        if "\t" in line:
            run.append([c.strip().replace("\\$", "$").replace("**", "") for c in line.split("\t")])
        elif run:
            tables.append(run)
            run = []
    return tables


def report_paragraphs(text: str, least: int = 300) -> list[str]:
    """Long prose lines of the report (one paragraph each), plain."""
    out = []
    for line in split_lines(text):
        plain = line.strip().replace("**", "").replace("\\$", "$")
        if len(plain) >= least and "\t" not in plain and not plain.startswith("-"):
            out.append(plain)
    return out


class _Pages:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.pdf = PdfPages(self.buffer)
        self.figure: Figure | None = None
        self.y = MARGIN

    def new(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
        self.figure = Figure(figsize=(WIDTH / 72, HEIGHT / 72))
        self.y = MARGIN

    def text(self, x: float, y: float, s: str, size: float, bold: bool = False,
             ha: str = "left") -> None:
        assert self.figure is not None
        # "$" would start matplotlib's math text
        self.figure.text(x / WIDTH, 1 - y / HEIGHT, s.replace("$", r"\$"), fontsize=size, ha=ha,
                         va="baseline",
                         fontweight="bold" if bold else "normal", family="DejaVu Sans")

    def rule(self, y: float, x0: float, x1: float) -> None:
        assert self.figure is not None
        self.figure.add_artist(Line2D([x0 / WIDTH, x1 / WIDTH], [1 - y / HEIGHT] * 2,
                                      linewidth=0.6, color="black"))

    def room(self, height: float) -> None:
        if self.figure is None or self.y + height > HEIGHT - MARGIN:
            self.new()

    def close(self) -> bytes:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
        self.pdf.close()
        return self.buffer.getvalue()


_FONTS: dict[bool, FT2Font] = {}


def _width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of `text` as matplotlib sets it (its own font metrics)."""
    font = _FONTS.get(bold)
    if font is None:
        path = font_manager.findfont(font_manager.FontProperties(
            family="DejaVu Sans", weight="bold" if bold else "normal"))
        font = _FONTS[bold] = FT2Font(path)
    font.set_size(size, 72)
    font.set_text(text, 0)
    return font.get_width_height()[0] / 64


def _wrap(text: str, width_pt: float, size: float, bold: bool = False) -> list[str]:
    """Greedy line breaking at spaces by measured width (a word wider than the line overflows)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and _width(trial, size, bold) > width_pt:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines or [""]


def _paragraph(pages: _Pages, text: str, size: float, x: float, width: float) -> None:
    lead = 1.4 * size
    for line in _wrap(text, width, size):
        pages.room(lead)
        pages.text(x, pages.y + size, line, size)
        pages.y += lead
    pages.y += 0.8 * lead


def _table(pages: _Pages, rows: list[list[str]], size: float) -> None:
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    width = WIDTH - 2 * MARGIN
    gap = 1.2 * size
    # every column as wide as its widest word, the rest shared by content length
    least = [max(_width(w, size, bold=True) for r in rows for w in r[c].split() or [""])
             for c in range(ncols)]
    weights = [max(6, min(40, max(len(r[c]) for r in rows))) for c in range(ncols)]
    spare = max(0.0, width - gap * (ncols - 1) - sum(least))
    widths = [least[c] + spare * w / sum(weights) for c, w in enumerate(weights)]
    lefts = [MARGIN + sum(widths[:c]) + gap * c for c in range(ncols)]
    lead = 1.3 * size
    cells = [[_wrap(cell, widths[c], size, bold=k == 0) for c, cell in enumerate(row)]
             for k, row in enumerate(rows)]
    total = sum(max(len(c) for c in row) * lead + 0.6 * lead for row in cells)
    pages.room(total + 2 * lead)
    pages.rule(pages.y, MARGIN, MARGIN + width)
    pages.y += 0.5 * lead
    for k, row in enumerate(cells):
        for c, lines in enumerate(row):
            figure = k > 0 and bool(_FIGURE.match(rows[k][c]))
            for n, line in enumerate(lines):
                y = pages.y + size + n * lead
                if k == 0:
                    pages.text(lefts[c] + widths[c] / 2, y, line, size, bold=True, ha="center")
                elif figure:
                    pages.text(lefts[c] + widths[c], y, line, size, ha="right")
                else:
                    pages.text(lefts[c], y, line, size)
        pages.y += max(len(c) for c in row) * lead + 0.6 * lead
        if k == 0:
            pages.rule(pages.y - 0.3 * lead, MARGIN, MARGIN + width)
    pages.rule(pages.y, MARGIN, MARGIN + width)
    pages.y += 1.5 * lead


def _two_columns(pages: _Pages, paragraphs: list[str], size: float) -> list[str]:
    """Whole paragraphs flowed down the left column then the right one; those placed."""
    pages.new()
    gutter = 20.0
    width = (WIDTH - 2 * MARGIN - gutter) / 2
    lead = 1.4 * size
    column = 0
    placed: list[str] = []
    for text in paragraphs:
        lines = _wrap(text, width, size)
        room = (HEIGHT - MARGIN - pages.y) // lead
        if column == 0:
            room += (HEIGHT - 2 * MARGIN) // lead
        if len(lines) > room:
            break
        for line in lines:
            if pages.y + lead > HEIGHT - MARGIN:
                column, pages.y = 1, MARGIN
            pages.text(MARGIN + column * (width + gutter), pages.y + size, line, size)
            pages.y += lead
        pages.y += 0.8 * lead
        placed.append(text)
    return placed


def matplotlib_pdf(tables: list[list[list[str]]], paragraphs: list[str],
                   two_column: list[str]) -> tuple[bytes, list[str]]:
    """Prose paragraphs and tables in turn, then a page of two-column prose; the PDF, and the
    paragraphs of `two_column` that page holds."""
    pages = _Pages()
    pages.new()
    size = 10.0
    for k, rows in enumerate(tables):
        if k < len(paragraphs):
            _paragraph(pages, paragraphs[k], size, MARGIN, WIDTH - 2 * MARGIN)
        _table(pages, rows, size - 1)
    placed = _two_columns(pages, two_column, size)
    return pages.close(), placed
