"""The PDF reader on PDFs typeset from the bundled report: the same report comes back.

Each layout (tests/pdfgen.py) varies what the reader must undo: headings by size only or by size
and bold, a running header and footer with page numbers, hyphenated line ends, a contents list
with page numbers, prose in two columns, tables split over pages with or without a repeated
header. Ingest of each must find the sections, tables, rows and cells of the bundled text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.ingest import parse_report, read_report_file
from knowledge.ingest.pdf import PAGE_BREAK
from knowledge.ingest.sections import parse_toc
from knowledge.model import ParsedReport
from knowledge.text import fold, split_lines
from tests.pdf_support import BUNDLED, ReadBack, layout_params, norm, read_back
from tests.pdfgen import Layout


@pytest.fixture(params=layout_params())
def back(request: pytest.FixtureRequest, pdf_dir: Path) -> ReadBack:
    layout: Layout = request.param
    return read_back(layout, pdf_dir)


def test_same_sections(back: ReadBack, parsed_report: ParsedReport) -> None:
    got = [(s.number, fold(s.title)) for s in back.report.sections]
    assert got == [(s.number, fold(s.title)) for s in parsed_report.sections]


def test_same_tables_rows_and_cells(back: ReadBack, parsed_report: ParsedReport) -> None:
    assert [t.key for t in back.report.tables] == [t.key for t in parsed_report.tables]
    for want, got in zip(parsed_report.tables, back.report.tables, strict=True):
        assert [norm(h) for h in got.header] == [norm(h) for h in want.header], want.key
        assert len(got.rows) == len(want.rows), want.key
        for k, (a, b) in enumerate(zip(want.rows, got.rows, strict=True)):
            assert [norm(c.raw) for c in b.cells] == [norm(c.raw) for c in a.cells], (want.key, k)
            assert [c.value for c in b.cells] == [c.value for c in a.cells], (want.key, k)


def test_same_lists_and_figures(back: ReadBack, parsed_report: ParsedReport) -> None:
    assert [(e.key, len(e.items)) for e in back.report.enumerations] == [
        (e.key, len(e.items)) for e in parsed_report.enumerations]
    want = sorted((f.section, f.value, str(f.unit)) for f in parsed_report.facts)
    got = sorted((f.section, f.value, str(f.unit)) for f in back.report.facts)
    assert got == want


def test_page_furniture_is_gone(back: ReadBack) -> None:
    lines = [line.strip(PAGE_BREAK) for line in split_lines(back.text)]
    assert not any(re.fullmatch(r"Página \d+", line) for line in lines)
    title = fold(next(line for line in split_lines(BUNDLED) if line.strip()))
    # the running header repeats the title on every page; only the cover keeps it
    assert sum(1 for line in lines if title and fold(line).startswith(title)) <= 1


def test_contents_pages_are_gone(back: ReadBack) -> None:
    lines = split_lines(back.text)
    assert parse_toc(lines).chapters == {}  # no contents list left in the text
    assert not any(re.search(r"\.{4} \d+$", line) for line in lines)


def test_hyphenated_words_are_whole(back: ReadBack) -> None:
    """Every word read back is a word of the report: no "internacio-nales", no "internacionales"
    where the report writes "Sur-Sur"; compounds keep their hyphen."""
    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[^\W\d_][\w-]*[^\W\d_]", text.replace("**", ""))}

    # the report's "post- instalación" is the compound "post-instalación" when a line ends there
    unknown = words(back.text) - words(BUNDLED) - words(re.sub(r"(\w)- (\w)", r"\1-\2", BUNDLED))
    assert not unknown, sorted(unknown)[:20]
    for compound in ("Col-Col", "Sur-Sur", "sur-sur", "col-col"):
        assert back.text.count(compound) == BUNDLED.count(compound), compound


def test_pages_are_marked(back: ReadBack) -> None:
    report = back.report
    pages = [s.page for s in report.sections]
    assert all(p is not None for p in pages)
    assert pages == sorted(pages)  # in reading order
    assert pages[0] > 1  # the cover and contents come first
    # a table split over pages is one table (its rows on two pages)
    split = [t for t in report.tables
             if report.page_of(t.rows[0].line) != report.page_of(t.rows[-1].line)]
    assert split, "no table crosses a page in this layout"


def test_text_round_trip_keeps_everything(back: ReadBack, tmp_path: Path) -> None:
    """The text written for a person to correct ingests to the same report, pages included."""
    saved = tmp_path / "informe.txt"
    saved.write_text(back.text, encoding="utf-8")
    again = parse_report(read_report_file(saved))
    assert again.model_dump(exclude={"source_sha256"}) == back.report.model_dump(
        exclude={"source_sha256"})
