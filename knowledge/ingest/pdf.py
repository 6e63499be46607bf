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


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    items: list[Line | Table] = field(default_factory=list)  # reading order


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


def _page_content(page) -> tuple[list[Word], list[dict]]:
    """Words (split at spaces, gaps and font changes) and ruling edges of one page.

    Read from pdfminer's layout of the page (pdfplumber's `page.layout`) rather than through
    pdfplumber's per-character dictionaries: the same characters at half the cost.
    """
    from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect

    layout = page.layout
    left, top_y = layout.x0, layout.y1
    chars: list[tuple[float, float, float, float, str, float, bool]] = []
    edges: list[dict] = []

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
    return words, edges


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
        grid: list[list[str]] = []
        for r in rows:
            cells: list[str] = []
            for c in r.cells:
                if c is None:
                    cells.append("")
                    continue
                inside = [k for k, w in enumerate(words)
                          if c[0] - 1 <= (w.x0 + w.x1) / 2 <= c[2] + 1
                          and c[1] - 1 <= (w.top + w.bottom) / 2 <= c[3] + 1 and k not in used]
                used.update(inside)
                lines = [Line(row, number) for row in _baselines([words[k] for k in inside])]
                cells.append(_cell_text(lines))
            grid.append(cells)
        for k, w in enumerate(words):
            if x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and top - 1 <= (w.top + w.bottom) / 2 \
                    <= bottom + 1:
                used.add(k)
        second = rows[1].bbox if len(rows) > 1 else rows[0].bbox
        tables.append(Table(grid, number, top, bottom, lefts[:ncols],
                            row_height=second[3] - second[1]))
    rest = [w for k, w in enumerate(words) if k not in used]
    return tables, rest


def _cell_text(lines: list[Line]) -> str:
    text = ""
    for line in lines:
        piece = line.text
        text = _hyphen_join(text, piece) if text else piece
    return text


# ----------------------------------------------------------------------------- hyphenation

_VOCAB: dict[str, set[str]] = {"plain": set(), "hyphen": set()}
_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-$")


def _learn_vocabulary(pages: list[_Page]) -> None:
    """Words as the document writes them inside its lines (never a line's first or last word,
    where hyphenation leaves fragments): plain ones, and ones with a hyphen of their own."""
    plain: set[str] = set()
    hyphen: set[str] = set()
    for page in pages:
        for line in page.lines:
            for tok in line.text.replace("**", "").split()[1:-1]:
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


def _unruled_tables(rows: list[list[Line]], number: int) -> tuple[list[Table], set[int]]:
    """Runs of baselines whose words stand in aligned columns; (tables, baselines used)."""
    tables: list[Table] = []
    used: set[int] = set()
    i = 0
    while i < len(rows):
        frags = rows[i]
        if len(frags) < 2:
            i += 1
            continue
        size = frags[0].size
        columns = [f.x0 for f in frags]
        bounds_ok = all(frags[k].x1 < columns[k + 1] for k in range(len(frags) - 1))
        if not bounds_ok:
            i += 1
            continue
        region = [i]
        j = i + 1
        while j < len(rows):
            cand = rows[j]
            if any(abs(f.size - size) > 0.35 for f in cand):
                break
            if rows[j][0].top - rows[j - 1][0].bottom > 3.2 * size:
                break
            cols = [_column_of(f, columns) for f in cand]
            if any(c is None for c in cols):
                if len(cand) >= 2 and _extends(cand, columns):
                    columns = sorted({*columns, *(f.x0 for f in cand)})
                    cols = [_column_of(f, columns) for f in cand]
                else:
                    break
            if any(c is not None and c + 1 < len(columns) and f.x1 > columns[c + 1] + 1
                   for f, c in zip(cand, cols, strict=True)):
                break
            region.append(j)
            j += 1
        grid = _rows_of([rows[k] for k in region], columns)
        # a run that ends in a lone first-column row is a caption or prose after the table
        while grid and len(grid) > 1 and sum(1 for c in grid[-1][1] if c) == 1 \
                and grid[-1][1][0]:
            region = region[:len(region) - grid[-1][0]]
            grid.pop()
        if len(grid) >= 2 and len(columns) >= 2:
            top = min(f.top for f in rows[region[0]])
            bottom = max(f.bottom for f in rows[region[-1]])
            n0 = grid[0][0]
            n1 = grid[1][0]
            second = region[n0:n0 + n1]
            height = max(f.bottom for f in rows[second[-1]]) - min(f.top for f in rows[second[0]])
            tables.append(Table([cells for _, cells in grid], number, top, bottom, columns,
                                row_height=height + size))
            used.update(region)
            i = region[-1] + 1
        else:
            i += 1
    return tables, used


def _column_of(frag: Line, columns: list[float]) -> int | None:
    for k, x in enumerate(columns):
        if abs(frag.x0 - x) <= 2.5:
            return k
    return None


def _extends(frags: list[Line], columns: list[float]) -> bool:
    """A row that adds a column start the header row did not have (an empty header cell)."""
    known = sum(1 for f in frags if _column_of(f, columns) is not None)
    return known >= 1 and len(frags) >= 2


def _rows_of(baselines: list[list[Line]], columns: list[float]) -> list[tuple[int, list[str]]]:
    """(baselines in the row, cell texts): a larger gap than the wrapped-line step starts a row."""
    steps = [baselines[k][0].bottom - baselines[k - 1][0].bottom for k in range(1, len(baselines))]
    step = min(steps) if steps else 0.0
    size = baselines[0][0].size
    wraps = step <= 1.5 * size  # some cell wraps onto a second line at the font's leading
    groups: list[list[list[Line]]] = []
    for k, frags in enumerate(baselines):
        if k == 0 or not wraps or steps[k - 1] > 1.2 * step:
            groups.append([frags])
        else:
            groups[-1].append(frags)
    out: list[tuple[int, list[str]]] = []
    for group in groups:
        per_col: list[list[Line]] = [[] for _ in columns]
        for frags in group:
            for f in frags:
                c = _column_of(f, columns)
                per_col[c if c is not None else 0].append(f)
        out.append((len(group), [_cell_text(lines) for lines in per_col]))
    return out


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
    words, edges = _page_content(page)
    tables, words = _ruled_tables(page, words, edges, number)
    result = _Page(number, float(page.width), float(page.height), tables=tables)
    return result, [_fragments(r, number) for r in _baselines(words)]


def _place_lines(page: _Page, rows: list[list[Line]], two_columns: bool) -> None:
    """Columns of a two-column document; unruled tables of a one-column one."""
    center = page.width / 2
    if not two_columns:
        unruled, used = _unruled_tables(rows, page.number)
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
        keys = {k for ln in page.lines if (k := _band_key(ln, page))}
        counts.update(keys)
    needed = max(3, round(0.3 * len(pages)))
    repeated = {k for k, n in counts.items() if n >= needed}
    for page in pages:
        page.lines = [ln for ln in page.lines if _band_key(ln, page) not in repeated]


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


def _merge_continued_tables(pages: list[_Page]) -> None:
    """A table ending a page and one starting the next with the same columns are one table."""
    bottoms = sorted(max(it.bottom for it in p.items) for p in pages if p.items)
    usual_bottom = bottoms[int(0.9 * (len(bottoms) - 1))] if bottoms else 0.0
    for k in range(len(pages) - 1):
        page, nxt = pages[k], pages[k + 1]
        if not page.items or not nxt.items:
            continue
        last, first = page.items[-1], nxt.items[0]
        if not (isinstance(last, Table) and isinstance(first, Table)):
            continue
        if usual_bottom - last.bottom > first.row_height + 2:
            continue  # the table ended with room left: the next one is another table
        if len(last.columns) != len(first.columns) or any(
                abs(a - b) > 3 for a, b in zip(last.columns, first.columns, strict=True)):
            continue
        header = [fold(c) for c in last.rows[0]]
        rows = first.rows
        repeated = [fold(c) for c in rows[0]] == header
        if repeated:
            rows = rows[1:]
        last.rows.extend(rows)
        last.end_page = first.end_page or first.page
        nxt.items.pop(0)


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
            chars += sum(len(c) for t in read.tables for r in t.rows for c in r)
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
    _set_right_edges(pages)
    for page in pages:
        _order(page, any(ln.column == 1 for ln in page.lines))
    _merge_continued_tables(pages)
    body = _body_size(pages)
    lines, line_pages, headings = _lines_per_page(pages, body)
    lines, line_pages = _split_headings(lines, line_pages, headings)
    return _with_page_marks(lines, line_pages)


