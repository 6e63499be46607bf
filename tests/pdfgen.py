"""Typeset the bundled report text as a PDF, in seeded layouts, to test the PDF reader.

A small typesetter on fpdf2 with the DejaVu fonts matplotlib ships (core PDF fonts cannot encode
the report's characters). It lays out words itself, so a layout can hyphenate line ends, flow
prose in two columns, rule or not rule tables, and add running headers and footers. What is a
heading comes from the text parser (the sections it finds); everything else is read from the text
form: tab-separated lines are tables, "- " lines bullets, "**" bold, blank lines paragraph gaps.

The reader under test never sees this module: it gets the PDF bytes only.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from fpdf import FPDF

from knowledge.ingest.sections import parse_sections, parse_toc
from knowledge.text import is_upper, split_lines

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONTS = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
}
_VOWELS = set("aeiouáéíóúüAEIOUÁÉÍÓÚÜ")


@dataclass(frozen=True)
class Layout:
    name: str
    seed: int
    heading_bold: bool = False  # headings by size only, or by size and bold
    ruled: bool = True  # table cells with borders, or none
    furniture: bool = True  # running header and footer with page numbers
    hyphenate: bool = False  # split long words at line ends
    two_column: bool = False  # prose in two columns
    repeat_header: bool = True  # a table continued on the next page repeats its header
    toc_pages: bool = False  # contents entries with dot leaders and page numbers
    boxes: bool = True  # capitalised highlight paragraphs in shaded boxes
    font: str = "sans"
    page: str = "A4"


LAYOUTS: tuple[Layout, ...] = (
    Layout("size-ruled-furniture-hyphen", seed=1, heading_bold=False, ruled=True,
           furniture=True, hyphenate=True, toc_pages=True),
    Layout("bold-unruled-noheader", seed=2, heading_bold=True, ruled=False, furniture=False,
           hyphenate=False, repeat_header=False, font="serif", page="Letter"),
    Layout("two-column-hyphen", seed=3, heading_bold=True, ruled=True, furniture=True,
           hyphenate=True, two_column=True, boxes=False),
    Layout("size-unruled-furniture-hyphen", seed=4, heading_bold=False, ruled=False,
           furniture=True, hyphenate=True, toc_pages=True),
    Layout("two-column-unruled", seed=5, heading_bold=True, ruled=False, furniture=True,
           hyphenate=False, two_column=True, repeat_header=False, font="serif"),
)


# ----------------------------------------------------------------------------- the text form


@dataclass
class Block:
    kind: str  # cover | toc | chapter | section | para | bullet | table
    lines: list[str] = field(default_factory=list)
    gap: int = 1  # blank lines before it in the text (0: tight)
    number: str | None = None


def blocks_of(text: str) -> list[Block]:
    lines = split_lines(text)
    toc = parse_toc(lines)
    sections = parse_sections(lines, toc)
    heads: dict[int, tuple[str, int]] = {}
    for s in sections:
        i = s.line_start - 1
        title_at = i if lines[i].strip() != s.number and "." in s.number else None
        if title_at is None:
            title_at = next(j for j in range(i + 1, len(lines)) if lines[j].strip())
        heads[i] = (s.number, title_at)
    out: list[Block] = [Block("cover", [ln.strip() for ln in lines[:toc.start] if ln.strip()])]
    out.append(Block("toc", [ln for ln in lines[toc.start:toc.body_start] if ln.strip()]))
    i, blanks = toc.body_start, 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            blanks, i = blanks + 1, i + 1
            continue
        if i in heads:
            number, title_at = heads[i]
            kind = "section" if "." in number else "chapter"
            parts = [line.strip()] if title_at == i else [line.strip(), lines[title_at].strip()]
            out.append(Block(kind, parts, blanks, number))
            i, blanks = title_at + 1, 0
            continue
        if "\t" in line:
            j = i
            while j < len(lines) and "\t" in lines[j]:
                j += 1
            out.append(Block("table", lines[i:j], blanks))
            i, blanks = j, 0
            continue
        kind = "bullet" if line.lstrip().startswith("- ") else "para"
        out.append(Block(kind, [line.strip()], blanks))
        i, blanks = i + 1, 0
    return out


Word = tuple[tuple[str, bool], ...]  # segments of one word (a bold word glued to a comma)


def _words(text: str, bold: bool) -> tuple[list[Word], bool]:
    """Words as bold/regular segments ("**" toggles); the bold state after the text."""
    words: list[Word] = []
    for token in text.replace("\\$", "$").split():
        segments: list[tuple[str, bool]] = []
        for k, piece in enumerate(token.split("**")):
            if k:
                bold = not bold
            if piece:
                segments.append((piece, bold))
        if segments:
            words.append(tuple(segments))
    return words, bold


def plain(text: str, bold: bool) -> list[Word]:
    return [((w, bold),) for w in text.split()]


# ----------------------------------------------------------------------------- typesetting


class Typesetter:
    def __init__(self, layout: Layout, title: str, heading_pages: dict[str, int] | None) -> None:
        self.lay = layout
        self.rng = random.Random(layout.seed)
        self.pdf = FPDF(unit="pt", format=layout.page)
        self.pdf.set_auto_page_break(False)
        self.pdf.set_compression(True)
        regular, bold = FONTS[layout.font]
        self.pdf.add_font("body", "", str(FONT_DIR / regular))
        self.pdf.add_font("body", "B", str(FONT_DIR / bold))
        self.title = title
        self.size = 9.5 + self.rng.random() * 1.5
        self.lead = self.size * (1.3 + self.rng.random() * 0.12)
        self.margin = 50 + self.rng.random() * 20
        self.width = self.pdf.w - 2 * self.margin
        self.top = self.margin + (12 if layout.furniture else 0)
        self.bottom = self.pdf.h - self.margin - (12 if layout.furniture else 0)
        self.gutter = 18.0
        self.col = 0
        self.y = self.top
        self.fresh = True
        self.heading_pages = heading_pages
        self._widths: dict[tuple[str, bool, float], float] = {}
        self.pages_seen: dict[str, int] = {}

    # -- pages and columns
    def columns(self) -> int:
        return 2 if self.lay.two_column else 1

    def col_box(self, full: bool = False) -> tuple[float, float]:
        if full or self.columns() == 1:
            return self.margin, self.width
        w = (self.width - self.gutter) / 2
        return self.margin + self.col * (w + self.gutter), w

    def new_page(self) -> None:
        self.pdf.add_page()
        self.col, self.y = 0, self.top
        self.region_top = self.top
        self.fresh = True
        page = self.pdf.page_no()
        if self.lay.furniture and page > 1:
            self.pdf.set_font("body", "", 7.5)
            self.pdf.set_text_color(90, 90, 90)
            self.pdf.text(self.margin, self.margin - 4, self.title)
            label = f"Página {page}"
            self.pdf.text(self.pdf.w - self.margin - self.pdf.get_string_width(label),
                          self.pdf.h - self.margin + 10, label)
            self.pdf.set_text_color(0, 0, 0)

    def need(self, h: float, full: bool = False) -> None:
        if self.y + h <= self.bottom:
            return
        if not full and self.columns() == 2 and self.col == 0:
            self.col, self.y = 1, self.region_top
            self.fresh = True
            return
        self.new_page()

    def full_width(self) -> None:
        """Start a full-width element: below the left column, or on a new page."""
        if self.columns() == 2 and self.col == 1:
            self.new_page()
        self.col = 0
        self.region_top = self.y

    # -- words and lines
    def font(self, bold: bool, size: float) -> None:
        self.pdf.set_font("body", "B" if bold else "", size)

    def width_of(self, word: str, bold: bool, size: float) -> float:
        key = (word, bold, size)
        w = self._widths.get(key)
        if w is None:
            self.font(bold, size)
            w = self._widths[key] = self.pdf.get_string_width(word)
        return w

    def word_width(self, word: Word, size: float) -> float:
        return sum(self.width_of(t, b, size) for t, b in word)

    def split_word(self, word: Word, size: float, room: float) -> tuple[Word, Word] | None:
        if len(word) != 1:
            return None
        text, bold = word[0]
        if "-" in text[1:-1]:  # a compound breaks after its hyphen
            k = text.index("-", 1)
            if self.width_of(text[:k + 1], bold, size) <= room:
                return ((text[:k + 1], bold),), ((text[k + 1:], bold),)
        if not self.lay.hyphenate or len(text) < 7 or not text[:-1].isalpha():
            return None
        for k in range(len(text) - 3, 2, -1):
            if (text[k - 1] in _VOWELS and text[k] not in _VOWELS and text[k + 1] in _VOWELS
                    and text[k].isalpha()):
                head = text[:k] + "-"
                if self.width_of(head, bold, size) <= room:
                    return ((head, bold),), ((text[k:], bold),)
        return None

    def wrap(self, words: list[Word], width: float, size: float) -> list[list[Word]]:
        lines: list[list[Word]] = []
        current: list[Word] = []
        used = 0.0
        queue = list(words)
        while queue:
            word = queue.pop(0)
            space = self.width_of(" ", word[0][1], size) if current else 0.0
            w = self.word_width(word, size)
            if used + space + w <= width:
                current.append(word)
                used += space + w
                continue
            split = self.split_word(word, size, width - used - space)
            if split and split[1][0][0]:
                current.append(split[0])
                queue.insert(0, split[1])
            elif not current:  # a word wider than the line: let it overflow
                current.append(word)
                lines.append(current)
                current, used = [], 0.0
                continue
            else:
                queue.insert(0, word)
            lines.append(current)
            current, used = [], 0.0
        if current:
            lines.append(current)
        return lines

    def draw_line(self, x: float, y: float, words: list[Word], size: float) -> None:
        for k, word in enumerate(words):
            if k:
                x += self.width_of(" ", word[0][1], size)
            for text, bold in word:
                self.font(bold, size)
                self.pdf.text(x, y, text)
                x += self.width_of(text, bold, size)

    def paragraph(self, words: list[Word], size: float, gap: float,
                  indent: float = 0.0, marker: str | None = None, box: bool = False,
                  full: bool = False, box_top: bool = True, box_bottom: bool = True) -> None:
        """`box`: on a shaded box; a run of tight lines shares one (box_top/box_bottom)."""
        lead = size * self.lead / self.size
        x0, width = self.col_box(full)
        pad = 4.0 if box else 0.0
        lines = self.wrap(words, width - indent - 2 * pad, size)
        if not self.fresh:
            self.y += gap
        self.fresh = False
        first = True
                # lines are placed one by one so a paragraph can continue in the next column or page
        for k, line in enumerate(lines):
            self.need(lead + 2 * pad, full)
            x0, width = self.col_box(full)
            if box:
                top_pad = pad if first and box_top else 0
                bottom_pad = pad if k == len(lines) - 1 and box_bottom else 0
                self.pdf.set_fill_color(222, 232, 242)
                self.pdf.rect(x0, self.y, width, lead + top_pad + bottom_pad, style="F")
                self.y += top_pad
            baseline = self.y + size
            if first and marker:
                self.font(False, size)
                self.pdf.text(x0 + indent - self.pdf.get_string_width(marker) - 4, baseline,
                              marker)
            self.draw_line(x0 + indent + pad, baseline, line, size)
            self.y += lead
            first = False
            self.fresh = False
        if box and box_bottom:
            self.y += pad

    # -- blocks
    def gap_of(self, blanks: int) -> float:
        return 0.0 if blanks == 0 else (0.8 * self.lead if blanks == 1 else 2.0 * self.lead)

    def heading(self, block: Block) -> None:
        bold = self.lay.heading_bold
        if block.kind == "chapter":
            self.new_page()
            number_size, title_size = self.size * 2.6, self.size * 1.9
            self.pages_seen.setdefault(block.number or "", self.pdf.page_no())
            self.paragraph(plain(block.lines[0], bold), number_size, 0, full=True)
            self.y += 6
            self.paragraph(plain(block.lines[-1], bold), title_size, 0,
                           full=True)
            self.y += self.lead
            self.region_top = self.y
            return
        size = self.size * 1.45
        self.need(size * 4)
        self.pages_seen.setdefault(block.number or "", self.pdf.page_no())
        if not self.fresh:
            self.y += self.gap_of(max(block.gap, 1))
        for k, part in enumerate(block.lines):
            self.paragraph(plain(part, bold), size, 2 if k else 0)
        self.y += 0.4 * self.lead

    def table(self, block: Block) -> None:
        rows = [[c.strip().replace("\\$", "$").replace("**", "") for c in ln.split("\t")]
                for ln in block.lines]
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        keyvalue = ncols == 2 and len(rows) >= 3 and all(is_upper(r[0]) for r in rows)
        size = self.size - 1.0
        lead = size * 1.3
        pad = 3.0
        self.full_width()
        if not self.fresh:
            self.y += self.gap_of(max(block.gap, 1))
        self.fresh = False
        x0, width = self.col_box(full=True)
        weights = [max(8.0, min(60.0, max(len(r[c]) for r in rows) ** 0.8)) for c in range(ncols)]
        # every column at least as wide as its longest word, the rest shared by content length
        least = [max((self.width_of(w, True, size) for r in rows for w in r[c].split()),
                     default=10.0) + 2 * pad + 2 for c in range(ncols)]
        spare = max(0.0, width - sum(least))
        widths = [least[c] + spare * weights[c] / sum(weights) for c in range(ncols)]
        header = None if keyvalue else rows[0]

        def wrapped(row: list[str], bold: bool) -> list[list[list[Word]]]:
            return [self.wrap(plain(cell, bold), widths[c] - 2 * pad, size)
                    for c, cell in enumerate(row)]

        def height(cells: list[list[list[Word]]]) -> float:
            return max(1, max(len(c) for c in cells)) * lead + 2 * pad

        def draw(cells: list[list[list[Word]]], h: float) -> None:
            x = x0
            for c, lines in enumerate(cells):
                if self.lay.ruled:
                    self.pdf.set_draw_color(60, 60, 60)
                    self.pdf.set_line_width(0.5)
                    self.pdf.rect(x, self.y, widths[c], h)
                for k, line in enumerate(lines):
                    self.draw_line(x + pad, self.y + pad + size + k * lead, line, size)
                x += widths[c]
            self.y += h + (0 if self.lay.ruled else lead * 0.35)

        for k, row in enumerate(rows):
            bold = header is not None and k == 0
            cells = wrapped(row, bold)
            h = height(cells)
            if self.y + h > self.bottom:
                self.new_page()
                if header is not None and k > 0 and self.lay.repeat_header:
                    hcells = wrapped(header, True)
                    draw(hcells, height(hcells))
            draw(cells, h)
            self.fresh = False
        self.region_top = self.y

    def toc(self, block: Block) -> None:
        self.new_page()
        bold = self.lay.heading_bold
        lines = block.lines
        k = 0
        while k < len(lines):
            line = lines[k].strip()
            if line.upper() == line and not re.match(r"^\d", line) and not line.startswith("-"):
                if re.fullmatch(r"\d{2}", lines[k - 1].strip() if k else ""):
                    k += 1
                    continue
                if k and self.y > self.top + 200:
                    self.new_page()
                self.paragraph(plain(line, bold), self.size * 1.6, 8)
                k += 1
                continue
            if re.fullmatch(r"\d{2}", line):
                title = lines[k + 1].strip() if k + 1 < len(lines) else ""
                self.entry(f"{line} {title}", str(int(line)), True)
                k += 2
                continue
            text = line.lstrip("- ").strip()
            while k + 1 < len(lines) and not re.match(r"^\s*(-|\d{2}\s*$)", lines[k + 1]) \
                    and lines[k + 1].strip().upper() != lines[k + 1].strip():
                k += 1
                text += " " + lines[k].strip()
            number = text.split()[0].rstrip(".")
            self.entry(text, number, False, indent=14 * number.count("."))
            k += 1

    def entry(self, text: str, number: str, chapter: bool, indent: float = 0.0) -> None:
        size = self.size * (1.1 if chapter else 1.0)
        words = plain(text, chapter)
        if self.lay.toc_pages and self.heading_pages:
            page = self.heading_pages.get(number)
            if page:
                words += plain(f"{'.' * 4} {page}", False)
        self.paragraph(words, size, 0.5 * self.lead if chapter else 0, indent=indent)

    def cover(self, block: Block) -> None:
        self.new_page()
        self.y = self.pdf.h * 0.33
        for line in block.lines:
            self.paragraph(plain(line, True), self.size * 2.4, 10)

    def render(self, blocks: list[Block]) -> bytes:
        bold_state = False
        boxed = [self.lay.boxes and b.kind == "para" and is_upper(b.lines[0])
                 and len(b.lines[0]) > 30 for b in blocks]
        # a highlight is one box: the capitalised lines of a paragraph before its first long one
        for i in range(len(blocks) - 1, 0, -1):
            if boxed[i] and blocks[i].gap == 0 and blocks[i - 1].kind == "para" \
                    and is_upper(blocks[i - 1].lines[0]):
                boxed[i - 1] = self.lay.boxes
        for i, block in enumerate(blocks):
            if block.kind == "cover":
                self.cover(block)
            elif block.kind == "toc":
                self.toc(block)
            elif block.kind in ("chapter", "section"):
                bold_state = False
                self.heading(block)
            elif block.kind == "table":
                self.table(block)
            else:
                if block.gap:
                    bold_state = False
                text = block.lines[0]
                marker = None
                indent = 0.0
                if block.kind == "bullet":
                    text, marker, indent = text[2:].strip(), "•", 14.0
                words, bold_state = _words(text, bold_state)
                box = boxed[i] or (block.gap == 0 and boxed[i - 1] and block.kind == "para"
                                   and is_upper(text))
                boxed[i] = box
                after = i + 1 < len(blocks) and blocks[i + 1].gap == 0 and blocks[
                    i + 1].kind == "para" and is_upper(blocks[i + 1].lines[0])
                self.paragraph(words, self.size, self.gap_of(block.gap), indent=indent,
                               marker=marker, box=box,
                               box_top=not (block.gap == 0 and boxed[i - 1]),
                               box_bottom=not (box and after))
        return bytes(self.pdf.output())


def report_pdf(text: str, layout: Layout) -> bytes:
    """The report text typeset in `layout` (two passes when the contents list gives pages)."""
    blocks = blocks_of(text)
    title = " ".join(blocks[0].lines)
    first = Typesetter(layout, title, None)
    data = first.render(blocks)
    if not layout.toc_pages:
        return data
    return Typesetter(layout, title, first.pages_seen).render(blocks)


# ----------------------------------------------------------------------------- broken PDFs


def image_only_pdf() -> bytes:
    """A 'scan': one page holding a picture of text, no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for k in range(30):
        draw.text((40, 40 + 24 * k), "INFORME DE GESTION - texto escaneado", fill="black")
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(image, x=0, y=0, w=pdf.w)
    return bytes(pdf.output())


def encrypted_pdf(text: str, user_password: str | None) -> bytes:
    """The report's first pages, encrypted: with a user password, or permission-only."""
    pdf = FPDF(unit="pt", format="A4")
    regular, _ = FONTS["sans"]
    pdf.add_font("body", "", str(FONT_DIR / regular))
    pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    pdf.add_page()
    pdf.set_font("body", "", 10)
    for k, line in enumerate(split_lines(text)[:40]):
        pdf.text(50, 60 + 14 * k, line[:90])
    return bytes(pdf.output())
