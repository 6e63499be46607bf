"""PDFs typeset from the bundled report and read back, once per test session."""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
from pathlib import Path

import pytest

from knowledge.ingest import parse_report, read_report_file
from knowledge.ingest.pdf import pdf_to_text
from knowledge.model import ParsedReport
from tests.pdfgen import LAYOUTS, Layout, report_pdf

BUNDLED = read_report_file(
    Path(__file__).resolve().parents[1] / "knowledge" / "reports"
    / "informe-gestion-aci-medellin-2020.md"
)
# The layouts the reader is held to (see LAYOUTS in tests/pdfgen.py for what each varies):
# all of them, tables ruled and unruled.
TESTED = list(LAYOUTS)


@dataclass
class ReadBack:
    layout: Layout
    pdf: Path
    text: str
    report: ParsedReport


_CACHE: dict[str, ReadBack] = {}


def read_back(layout: Layout, folder: Path) -> ReadBack:
    """The layout's PDF (written to `folder`), its text and its parse, made once per session.

    Typesetting and reading a PDF back take seconds each: when `folder` already holds both from
    another process of the same run (pytest-xdist workers share it, see conftest's `pdf_dir`),
    they are read from there; a lock makes the others wait while the first one writes them.
    """
    if layout.name not in _CACHE:
        pdf = folder / f"{layout.name}.pdf"
        done = folder / f"{layout.name}.txt"
        with (folder / f"{layout.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if done.exists():
                text = done.read_text(encoding="utf-8")
            else:
                pdf.write_bytes(report_pdf(BUNDLED, layout))
                text = pdf_to_text(pdf.read_bytes(), pdf.name)
                partial = done.with_suffix(".part")
                partial.write_text(text, encoding="utf-8")
                partial.replace(done)  # last: the text's presence says both files are whole
        report = parse_report(text, source_name=pdf.name)
        _CACHE[layout.name] = ReadBack(layout, pdf, text, report)
    return _CACHE[layout.name]


def layout_params() -> list:
    return [pytest.param(layout, id=layout.name) for layout in TESTED]


def norm(text: str) -> str:
    """Cell text compared without whitespace (line breaks inside cells are the writer's)."""
    return "".join(text.split())
