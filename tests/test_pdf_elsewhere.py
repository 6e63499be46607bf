"""The PDF reader on a PDF made another way: matplotlib's PDF backend, not our typesetter.

The reader must not be fitted to tests/pdfgen.py (fpdf2). matplotlib writes its own Type 3
fonts and one string per line; the tables here have no cell borders, only rules above, below
and under the header, with centred headers and right-aligned figures; one page is prose in two
columns. Every table comes back with the report's rows and cells, and every paragraph whole
and in reading order.
"""

from __future__ import annotations

import pytest

from knowledge.ingest.pdf import PAGE_BREAK, pdf_to_text
from tests.pdf_support import BUNDLED, norm
from tests.pdfgen_mpl import matplotlib_pdf, report_paragraphs, report_tables

ONE_PAGE_ROWS = 12  # tables the test writer sets on one page


@pytest.fixture(scope="module")
def made_elsewhere() -> tuple[list[list[list[str]]], list[str], list[str], str]:
    tables = [t for t in report_tables(BUNDLED) if len(t) <= ONE_PAGE_ROWS]
    paragraphs = report_paragraphs(BUNDLED)
    prose, two_column = paragraphs[:len(tables)], paragraphs[len(tables):len(tables) + 8]
    data, two_column = matplotlib_pdf(tables, prose, two_column)
    assert len(two_column) >= 4
    assert b"matplotlib" in data and b"/Type3" in data  # really another writer's PDF
    return tables, prose, two_column, pdf_to_text(data, "matplotlib.pdf")


def test_tables_come_back_cell_by_cell(made_elsewhere) -> None:
    tables, _, _, text = made_elsewhere
    assert len(tables) >= 10
    got = report_tables(text.replace(PAGE_BREAK, ""))
    assert [[[norm(c) for c in row] for row in t] for t in got] == [
        [[norm(c) for c in row] for row in t] for t in tables]


def test_prose_comes_back_whole_and_in_order(made_elsewhere) -> None:
    _, prose, two_column, text = made_elsewhere
    flat = " ".join(text.replace(PAGE_BREAK, " ").split())
    at = 0
    for paragraph in [*prose, *two_column]:
        found = flat.find(" ".join(paragraph.split()), at)
        assert found >= 0, paragraph[:60]
        at = found
