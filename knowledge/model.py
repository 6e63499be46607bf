"""The shape of a parsed report: what ingest produces, what the store keeps, what the engine loads.

Ingest turns the report text into a `ParsedReport`; `db.store` writes it to SQL and reads it back
as the same model, so the answer engine never depends on SQL and the store never on parsing.
Every element carries the 1-based line of the report text it comes from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, model_validator

FactRole = Literal["result", "target", "budget", "execution", "count", "other"]


class ParsedSection(BaseModel):
    """A chapter ("3", title "ATRACCIÓN DE INVERSIÓN") or a numbered section ("3.2")."""

    number: str  # "1" .. "8" for chapters, "3.2", "4.3.1" for sections
    title: str  # as printed in the body, whitespace folded
    level: int  # 1 for chapters, 2 for "3.2", 3 for "4.3.1"
    parent: str | None = None
    line_start: int
    line_end: int
    text: str  # the body text of this section only (not of its subsections)
    page: int | None = None  # page of its heading, for a report read from a PDF


class ParsedCell(BaseModel):
    """One table cell as written, with its numeric reading when it has one."""

    raw: str  # as written: "100+", "6 empresas", "\\$964.165.992", "90%"
    value: float | None = None  # numeric part in the unit below, before scale: 381.3, 100, 6
    unit: str | None = None  # "USD", "COP", "%", "personas", "m²", ...
    scale: str | None = None  # "mil", "millones", "billones", "MM" when written in the cell
    qualifier: str | None = None  # what the raw text adds to the number: "+", "empresas", ...


class ParsedRow(BaseModel):
    line: int
    cells: list[ParsedCell]


class ParsedTable(BaseModel):
    """A tab-separated table (continued pages merged) or a key/value block."""

    key: str  # stable id within the report, e.g. "3.2-indicadores", "5.2-eventos-propios"
    section: str  # section number it belongs to
    title: str  # caption or nearest heading, e.g. "EVENTOS PROPIOS"
    kind: Literal["grid", "keyvalue"] = "grid"
    header: list[str]
    rows: list[ParsedRow]
    line_start: int
    line_end: int


class ParsedFact(BaseModel):
    """A figure found in prose or highlights, with the sentence it sits in."""

    section: str
    line: int
    raw: str  # the figure, markdown removed: "USD **\\$381,30 millones**" -> "USD $381,30 millones"
    value: float  # numeric part as written, e.g. 381.3 for "381,30 millones"
    unit: str | None = None  # "USD", "COP", "%", "personas", "proyectos", "m²", "km", ...
    scale: str | None = None  # "mil", "millones", "billones", "MM"
    sentence: str  # the whole sentence, markdown bold removed
    role: FactRole = "other"
    cutoff: str | None = None  # "15 de diciembre de 2020" when the sentence gives one


class EnumerationItem(BaseModel):
    position: int  # 1-based
    label: str  # "AGRONEGOCIOS", "C40", "Promoción de la ciudad región ..."
    description: str = ""
    line: int


class ParsedEnumeration(BaseModel):
    """A list the report presents as such: sectors, thematic lines, networks, awards, phases..."""

    key: str  # e.g. "sectores-inversion", "lineas-cooperacion", "redes-ciudad", "premios"
    title: str
    section: str
    items: list[EnumerationItem]


class ParsedReport(BaseModel):
    report_id: str  # "aci-medellin-2020"
    title: str  # "INFORME DE GESTIÓN ACI MEDELLÍN 2020"
    year: int
    source_sha256: str
    sections: list[ParsedSection] = Field(default_factory=list)
    tables: list[ParsedTable] = Field(default_factory=list)
    facts: list[ParsedFact] = Field(default_factory=list)
    enumerations: list[ParsedEnumeration] = Field(default_factory=list)
    lines: list[str] = Field(default_factory=list)  # the report text, for quoting by line

    _pages: list[int] | None = PrivateAttr(default=None)

    def section(self, number: str) -> ParsedSection | None:
        return next((s for s in self.sections if s.number == number), None)

    @model_validator(mode="after")
    def _section_pages(self) -> ParsedReport:
        """A report read from a PDF marks each page start with a form feed ("\\f") in its
        lines; the page of a line is 1 + the form feeds up to it (None for a text report)."""
        if any("\f" in line for line in self.lines):
            pages, page = [], 1
            for line in self.lines:
                page += line.count("\f")
                pages.append(page)
            self._pages = pages
            for s in self.sections:
                if s.page is None:
                    s.page = self.page_of(s.line_start)
        return self

    def page_of(self, line: int | None) -> int | None:
        """The PDF page a 1-based line is on; None for a report ingested from text."""
        if self._pages is None or line is None or not 1 <= line <= len(self._pages):
            return None
        return self._pages[line - 1]
