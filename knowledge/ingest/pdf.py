"""A report PDF turned into the text form the ingest reads (see knowledge/reports/*.md).

Read with pdfplumber (MIT, on pdfminer.six): only the page content, words with their font and
position, and the ruling lines of tables; never metadata, attachments or embedded files.

What the text form needs, and how it is found:
- page furniture out: lines in the top or bottom band of the page repeated at the same place on
  many pages (digits folded, so "Página 7" repeats) are running headers, footers and page
  numbers; contents pages are pages whose lines are mostly numbered titles ("3.2 ...") that come
  back later as headings, or titles with dot leaders and page numbers;
- reading order: two-column pages (a gutter no prose line crosses) are read column by column;
- paragraphs: a line joins the one before when that one was wrapped (the next line's first
  word would not have fit on it); a larger gap is a blank line, a much larger one two; a line
  ending in a hyphen joins without it, unless the hyphen belongs to a compound the document
  writes with a hyphen elsewhere, repeats a word ("sur-sur") or the next part is capitalised;
- headings (type larger than the body) are lines of their own, "03 TITLE" split as "03" + title;
- bold body text is marked "**...**"; bullets ("•", "▪", "–" ...) become "- ";
- tables: ruled ones by their lines, unruled ones by words aligned in columns; one tab-separated
  line per row, one cell per column; a table continued at the top of the next page (same
  columns) is one table, its repeated header dropped;
- every page break is a form feed ("\\f") at the start of the next line, so the page of any line
  is known (sources then say "p. 14") and survives a --text-out / correct / ingest round trip.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from bot.errors import IngestError
from knowledge.text import fold

PAGE_BREAK = "\f"
_BULLETS = "•●▪■◦‣∙·–—"
_DOTTED_ENTRY = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){1,2})\.?\s+\S")
_LEADER_ENTRY = re.compile(r"(?:\.{3,}|…+)\s*\d{1,4}\s*$")
_CHAPTER_INLINE = re.compile(r"^(\d{2})\s+(\S.*)$")
_MIN_TEXT_CHARS = 40  # a document with fewer characters in its text layer is a scan


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass
class Line:
    """Words on one baseline of one column (a fragment: big gaps split a baseline)."""

    words: list[Word]
    page: int  # 1-based
    column: int = 0
    right: float = 0.0  # right edge of the text column the line sits in

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return Counter(round(w.size, 1) for w in self.words).most_common(1)[0][0]

    @property
    def text(self) -> str:
        return _join_words(self.words)


@dataclass
class Table:
    rows: list[list[str]]
    page: int
    top: float
    bottom: float
    columns: list[float]  # left x of each column
    end_page: int = 0
    row_height: float = 0.0  # height of its first row after the header
    first_height: float = 0.0  # height of its first row
    # the lines of each cell, joined into `rows` once the document's words are known (a cell
    # line ending in a hyphen is joined by what the whole document writes)
    cells: list[list[list[str]]] = field(default_factory=list)
    baselines: int = 0  # baselines of the page it took (unruled tables)
    # a one-row table stands only as part of a table continued over a page break (a header
    # left at the foot of a page, a last row carried to the next); else its lines are text
    tentative: bool = False
    source: list[Line] = field(default_factory=list)


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    items: list[Line | Table] = field(default_factory=list)  # reading order
    fills: list[tuple[float, float, float, float]] = field(default_factory=list)  # shaded boxes


# ----------------------------------------------------------------------------- words


def _join_words(words: list[Word]) -> str:
    out = ""
    prev: Word | None = None
    for w in words:
        if prev is not None and w.x0 - prev.x1 > 0.12 * w.size:
            out += " "
        out += w.text
        prev = w
    return out


def _is_bold(fontname: str) -> bool:
    name = fontname.split("+", 1)[-1].lower()
    return any(k in name for k in ("bold", "black", "heavy", "semibold", "demi"))


def _page_content(page) -> tuple[list[Word], list[dict], list[tuple[float, float, float, float]]]:
    """Words (split at spaces, gaps and font changes), ruling edges and shaded boxes
    (filled rectangles: x0, top, x1, bottom) of one page.

    Read from pdfminer's layout of the page (pdfplumber's `page.layout`) rather than through
    pdfplumber's per-character dictionaries: the same characters at half the cost.
    """
    from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect

    layout = page.layout
    left, top_y = layout.x0, layout.y1
    chars: list[tuple[float, float, float, float, str, float, bool]] = []
    edges: list[dict] = []
    fills: list[tuple[float, float, float, float]] = []

    def edge(x0: float, top: float, x1: float, bottom: float) -> None:
        horizontal = abs(bottom - top) < 0.5
        if (x1 - x0 if horizontal else bottom - top) < 2:
            return
        edges.append({"object_type": "line_edge", "x0": x0, "x1": x1, "top": top,
                      "bottom": bottom, "doctop": top, "width": x1 - x0,
                      "height": bottom - top, "orientation": "h" if horizontal else "v"})

    def walk(objs) -> None:
        for obj in objs:
            if isinstance(obj, LTChar):
                if obj.upright and obj.get_text().strip():
                    chars.append((obj.x0 - left, top_y - obj.y1, obj.x1 - left, top_y - obj.y0,
                                  obj.get_text(), float(obj.size), _is_bold(obj.fontname)))
            elif isinstance(obj, LTRect):
                x0, x1 = obj.x0 - left, obj.x1 - left
                t, b = top_y - obj.y1, top_y - obj.y0
                if obj.fill and x1 - x0 > 20 and b - t > 4:
                    fills.append((x0, t, x1, b))
                for e in ((x0, t, x1, t), (x0, b, x1, b), (x0, t, x0, b), (x1, t, x1, b)):
                    edge(*e)
            elif isinstance(obj, LTLine | LTCurve) and not isinstance(obj, LTRect):
                pts = [(x - left, top_y - y) for x, y in obj.pts]
                for (ax, ay), (bx, by) in itertools.pairwise(pts):
                    if abs(ax - bx) < 0.5 or abs(ay - by) < 0.5:
                        edge(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
            elif hasattr(obj, "__iter__"):
                walk(obj)

    walk(layout)
    words: list[Word] = []
    for row in _char_rows(chars):
        current: list[tuple[float, float, float, float, str, float, bool]] = []
        for ch in row:
            if current and (ch[0] - current[-1][2] > 0.15 * ch[5] or ch[6] != current[-1][6]
                            or abs(ch[5] - current[-1][5]) > 0.3):
                words.append(_word(current))
                current = []
            current.append(ch)
        if current:
            words.append(_word(current))
    return words, edges, fills


def _char_rows(chars: list[tuple]) -> list[list[tuple]]:
    rows: list[list[tuple]] = []
    for ch in sorted(chars, key=lambda c: (round(c[3], 1), c[0])):
        if rows and abs(rows[-1][-1][3] - ch[3]) <= max(1.5, 0.2 * ch[5]):
            rows[-1].append(ch)
        else:
            rows.append([ch])
    return [sorted(r, key=lambda c: c[0]) for r in rows]


def _word(chars: list[tuple]) -> Word:
    return Word("".join(c[4] for c in chars), chars[0][0], chars[-1][2],
                min(c[1] for c in chars), max(c[3] for c in chars), chars[0][5], chars[0][6])


def _baselines(words: list[Word]) -> list[list[Word]]:
    """Words grouped by baseline, top to bottom, each left to right."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (round(w.bottom, 1), w.x0)):
        if rows and abs(rows[-1][-1].bottom - w.bottom) <= max(1.5, 0.2 * w.size):
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(r, key=lambda w: w.x0) for r in rows]


def _fragments(row: list[Word], page: int) -> list[Line]:
    out: list[list[Word]] = []
    for w in row:
        if out and w.x0 - out[-1][-1].x1 <= max(0.75 * w.size, 5.0):
            out[-1].append(w)
        else:
            out.append([w])
    return [Line(ws, page) for ws in out]


# ----------------------------------------------------------------------------- ruled tables


def _ruled_tables(page, words: list[Word], edges: list[dict],
                  number: int) -> tuple[list[Table], list[Word]]:
    tables: list[Table] = []
    used: set[int] = set()
    if len(edges) < 4:
        return tables, words
    vertical = [e for e in edges if e["orientation"] == "v"]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    for found in page.find_tables({"vertical_strategy": "explicit",
                                   "horizontal_strategy": "explicit",
                                   "explicit_vertical_lines": vertical,
                                   "explicit_horizontal_lines": horizontal}):
        rows = list(found.rows)
        # a framed box drawn next to a table joins its grid as a one-cell row: not the table's
        while rows and sum(1 for c in rows[-1].cells if c is not None) == 1:
            rows.pop()
        while rows and sum(1 for c in rows[0].cells if c is not None) == 1:
            rows.pop(0)
        ncols = max((len(r.cells) for r in rows), default=0)
        if ncols < 2:
            continue  # a framed box, not a table
        x0, x1 = found.bbox[0], found.bbox[2]
        top, bottom = rows[0].bbox[1], rows[-1].bbox[3]
        lefts = sorted({round(c[0], 1) for r in rows for c in r.cells if c is not None})
        grid: list[list[list[str]]] = []
        for r in rows:
            cells: list[list[str]] = []
            for c in r.cells:
                if c is None:
                    cells.append([])
                    continue
                inside = [k for k, w in enumerate(words)
                          if c[0] - 1 <= (w.x0 + w.x1) / 2 <= c[2] + 1
                          and c[1] - 1 <= (w.top + w.bottom) / 2 <= c[3] + 1 and k not in used]
                used.update(inside)
                lines = [Line(row, number) for row in _baselines([words[k] for k in inside])]
                cells.append([line.text for line in lines])
            grid.append(cells)
        for k, w in enumerate(words):
            if x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and top - 1 <= (w.top + w.bottom) / 2 \
                    <= bottom + 1:
                used.add(k)
        second = rows[1].bbox if len(rows) > 1 else rows[0].bbox
        tables.append(Table([], number, top, bottom, lefts[:ncols],
                            row_height=second[3] - second[1], cells=grid,
                            first_height=rows[0].bbox[3] - rows[0].bbox[1]))
    rest = [w for k, w in enumerate(words) if k not in used]
    return tables, rest


def _cell_text(lines: list[str]) -> str:
    text = ""
    for piece in lines:
        text = _hyphen_join(text, piece) if text else piece
    return text


def _join_cells(pages: list[_Page]) -> None:
    for page in pages:
        for table in page.tables:
            table.rows = [[_cell_text(c) for c in row] for row in table.cells]


# ----------------------------------------------------------------------------- hyphenation

_VOCAB: dict[str, set[str]] = {"plain": set(), "hyphen": set()}
_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-$")


def _learn_vocabulary(pages: list[_Page]) -> None:
    """Words as the document writes them inside its lines (never a line's first or last word,
    where hyphenation leaves fragments): plain ones, and ones with a hyphen of their own."""
    plain: set[str] = set()
    hyphen: set[str] = set()
    texts = [line.text for page in pages for line in page.lines]
    texts += [t for page in pages for table in page.tables for row in table.cells
              for cell in row for t in cell]
    for text in texts:
        for tok in text.replace("**", "").split()[1:-1]:
            tok = tok.strip(".,;:()«»\"'¿?¡!")
            if "-" in tok.strip("-"):
                hyphen.add("-".join(fold(p) for p in tok.split("-")))
            elif tok:
                plain.add(fold(tok))
    _VOCAB["plain"], _VOCAB["hyphen"] = plain, hyphen


def _hyphen_join(before: str, after: str) -> str:
    """Two lines of one paragraph: joined by a space, or across a line-end hyphen.

    The hyphen goes when the joined word is one the document writes; it stays when the document
    writes the compound with a hyphen elsewhere, when the parts repeat ("sur-sur"), when the
    next part is capitalised ("Col-Col") or is a word of its own ("público-privadas").
    """
    if before.endswith("-**") and after.startswith("**"):  # a bold word split by a hyphen
        before, after = before[:-2], after[2:]
    m = _LINE_END_HYPHEN.search(before)
    if not m or not after or not after[0].isalpha():
        return f"{before} {after}"
    head = m.group(1)
    tail_word = re.match(r"[^\W\d_]+", after)
    tail = tail_word.group(0) if tail_word else ""
    joined, compound = fold(head + tail), f"{fold(head)}-{fold(tail)}"
    vocab, hyphens = _VOCAB["plain"], _VOCAB["hyphen"]
    if compound in hyphens or fold(head) == fold(tail):
        keep = True
    elif tail.isupper() and len(tail) > 1 and not head.isupper():
        keep = True  # "Challenge-" + "ICC": an acronym is not the rest of a word
    elif joined in vocab:
        keep = False
    elif after[0].isupper() and not after[:2].isupper():
        keep = True  # "Sur-" + "Sur", "Col-" + "Col"
    else:
        # a compound's first part is a word, or a combining form ("psico-", "socio-")
        keep = len(tail) >= 6 and fold(tail) in vocab and (
            fold(head) in vocab or (len(head) >= 4 and fold(head).endswith("o")))
    return f"{before}{after}" if keep else f"{before[:-1]}{after}"


# ----------------------------------------------------------------------------- unruled tables


def _unruled_tables(rows: list[list[Line]], number: int,
                    gutter: tuple[float, float, float, float] | None = None,
                    ) -> tuple[list[Table], set[int]]:
    """Runs of baselines whose words stand in columns; (tables, baselines used).

    A table starts at a baseline with a wide gap between words. It grows down while the
    projection of its word boxes on the x axis keeps every gap it had (a column separator is an
    x interval no word of the table covers, wider than a word space), the type keeps its size
    and the baselines stay close; a row set all in bold after body rows starts another table
    (its header). The run is then cut into rows (a larger step between baselines than the
    wrapped-line step), split where the step between rows jumps (two tables one under the
    other) or where the columns used change, and each part's columns are found again from its
    own words: cells are the words between two separators. On a page of two-column prose
    (`gutter`: where the left column's lines end, and the page's middle) a run whose one
    separator is that gutter is the prose's two columns, not a table.
    """
    tables: list[Table] = []
    used: set[int] = set()
    i = 0
    while i < len(rows):
        if len(rows[i]) < 2 or not _one_size(_words_of(rows[i]), _size_of(_words_of(rows[i]))):
            i += 1
            continue
        end = _region_end(rows, i)
        if gutter is not None and _is_gutter(rows, i, end, gutter):
            i = end
            continue
        parts = _split_rows(rows, i, end)
        made = False
        for part in parts:
            table = _table_of([rows[k] for k in part], number)
            if table is not None:
                tables.append(table)
                used.update(part[:table.baselines])
                made = True
        i = end if made else i + 1
    return tables, used


def _is_gutter(rows: list[list[Line]], i: int, end: int,
               gutter: tuple[float, float, float, float]) -> bool:
    """Is the run's one separator the gutter of two-column prose? It holds the page's middle,
    ends where the right text column starts, and most baselines have a line most of a text
    column wide on one side of it (prose fills its column; a table's cells mostly stop short)."""
    words = [_words_of(rows[k]) for k in range(i, end)]
    seps = _separators(words, 0.5 * _size_of(words[0]))
    if len(seps) != 1:
        return False
    a, b = seps[0]
    left0, left1, right0, right1 = gutter
    middle = (left1 + right0) / 2
    if not a <= middle <= b or b > right0 + 0.1 * (right1 - right0):
        return False
    wide = 0
    for k in range(i, end):
        for f in rows[k]:
            width = (left1 - left0) if f.x1 <= middle else (right1 - right0)
            if f.x1 - f.x0 >= 0.7 * width:
                wide += 1
                break
    return 2 * wide >= end - i


def _one_size(words: list[Word], size: float) -> bool:
    """All the words in type of about `size` (a table's rows are set in one size)."""
    return all(abs(w.size - size) <= 0.15 * size for w in words)


def _words_of(frags: list[Line]) -> list[Word]:
    return [w for f in frags for w in f.words]


def _size_of(words: list[Word]) -> float:
    return Counter(round(w.size, 1) for w in words).most_common(1)[0][0]


def _separators(baselines: list[list[Word]], least: float) -> list[tuple[float, float]]:
    """x intervals inside the baselines' extent that no word covers, at least `least` wide."""
    spans = sorted((w.x0, w.x1) for ws in baselines for w in ws)
    out: list[tuple[float, float]] = []
    reach = spans[0][1]
    for a, b in spans[1:]:
        if a - reach >= least:
            out.append((reach, a))
        reach = max(reach, b)
    return out


def _kept(old: list[tuple[float, float]], new: list[tuple[float, float]]) -> bool:
    """Every old separator still holds one of the new ones (no column was bridged)."""
    return all(any(a - 0.01 <= c and d <= b + 0.01 for c, d in new) for a, b in old)


def _all_bold(words: list[Word]) -> bool:
    return all(w.bold for w in words)


def _region_end(rows: list[list[Line]], i: int) -> int:
    words = [_words_of(rows[i])]
    size = _size_of(words[0])
    least = 0.5 * size
    seps = _separators(words, least)
    body_seen = not _all_bold(words[0])
    j = i + 1
    while j < len(rows):
        cand = _words_of(rows[j])
        if not _one_size(cand, size):
            break
        if min(w.top for w in cand) - max(w.bottom for w in words[-1]) > 3.2 * size:
            break
        bold = _all_bold(cand)
        if bold and body_seen:
            break  # a header: the next table
        new = _separators([*words, cand], least)
        if not new or not _kept(seps, new) or _stray(words, cand, new):
            break
        seps = new
        words.append(cand)
        body_seen = body_seen or not bold
        j += 1
    return j


def _spans(words: list[Word], bounds: list[float]) -> dict[int, tuple[float, float]]:
    """x extent of a baseline's words in each column they fall in."""
    out: dict[int, tuple[float, float]] = {}
    for w in words:
        c = sum(1 for b in bounds if b < (w.x0 + w.x1) / 2)
        a, b = out.get(c, (w.x0, w.x1))
        out[c] = (min(a, w.x0), max(b, w.x1))
    return out


def _stray(words: list[list[Word]], cand: list[Word], seps: list[tuple[float, float]]) -> bool:
    """Does no part of `cand` start, end or centre where lines of its column above do (lines
    below a bold header: headers are often centred over left or right aligned cells)?"""
    bounds = [(a + b) / 2 for a, b in seps]
    above: dict[int, list[tuple[float, float]]] = {}
    body = list(itertools.dropwhile(_all_bold, words))  # a bold header may stand otherwise
    for ws in body:
        for c, span in _spans(ws, bounds).items():
            above.setdefault(c, []).append(span)
    judged = False
    for c, span in _spans(cand, bounds).items():
        if c in above:
            judged = True
            if _aligned(span, above[c]):
                return False
    return judged


def _aligned(span: tuple[float, float], column: list[tuple[float, float]]) -> bool:
    """Does `span` stand as the column's lines do: at their common left, right or centre
    (whichever they agree on best), or, in a column that agrees on none, at any line's?"""
    x0, x1 = span
    ways = [(x0, [a for a, _ in column]), (x1, [b for _, b in column]),
            ((x0 + x1) / 2, [(a + b) / 2 for a, b in column])]
    x, xs = min(ways, key=lambda way: max(way[1]) - min(way[1]))  # the column's alignment
    if len(column) > 1 and max(xs) - min(xs) <= 6:
        return abs(x - sorted(xs)[len(xs) // 2]) <= 3
    return any(abs(x - v) <= 3 for x, xs in ways for v in xs)


def _split_rows(rows: list[list[Line]], i: int, end: int) -> list[list[int]]:
    """Baselines i..end-1 as tables: lists of baseline indexes, each cut at row ends."""
    bottoms = [max(w.bottom for w in _words_of(rows[k])) for k in range(i, end)]
    steps = [b - a for a, b in itertools.pairwise(bottoms)]
    if not steps:
        return [list(range(i, end))]
    size = _size_of(_words_of(rows[i]))
    line_step = min(steps)
    wraps = line_step <= 1.5 * size  # some cell wraps onto a second line at the font's leading
    starts = [0] + [k + 1 for k, s in enumerate(steps) if not wraps or s > 1.2 * line_step]
    row_steps = [steps[k - 1] for k in starts[1:]]
    usual = sorted(row_steps)[len(row_steps) // 2] if row_steps else 0.0
    cuts: list[int] = []
    for r, k in enumerate(starts[1:], start=1):
        gap = steps[k - 1]
        if len(row_steps) >= 2 and gap > 1.25 * usual and gap - usual > 0.5 * size:
            cuts.append(r)
    parts: list[list[int]] = []
    bounds = [0, *cuts, len(starts)]
    for a, b in itertools.pairwise(bounds):
        first = starts[a] + i
        last = (starts[b] if b < len(starts) else end - i) + i
        parts.append(list(range(first, last)))
    return parts


def _table_of(frags_rows: list[list[Line]], number: int) -> Table | None:
    """The table of these baselines (its columns found from their words), or None.

    `baselines` of the table says how many of the baselines it took: a last row holding only a
    first-column line, or whose cells stand in none of the ways the column's other cells do
    (left, right or centre aligned), is a caption or prose after the table and is left out.
    """
    baselines = [_words_of(f) for f in frags_rows]
    size = _size_of(baselines[0])
    while baselines:
        seps = _separators(baselines, 0.5 * size)
        if not seps:
            return None
        bounds = [(a + b) / 2 for a, b in seps]
        grid = _grid(baselines, bounds, size)
        filled = [any(cells[c] for _, cells, _ in grid[1:]) for c in range(len(bounds) + 1)]
        if len(grid) > 1 and any(
                cell and not filled[c] and any(filled[:c]) and any(filled[c + 1:])
                for c, cell in enumerate(grid[0][1])):
            # a header centred over a wide column stands apart from the column's cells (a
            # header-only column between columns of cells): the columns are the rows' under it
            body = _separators(baselines[grid[0][0]:], 0.5 * size)
            if body:
                seps = body
                bounds = [(a + b) / 2 for a, b in seps]
                grid = _grid(baselines, bounds, size)
        last = grid[-1][1]
        if (len(grid) > 2 and sum(1 for c in last if c) == 1 and last[0]) or (
                len(grid) > 1 and _misaligned(grid)):
            baselines = baselines[:len(baselines) - grid[-1][0]]
            continue
        grid = [(n, cells) for n, cells, _ in grid]
        if not any(sum(1 for c in cells if c) >= 2 for _, cells in grid):
            return None
        firsts = [cells[0][0] for _, cells in grid if cells[0]]
        if firsts and all(_is_marker(t) for t in firsts):
            return None  # a list: bullets or numbers in the first column
        top = min(w.top for w in baselines[0])
        bottom = max(w.bottom for w in baselines[-1])
        lefts = [min(w.x0 for ws in baselines for w in ws)] + [b for _, b in seps]
        first_rows = grid[0][0]
        second = grid[1][0] if len(grid) > 1 else 0
        rows2 = baselines[first_rows:first_rows + second] or baselines
        height = max(w.bottom for w in rows2[-1]) - min(w.top for w in rows2[0])
        head = baselines[:first_rows]
        return Table([], number, top, bottom, lefts, row_height=height + size,
                     first_height=max(w.bottom for w in head[-1]) - top + size,
                     cells=[cells for _, cells in grid], baselines=len(baselines),
                     tentative=len(grid) == 1,
                     source=[f for frags in frags_rows[:len(baselines)] for f in frags])
    return None


_MARKER = re.compile(r"^(?:[" + re.escape(_BULLETS) + r"\-*]|\(?[0-9a-zA-Z]{1,3}[.)])$")


def _is_marker(text: str) -> bool:
    return bool(_MARKER.match(text.strip()))


def _grid(baselines: list[list[Word]], bounds: list[float],
          size: float) -> list[tuple[int, list[list[str]], list[tuple[float, float] | None]]]:
    """(baselines in the row, lines of each cell, x extent of each cell): a larger step than
    the wrapped-line step between baselines starts a row."""
    bottoms = [max(w.bottom for w in ws) for ws in baselines]
    steps = [b - a for a, b in itertools.pairwise(bottoms)]
    step = min(steps) if steps else 0.0
    wraps = step <= 1.5 * size
    groups: list[list[list[Word]]] = []
    for k, ws in enumerate(baselines):
        if k == 0 or not wraps or steps[k - 1] > 1.2 * step:
            groups.append([ws])
        else:
            groups[-1].append(ws)
    out: list[tuple[int, list[list[str]], list[tuple[float, float] | None]]] = []
    for group in groups:
        cells: list[list[str]] = [[] for _ in range(len(bounds) + 1)]
        spans: list[tuple[float, float] | None] = [None] * len(cells)
        for ws in group:
            per: list[list[Word]] = [[] for _ in cells]
            for w in ws:
                per[sum(1 for b in bounds if b < (w.x0 + w.x1) / 2)].append(w)
            for c, cw in enumerate(per):
                if cw:
                    cells[c].append(_join_words(cw))
                    old = spans[c]
                    x0, x1 = cw[0].x0, cw[-1].x1
                    spans[c] = (old[0], max(old[1], x1)) if old else (x0, x1)
        out.append((len(group), cells, spans))
    return out


def _misaligned(grid: list[tuple[int, list[list[str]], list[tuple[float, float] | None]]]) -> bool:
    """No cell of the last row starts, ends or centres where other cells of its column do."""
    *above, (_, _, last) = grid
    placed = 0
    for c, span in enumerate(last):
        if span is None:
            continue
        others = [s[c] for _, _, s in above if s[c] is not None]
        if not others:
            return False
        x0, x1 = span
        if any(abs(a - x0) <= 3 or abs(b - x1) <= 3 or abs((a + b - x0 - x1) / 2) <= 3
               for a, b in others):
            return False
        placed += 1
    return placed > 0


# ----------------------------------------------------------------------------- layout


def _two_columns(lines: list[Line], width: float) -> float | None:
    """The gutter x of a two-column page, or None."""
    if len(lines) < 10:
        return None
    center = width / 2
    crossing = sum(1 for ln in lines if ln.x0 < center - 2 < center + 2 < ln.x1)
    left = [ln for ln in lines if ln.x1 <= center]
    right = [ln for ln in lines if ln.x0 >= center]
    if crossing > 0.2 * len(lines) or len(left) < 5 or len(right) < 5:
        return None
    left_edge = max(ln.x1 for ln in left)
    full = sum(1 for ln in left if ln.x1 >= left_edge - 0.15 * (left_edge - left[0].x0))
    return center if full >= 0.4 * len(left) else None


def _read_page(page, number: int) -> tuple[_Page, list[list[Line]]]:
    """A page's ruled tables, and its other words as fragments per baseline."""
    words, edges, fills = _page_content(page)
    tables, words = _ruled_tables(page, words, edges, number)
    result = _Page(number, float(page.width), float(page.height), tables=tables, fills=fills)
    return result, [_fragments(r, number) for r in _baselines(words)]


def _place_lines(page: _Page, rows: list[list[Line]], two_columns: bool) -> None:
    """Unruled tables, and the column of each other line in a two-column document."""
    center = page.width / 2
    gutter = None
    left = [f for r in rows for f in r if f.x1 <= center]
    right = [f for r in rows for f in r if f.x0 >= center]
    if two_columns and left and right:
        ends = sorted(f.x1 for f in left)
        starts = sorted(f.x0 for f in right)
        gutter = (min(f.x0 for f in left), ends[int(0.9 * (len(ends) - 1))],
                  starts[int(0.1 * (len(starts) - 1))], max(f.x1 for f in right))
    unruled, used = _unruled_tables(rows, page.number, gutter)
    page.tables += unruled
    rows = [r for k, r in enumerate(rows) if k not in used]
    for r in rows:
        for f in r:
            f.column = 1 if two_columns and f.x0 >= center else 0
            page.lines.append(f)


def _order(page: _Page, gutter_split: bool) -> None:
    """Reading order: bands split by full-width items, each band left column then right."""
    items: list[Line | Table] = [*page.lines, *page.tables]
    if not gutter_split:
        page.items = sorted(items, key=lambda it: (it.top, it.x0 if isinstance(it, Line) else 0))
        return
    center = page.width / 2
    full = sorted([it for it in items if isinstance(it, Table)
                   or (it.x0 < center - 2 and it.x1 > center + 2)], key=lambda it: it.top)
    ordered: list[Line | Table] = []
    rest = [it for it in items if it not in full]
    bands = [*(it.top for it in full), float("inf")]
    start = float("-inf")
    for k, limit in enumerate(bands):
        band = [it for it in rest if start <= it.top < limit]
        for col in (0, 1):
            ordered += sorted((it for it in band if isinstance(it, Line) and it.column == col),
                              key=lambda it: it.top)
        if k < len(full):
            ordered.append(full[k])
            start = full[k].top
    page.items = ordered


# ----------------------------------------------------------------------------- furniture


def _band_key(line: Line, page: _Page) -> tuple[str, int, str] | None:
    if line.bottom < page.height * 0.12:
        band = "top"
    elif line.top > page.height * 0.88:
        band = "bottom"
    else:
        return None
    return band, round(line.top / 3), re.sub(r"\d+", "#", fold(line.text))


def _remove_furniture(pages: list[_Page]) -> None:
    counts: Counter[tuple[str, int, str]] = Counter()
    for page in pages:
        lines = [*page.lines, *(ln for t in page.tables if t.tentative for ln in t.source)]
        counts.update({k for ln in lines if (k := _band_key(ln, page))})
    needed = max(3, round(0.3 * len(pages)))
    repeated = {k for k, n in counts.items() if n >= needed}
    for page in pages:
        page.lines = [ln for ln in page.lines if _band_key(ln, page) not in repeated]
        # a header or footer in parts ("Informe 2020 ... Página 3") reads as a one-row table
        page.tables = [t for t in page.tables if not t.tentative
                       or any(_band_key(ln, page) not in repeated for ln in t.source)]


def _is_contents(page: _Page, later: list[_Page]) -> bool:
    texts = [ln.text for ln in page.lines]
    dotted = {m.group(1) for t in texts if (m := _DOTTED_ENTRY.match(t.lstrip("-• ")))}
    leaders = sum(1 for t in texts if _LEADER_ENTRY.search(t))
    if leaders >= 3 and leaders >= 0.3 * len(texts):
        return True
    if len(dotted) < 3:
        return False
    starts = {m.group(1) for p in later for ln in p.lines
              if (m := _DOTTED_ENTRY.match(ln.text)) or (m := re.match(
                  r"^\s*(\d{1,2}(?:\.\d{1,2}){1,2})\.?\s*$", ln.text))}
    return sum(1 for d in dotted if d in starts) >= 0.6 * len(dotted)


# ----------------------------------------------------------------------------- text


def _body_size(pages: list[_Page]) -> float:
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            for w in line.words:
                sizes[round(w.size, 1)] += len(w.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _render_line(line: Line, body: float) -> str:
    text = ""
    prev: Word | None = None
    bold_on = False
    mark = abs(line.size - body) <= 0.6  # bold is marked in body text only
    for w in line.words:
        if prev is not None and w.x0 - prev.x1 > 0.12 * w.size:
            if bold_on and not w.bold:
                text, bold_on = text + "**", False
            text += " "
        if mark and w.bold != bold_on:
            text += "**"
            bold_on = w.bold
        text += w.text
        prev = w
    if bold_on:
        text += "**"
    text = text.replace("****", "").replace("** **", " ")
    stripped = text.lstrip("*")
    if stripped[:1] in _BULLETS and stripped[1:2] == " ":
        lead = text[:len(text) - len(stripped)]
        text = f"- {lead}{stripped[2:]}"
    return text


def _wrapped(prev: Line, line: Line) -> bool:
    """Was `prev` broken by the width of its column (the next line's first word not fitting)?"""
    if _LINE_END_HYPHEN.search(prev.words[-1].text):
        return True
    first = line.words[0]
    space = 0.3 * first.size
    # within an em of the column's edge: a shaded box or an indent sets lines a little narrower
    return prev.x1 + space + (first.x1 - first.x0) > prev.right - 1.0


def _heading(line: Line, body: float) -> bool:
    return line.size >= body * 1.18


def _assemble(items: list[tuple[Line | Table, int]],
              body: float) -> tuple[list[str], list[int], set[int]]:
    out: list[str] = []
    pages: list[int] = []
    headings: set[int] = set()
    prev: Line | Table | None = None
    for item, page in items:
        if isinstance(item, Table):
            if out and out[-1] != "":
                out.append("")
                pages.append(page)
            for k, row in enumerate(item.rows):
                out.append("\t".join(c.replace("\t", " ") for c in row))
                pages.append(item.page if k == 0 else page)
            out.append("")
            pages.append(page)
            prev = item
            continue
        text = _render_line(item, body)
        if prev is None or isinstance(prev, Table):
            if out and out[-1] != "":
                out.append("")
                pages.append(page)
            out.append(text)
            pages.append(page)
            prev = item
            continue
        same_flow = prev.page == item.page and prev.column == item.column
        distance = item.bottom - prev.bottom if same_flow else 0.0
        size = max(prev.size, item.size)
        style_change = abs(prev.size - item.size) > 0.6 or _heading(item, body) != _heading(
            prev, body)
        is_bullet = text.lstrip("*").startswith("- ")
        if same_flow and distance <= 1.62 * size and not style_change:
            if not is_bullet and (_wrapped(prev, item) or _heading(item, body)):
                out[-1] = _hyphen_join(out[-1], text).replace("** **", " ")
            else:
                out.append(text)
                pages.append(page)
        elif not same_flow and not style_change and not is_bullet and _wrapped(prev, item) \
                and out[-1] and not (re.search(r"[.:!?]\**$", out[-1]) and text[:1].isupper()):
            # a paragraph continued in the next column or page
            out[-1] = _hyphen_join(out[-1], text).replace("** **", " ")
        else:
            blanks = 2 if same_flow and distance > 3.4 * size and not style_change else 1
            out.extend([""] * blanks)
            pages.extend([page] * blanks)
            out.append(text)
            pages.append(page)
        if _heading(item, body):
            headings.add(len(out) - 1)
        prev = item
    return out, pages, headings


def _split_headings(lines: list[str], pages: list[int],
                    headings: set[int]) -> tuple[list[str], list[int]]:
    """A heading "03 TITLE" on one line becomes "03" and its title, as the text form has it."""
    out: list[str] = []
    out_pages: list[int] = []
    for k, (line, page) in enumerate(zip(lines, pages, strict=True)):
        m = _CHAPTER_INLINE.match(line)
        if m and k in headings:
            out += [m.group(1), "", m.group(2)]
            out_pages += [page] * 3
        else:
            out.append(line)
            out_pages.append(page)
    return out, out_pages


def _column_map(into: list[float], cols: list[float]) -> list[int] | None:
    """The column of `into` (left x of each) each column of `cols` starts at, or None."""
    out: list[int] = []
    for x in cols:
        at = [k for k, left in enumerate(into) if abs(left - x) <= 3]
        if not at or (out and at[0] <= out[-1]):
            return None
        out.append(at[0])
    return out


def _spread(rows: list[list[str]], where: list[int], width: int) -> list[list[str]]:
    out = []
    for row in rows:
        cells = [""] * width
        for c, k in zip(row, where, strict=False):
            cells[k] = c
        out.append(cells)
    return out


def _merge_continued_tables(pages: list[_Page]) -> None:
    """A table ending a page and one starting the next in the same columns are one table.

    The continuation may lack a column the page before had (its cells there are empty) or
    have one the page before lacked (a header left alone at the foot of the page). One-row
    tables that joined none are text again.
    """
    bottoms = sorted(max(it.bottom for it in p.items) for p in pages if p.items)
    usual_bottom = bottoms[int(0.9 * (len(bottoms) - 1))] if bottoms else 0.0
    carried: tuple[Table, float] | None = None  # a table whose page held only its rows
    for k in range(len(pages) - 1):
        page, nxt = pages[k], pages[k + 1]
        tail = carried if not page.items and carried else (
            (page.items[-1], page.items[-1].bottom) if page.items else None)
        carried = None
        if tail is None or not nxt.items:
            continue
        last, first = tail[0], nxt.items[0]
        if not (isinstance(last, Table) and isinstance(first, Table)):
            continue
        if usual_bottom - tail[1] > 1.2 * max(first.row_height, first.first_height) + 2:
            continue  # the table ended with room left: the next one is another table
        rows = first.rows
        where = _column_map(last.columns, first.columns)
        if where is not None:
            rows = _spread(rows, where, len(last.columns))
        else:
            back = _column_map(first.columns, last.columns)
            if back is None:
                continue
            last.rows = _spread(last.rows, back, len(first.columns))
            last.columns = first.columns
        header = [fold(c) for c in last.rows[0]]
        if [fold(c) for c in rows[0]] == header:
            rows = rows[1:]
        last.rows.extend(rows)
        last.end_page = first.end_page or first.page
        last.tentative = False
        nxt.tables.remove(nxt.items.pop(0))
        if not nxt.items:
            carried = (last, first.bottom)
    for page in pages:
        if any(isinstance(it, Table) and it.tentative for it in page.items):
            _as_text(page)


def _as_text(page: _Page) -> None:
    """The page's one-row tables put back as lines, in reading order."""
    two = any(ln.column == 1 for ln in page.lines)
    for table in [t for t in page.tables if t.tentative]:
        page.tables.remove(table)
        for ln in table.source:
            ln.column = 1 if two and ln.x0 >= page.width / 2 else 0
            page.lines.append(ln)
    _set_right_edges([page])
    _order(page, two)


def _lines_per_page(pages: list[_Page],
                    body: float) -> tuple[list[str], list[int], set[int]]:
    items: list[tuple[Line | Table, int]] = []
    for page in pages:
        items += [(it, page.number) for it in page.items]
    return _assemble(items, body)


def _set_right_edges(pages: list[_Page]) -> None:
    for page in pages:
        for col in (0, 1):
            lines = [ln for ln in page.lines if ln.column == col]
            if not lines:
                continue
            edges = sorted(ln.x1 for ln in lines)
            right = edges[int(0.95 * (len(edges) - 1))]
            for ln in lines:
                ln.right = right
                # a line in a shaded box is set in the box, as far from its right as its left
                middle, x = (ln.top + ln.bottom) / 2, (ln.x0 + ln.x1) / 2
                for x0, top, x1, bottom in page.fills:
                    if x0 <= x <= x1 and top <= middle <= bottom and x1 - x0 < 1.5 * (right - x0):
                        ln.right = min(right, x1 - (ln.x0 - x0))
                        break


def _with_page_marks(lines: list[str], pages: list[int]) -> str:
    out: list[str] = []
    current = 1
    for line, page in zip(lines, pages, strict=True):
        if line and page > current:
            line = PAGE_BREAK * (page - current) + line
            current = page
        out.append(line)
    while out and not out[-1]:
        out.pop()
    squeezed: list[str] = []
    for line in out:
        if not line and len(squeezed) >= 2 and not squeezed[-1] and not squeezed[-2]:
            continue
        squeezed.append(line)
    return "\n".join(squeezed) + "\n"


# ----------------------------------------------------------------------------- entry points


def _open(data: bytes, name: str):
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    if b"%PDF-" not in data[:1024]:
        raise IngestError(f"{name} no es un PDF (no empieza con la cabecera %PDF)")
    if b"%%EOF" not in data[-2048:]:
        raise IngestError(f"{name} está incompleto: el PDF termina antes de su final (%%EOF); "
                          "no se reemplaza el informe guardado")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages
    except (PdfminerException, PDFPasswordIncorrect, PDFSyntaxError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise IngestError(f"{name} está protegido con contraseña; guárdelo sin contraseña "
                              "e ingréselo de nuevo") from exc
        raise IngestError(f"{name} está dañado o incompleto ({type(cause).__name__}); "
                          "no se reemplaza el informe guardado") from exc
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise IngestError(f"{name} está dañado o incompleto ({type(exc).__name__}); "
                          "no se reemplaza el informe guardado") from exc
    declared = _declared_pages(pdf)
    if declared is not None and declared != len(pdf.pages):
        pdf.close()
        raise IngestError(f"{name} está incompleto: declara {declared} páginas y se leyeron "
                          f"{len(pdf.pages)}; no se reemplaza el informe guardado")
    return pdf


def _declared_pages(pdf) -> int | None:
    """The page count the document's page tree declares, when it can be read."""
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
    except Exception:
        return None
    return count if isinstance(count, int) else None


def pdf_to_text(data: bytes, name: str = "informe.pdf") -> str:
    """The text form of a report PDF, with a form feed where each page starts.

    IngestError (one line) for a file that is not a PDF, is truncated, needs a password or has
    no text layer (a scan: no OCR is attempted).
    """
    pdf = _open(data, name)
    try:
        pages: list[_Page] = []
        rows: list[list[list[Line]]] = []
        chars = 0
        for k, page in enumerate(pdf.pages, start=1):
            try:
                read, lines = _read_page(page, k)
            except Exception as exc:
                raise IngestError(f"{name}: la página {k} no se pudo leer "
                                  f"({type(exc).__name__}); el PDF parece dañado") from exc
            chars += sum(len(w.text) for r in lines for ln in r for w in ln.words)
            chars += sum(len(t) for tb in read.tables for r in tb.cells for c in r for t in c)
            pages.append(read)
            rows.append(lines)
            page.close()
    finally:
        pdf.close()
    two = sum(1 for p, r in zip(pages, rows, strict=True)
              if _two_columns([f for b in r for f in b], p.width) is not None)
    texty = sum(1 for r in rows if len(r) >= 10)
    two_columns = texty > 0 and two >= 0.3 * texty
    for page, lines in zip(pages, rows, strict=True):
        _place_lines(page, lines, two_columns)
    if chars < _MIN_TEXT_CHARS:
        raise IngestError(f"{name} no tiene capa de texto (¿es un escaneo?): no se hace OCR; "
                          "use un PDF con texto o ingrese el texto corregido")
    _remove_furniture(pages)
    contents = {p.number for k, p in enumerate(pages) if _is_contents(p, pages[k + 1:])}
    pages = [p for p in pages if p.number not in contents]
    _learn_vocabulary(pages)
    _join_cells(pages)
    _set_right_edges(pages)
    for page in pages:
        _order(page, any(ln.column == 1 for ln in page.lines))
    _merge_continued_tables(pages)
    body = _body_size(pages)
    lines, line_pages, headings = _lines_per_page(pages, body)
    lines, line_pages = _split_headings(lines, line_pages, headings)
    return _with_page_marks(lines, line_pages)


